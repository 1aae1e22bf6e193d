package message

import (
	"context"
	"strconv"
	"strings"
	"time"
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
	var (
		where strings.Builder
		args  = []any{f.UserID, since}
	)
	where.WriteString(`user_id = $1 AND received_at >= $2 AND kind = 'sms'`)
	add := func(cond string, v any) {
		args = append(args, v)
		where.WriteString(" AND " + cond + " = $" + strconv.Itoa(len(args)))
	}
	switch {
	case f.RequestID != 0:
		add("request_id", f.RequestID)
	case f.RentalID != 0 || f.RentalChain != 0:
		if f.RentalID != 0 {
			add("rental_id", f.RentalID)
		} else {
			args = append(args, f.RentalChain)
			where.WriteString(" AND rental_id IN (SELECT id FROM rentals WHERE first_id = $" + strconv.Itoa(len(args)) + ")")
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
	args = append(args, limit)
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT id, COALESCE(user_id, 0), COALESCE(request_id, 0), COALESCE(rental_id, 0), mdn, sender, body, pin, service, price_cents, received_at
		 FROM messages WHERE `+where.String()+` ORDER BY received_at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.UserID, &m.RequestID, &m.RentalID, &m.MDN, &m.From, &m.Text, &m.PIN, &m.Service, &m.PriceCents, &m.ReceivedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
