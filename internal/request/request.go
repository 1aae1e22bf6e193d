// Package request holds one-time number requests: creation with the charge,
// rejection and expiry with the refund, and the completion by the first SMS.
package request

import (
	"errors"
	"time"
)

// Request statuses, exactly as the API shows them.
const (
	StatusAwaiting  = "Awaiting MDN"
	StatusReserved  = "Reserved"
	StatusCompleted = "Completed"
	StatusRejected  = "Rejected"
	StatusTimedOut  = "Timed Out"
)

// Errors of this package.
var (
	ErrNotFound    = errors.New("invalid request ID")
	ErrTooManyOpen = errors.New("too many open requests")
	ErrHasMessages = errors.New("unable to reject an MDN that already received a message")
	ErrNotDue      = errors.New("request not due for expiry yet")
)

// ClosedError is returned when a request can no longer be changed because it
// has ended; it carries the final status.
type ClosedError struct{ Status string }

func (e *ClosedError) Error() string { return "the request is " + e.Status }

// Request is one one-time number request.
type Request struct {
	ID         int64
	UserID     int64
	ServiceID  int64
	Service    string
	NumberID   int64
	MDN        string
	Carrier    string
	Status     string
	State      string
	AreaCode   string
	Markup     int64
	PriceCents int64
	Messages   int64
	CreatedAt  int64
	ExpiresAt  int64
	ClosedAt   int64
	GroupID    int64 // the first request's id when several services share the number
	// Gateway is the number's gateway; set only on freshly reserved requests
	// handed to OnReserved listeners.
	Gateway string
}

// TillExpiration is the time left before the reservation ends, never negative.
func (r Request) TillExpiration(now time.Time) time.Duration {
	if r.ClosedAt != 0 {
		return 0
	}
	left := time.Unix(r.ExpiresAt, 0).Sub(now).Truncate(time.Second)
	return max(left, 0)
}

// Open reports whether the request still holds its number or bid.
func (r Request) Open() bool { return r.ClosedAt == 0 }

const requestColumns = `r.id, r.user_id, r.service_id, s.name, COALESCE(r.number_id, 0), r.mdn, r.carrier, r.status, r.state,
	r.area_code, r.markup, r.price_cents, r.messages, r.created_at, r.expires_at, COALESCE(r.closed_at, 0), COALESCE(r.group_id, 0)`

const requestFrom = ` FROM requests r JOIN services s ON s.id = r.service_id`

func scanRequest(row interface{ Scan(...any) error }) (Request, error) {
	var r Request
	err := row.Scan(&r.ID, &r.UserID, &r.ServiceID, &r.Service, &r.NumberID, &r.MDN, &r.Carrier, &r.Status, &r.State,
		&r.AreaCode, &r.Markup, &r.PriceCents, &r.Messages, &r.CreatedAt, &r.ExpiresAt, &r.ClosedAt, &r.GroupID)
	return r, err
}
