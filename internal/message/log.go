package message

import (
	"context"
	"errors"
	"slices"
	"strings"

	"mdnhub/internal/db"
)

// Kinds of rows in a user's message log.
const (
	KindSMS      = "sms"      // an inbound SMS
	KindBilling  = "billing"  // a rental charge, from sender "Billing"
	KindOutbound = "outbound" // an SMS the user sent (send_sms)
)

// ErrNotFound is returned for a message that is not the user's.
var ErrNotFound = errors.New("no such message")

// LogCursor is a position in a list of messages ordered newest first: the
// (received_at, id) of a row; the zero LogCursor is the start. Pages are cut
// by these keys, never by an offset, so reading a deep page costs what
// reading the first one does.
type LogCursor struct {
	At int64
	ID int64
}

// IsZero reports whether the cursor is unset.
func (c LogCursor) IsZero() bool { return c.At == 0 && c.ID == 0 }

// LogFilter selects one page of a user's message log.
type LogFilter struct {
	UserID  int64
	MDN     string // normalized; "" for every number
	Service string // "" for every service
	// Before gives the page of rows older than it; After the page of rows
	// newer than it (the way back); neither the newest page.
	Before, After LogCursor
	Limit         int // default 50, at most 500
}

// LogEntry is one row of the message log: an inbound SMS, a Billing entry or
// an outbound SMS with its delivery status.
type LogEntry struct {
	Message
	Kind      string
	Recipient string // outbound: the number it was sent to
	Status    string // outbound: sending, accepted, refused, delivered, failed
}

// LogPage is one page of the log, newest first. Newer and Older are the
// cursors of the neighbouring pages; HasNewer and HasOlder tell whether they
// hold anything.
type LogPage struct {
	Entries            []LogEntry
	Newer, Older       LogCursor
	HasNewer, HasOlder bool
}

const logColumns = `id, COALESCE(user_id, 0), COALESCE(request_id, 0), COALESCE(rental_id, 0), kind, mdn, sender, recipient, body,
	pin, service, price_cents, received_at, status`

func scanLogEntry(r db.Row) (e LogEntry, err error) {
	return e, r.Scan(&e.ID, &e.UserID, &e.RequestID, &e.RentalID, &e.Kind, &e.MDN, &e.From, &e.Recipient, &e.Text,
		&e.PIN, &e.Service, &e.PriceCents, &e.ReceivedAt, &e.Status)
}

// Log returns one page of the user's message log: inbound SMS, Billing
// entries and outbound SMS, newest first, optionally for one number or one
// service. It reads by the index on (user_id, received_at, id) (or its
// number and service variants) from the cursor on, so its cost is that of
// one page however deep the page is.
func (s *Service) Log(ctx context.Context, f LogFilter) (LogPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	a := s.db.NewArgs()
	var where strings.Builder
	where.WriteString(`user_id = ` + a.Add(f.UserID))
	if f.MDN != "" {
		where.WriteString(` AND mdn = ` + a.Add(f.MDN))
	}
	if f.Service != "" {
		where.WriteString(` AND service = ` + a.Add(f.Service))
	}
	// Newest first, or, for the page after a cursor (going back towards
	// the newest), oldest first and reversed.
	order := ` ORDER BY received_at DESC, id DESC`
	backwards := !f.After.IsZero()
	switch {
	case backwards:
		where.WriteString(` AND (received_at, id) > (` + a.Add(f.After.At) + `, ` + a.Add(f.After.ID) + `)`)
		order = ` ORDER BY received_at, id`
	case !f.Before.IsZero():
		where.WriteString(` AND (received_at, id) < (` + a.Add(f.Before.At) + `, ` + a.Add(f.Before.ID) + `)`)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+logColumns+` FROM messages WHERE `+where.String()+order+` LIMIT `+a.Add(limit+1), a.List()...)
	if err != nil {
		return LogPage{}, err
	}
	es, err := db.Collect(rows, scanLogEntry)
	if err != nil {
		return LogPage{}, err
	}
	var p LogPage
	more := len(es) > limit
	if more {
		es = es[:limit]
	}
	if backwards {
		slices.Reverse(es)
		p.HasNewer, p.HasOlder = more, true
	} else {
		p.HasNewer, p.HasOlder = !f.Before.IsZero(), more
	}
	p.Entries = es
	if len(es) == 0 {
		// Nothing on this side of the cursor: the way back is still open.
		p.HasNewer, p.HasOlder = false, false
		return p, nil
	}
	first, last := es[0], es[len(es)-1]
	p.Newer, p.Older = LogCursor{first.ReceivedAt, first.ID}, LogCursor{last.ReceivedAt, last.ID}
	return p, nil
}

// Get returns one row of the user's message log; ErrNotFound when it is not
// the user's.
func (s *Service) Get(ctx context.Context, userID, id int64) (LogEntry, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+logColumns+` FROM messages WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return LogEntry{}, err
	}
	es, err := db.Collect(rows, scanLogEntry)
	if err != nil {
		return LogEntry{}, err
	}
	if len(es) == 0 {
		return LogEntry{}, ErrNotFound
	}
	return es[0], nil
}
