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

// Read returns the user's matching SMS, newest first. Every query is bounded
// by the user (and request) index and the time window, so its cost does not
// grow with history.
func (s *Service) Read(ctx context.Context, f Filter) ([]Message, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	since := f.Since
	if since == 0 {
		since = s.clock.Now().Add(-DefaultWindow).Unix()
	}
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
