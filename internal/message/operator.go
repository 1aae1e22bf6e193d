package message

import (
	"context"

	"mdnhub/internal/db"
)

// Unowned is an SMS that arrived while nobody held its number (or for a
// number not in the inventory): kept for the operator only.
type Unowned struct {
	Message
	Gateway string
}

// Unowned returns unowned SMS older than the one received at beforeAt with
// id beforeID (both 0: from the newest), newest first, at most limit: pages
// of the operator's list, keyed by the last message shown.
func (s *Service) Unowned(ctx context.Context, beforeAt, beforeID int64, limit int) ([]Unowned, error) {
	a := s.db.NewArgs()
	where := `user_id IS NULL AND kind = 'sms'`
	if beforeID != 0 {
		at := a.Add(beforeAt)
		where += ` AND (received_at < ` + at + ` OR (received_at = ` + a.Add(beforeAt) + ` AND id < ` + a.Add(beforeID) + `))`
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, mdn, sender, body, pin, service, received_at, gateway FROM messages
		WHERE `+where+` ORDER BY received_at DESC, id DESC LIMIT `+a.Add(limit), a.List()...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(r db.Row) (m Unowned, err error) {
		return m, r.Scan(&m.ID, &m.MDN, &m.From, &m.Text, &m.PIN, &m.Service, &m.ReceivedAt, &m.Gateway)
	})
}

// InboundPerMinute counts the SMS received in each of the last minutes
// whole minutes of the clock, the current one last: counts[len-1] is the
// minute now is in. Every stored inbound SMS counts, owned or not.
func (s *Service) InboundPerMinute(ctx context.Context, minutes int) ([]int64, error) {
	if minutes <= 0 {
		return nil, nil
	}
	first := s.clock.Now().Unix()/60 - int64(minutes) + 1
	rows, err := s.db.R.QueryContext(ctx, `SELECT received_at / 60, COUNT(*) FROM messages
		WHERE kind = 'sms' AND received_at >= $1 GROUP BY received_at / 60`, first*60)
	if err != nil {
		return nil, err
	}
	type bucket struct{ minute, n int64 }
	bs, err := db.Collect(rows, func(r db.Row) (b bucket, err error) { return b, r.Scan(&b.minute, &b.n) })
	if err != nil {
		return nil, err
	}
	counts := make([]int64, minutes)
	for _, b := range bs {
		if i := b.minute - first; i >= 0 && i < int64(minutes) {
			counts[i] += b.n
		}
	}
	return counts, nil
}
