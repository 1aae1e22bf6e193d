package message

import (
	"context"
	"strings"
	"time"

	"mdnhub/internal/db"
)

// Filter selects a user's messages for read_sms.
type Filter struct {
	UserID    int64
	RequestID int64 // one request; overrides MDN and Service
	RentalID  int64 // one rental; overrides MDN (Service filters the detected service)
	// RentalChain, the first rental's id, selects a rental and all its
	// renewals, like RentalID.
	RentalChain int64
	MDN         string // normalized
	Service     string // canonical service name
	Limit       int    // default 3
	Since       int64  // unix time; 0: the past 2 days
}

// DefaultLimit and DefaultWindow are read_sms's defaults: the 3 newest
// messages of the past 2 days.
const (
	DefaultLimit  = 3
	DefaultWindow = 48 * time.Hour
)

// readResult is a kept read_sms answer: the newest messages from since on.
type readResult struct {
	since int64
	msgs  []Message
}

// readViewSize bounds the read_sms answers kept in memory.
const readViewSize = 50_000

// Read returns the user's matching SMS, newest first. Clients poll it: an
// answer is kept in memory until a message for the user is stored (Deliver
// touches the user). An answer of the default two-day window stays exact as
// time passes: messages leave it from the oldest, and the kept list, cut at
// the present window's start, is what the query would return. Every query
// is bounded by the user (and request) index and the time window, so its
// cost does not grow with history.
func (s *Service) Read(ctx context.Context, f Filter) ([]Message, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	since := f.Since
	if since == 0 {
		since = s.clock.Now().Add(-DefaultWindow).Unix()
	}
	res, err := s.reads.Get(f.UserID, f, func() (readResult, error) {
		ms, err := s.read(ctx, f, since)
		return readResult{since: since, msgs: ms}, err
	})
	if err != nil {
		return nil, err
	}
	if since < res.since {
		// The clock went back: the kept answer may lack older messages.
		return s.read(ctx, f, since)
	}
	n := 0
	for n < len(res.msgs) && res.msgs[n].ReceivedAt >= since {
		n++
	}
	return res.msgs[:n:n], nil
}

// read queries the user's matching SMS received from since on.
func (s *Service) read(ctx context.Context, f Filter, since int64) ([]Message, error) {
	limit := f.Limit
	a := s.db.NewArgs()
	var where strings.Builder
	where.WriteString(`user_id = ` + a.Add(f.UserID) + ` AND received_at >= ` + a.Add(since) + ` AND kind = 'sms'`)
	add := func(cond string, v any) { where.WriteString(" AND " + cond + " = " + a.Add(v)) }
	switch {
	case f.RequestID != 0:
		add("request_id", f.RequestID)
	case f.RentalID != 0 || f.RentalChain != 0:
		if f.RentalID != 0 {
			add("rental_id", f.RentalID)
		} else {
			where.WriteString(" AND rental_id IN (SELECT id FROM rentals WHERE first_id = " + a.Add(f.RentalChain) + ")")
		}
		if f.Service != "" {
			add("service", f.Service)
		}
	default:
		if f.MDN != "" {
			add("mdn", f.MDN)
		}
		if f.Service != "" {
			add("service", f.Service)
		}
	}
	q := `SELECT id, COALESCE(user_id, 0), COALESCE(request_id, 0), COALESCE(rental_id, 0), mdn, sender, body, pin, service, price_cents, received_at
		 FROM messages WHERE ` + where.String() + ` ORDER BY received_at DESC, id DESC LIMIT ` + a.Add(limit)
	rows, err := s.db.R.QueryContext(ctx, q, a.List()...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(r db.Row) (m Message, err error) {
		return m, r.Scan(&m.ID, &m.UserID, &m.RequestID, &m.RentalID, &m.MDN, &m.From, &m.Text, &m.PIN, &m.Service, &m.PriceCents, &m.ReceivedAt)
	})
}
