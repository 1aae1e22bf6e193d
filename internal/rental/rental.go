// Package rental holds long-term rentals of numbers (the ltr_* commands):
// renting and renewing with the charge, online and offline parking,
// expiry with auto-renewal, release, reports, service switching and call
// forwarding.
package rental

import (
	"errors"
	"time"
)

// Rental statuses as stored, and as ltr_status shows them.
const (
	StatusAwaiting = "awaiting" // a reservation waiting for a number
	StatusActive   = "active"
	StatusEnded    = "ended"

	ShowOnline   = "online"
	ShowOffline  = "offline"
	ShowAwaiting = "awaiting mdn"
)

// End reasons.
const (
	EndExpired  = "expired"
	EndReleased = "released"
	EndRenewed  = "renewed"
	EndRefunded = "refunded"
)

// Unlimited is the service whose rentals receive every service's SMS.
const Unlimited = "unlimited"

// UnknownService is the detected service of an SMS no rule matched.
const UnknownService = "Unknown"

// Errors of this package.
var (
	ErrNotFound         = errors.New("invalid rental ID")
	ErrNoRental         = errors.New("no rental for this MDN and service")
	ErrEnded            = errors.New("rental has ended")
	ErrDuration         = errors.New("duration must be 3 or 30")
	ErrNoShortRental    = errors.New("3-day rentals are not available for this service")
	ErrNotShort         = errors.New("this MDN does not support 3-day rentals")
	ErrReserveUnlimited = errors.New("reserve is only available for the Unlimited service")
	ErrAlreadyReported  = errors.New("already reported")
	ErrNoReport         = errors.New("no report for this MDN")
	ErrNotSwitchable    = errors.New("only Unknown and Unlimited rentals can switch service")
	ErrNotFresh         = errors.New("the MDN is not available for this service")
	ErrForwarding       = errors.New("call forwarding is not supported for this MDN")
	ErrInvalid          = errors.New("invalid")
	// ErrUnsupported is the Gateways' answer for an action the number's
	// gateway cannot do (parking, forwarding).
	ErrUnsupported = errors.New("not supported by the number's gateway")
)

// Rental is one long-term rental.
type Rental struct {
	ID            int64
	UserID        int64
	ServiceID     int64
	Service       string
	NumberID      int64
	MDN           string
	Carrier       string
	Gateway       string
	FirstID       int64
	PrevID        int64
	Days          int64
	PriceCents    int64
	FeeCents      int64
	Status        string
	EndReason     string
	Autorenew     bool
	State         string
	AreaCode      string
	FilterService string
	ForwardTo     string
	CreatedAt     int64
	ExpiresAt     int64
	EndedAt       int64
}

// Expires is the end of the rental period.
func (r Rental) Expires() time.Time { return time.Unix(r.ExpiresAt, 0) }

const rentalColumns = `r.id, r.user_id, r.service_id, s.name, COALESCE(r.number_id, 0), r.mdn, r.carrier,
	COALESCE(n.gateway, ''), COALESCE(r.first_id, 0), COALESCE(r.prev_id, 0), r.days, r.price_cents, r.fee_cents,
	r.status, r.end_reason, r.autorenew, r.state, r.area_code, r.filter_service, r.forward_to, r.created_at,
	r.expires_at, COALESCE(r.ended_at, 0)`

const rentalFrom = ` FROM rentals r JOIN services s ON s.id = r.service_id LEFT JOIN numbers n ON n.id = r.number_id`

func scanRental(row interface{ Scan(...any) error }) (Rental, error) {
	var r Rental
	err := row.Scan(&r.ID, &r.UserID, &r.ServiceID, &r.Service, &r.NumberID, &r.MDN, &r.Carrier, &r.Gateway,
		&r.FirstID, &r.PrevID, &r.Days, &r.PriceCents, &r.FeeCents, &r.Status, &r.EndReason, &r.Autorenew,
		&r.State, &r.AreaCode, &r.FilterService, &r.ForwardTo, &r.CreatedAt, &r.ExpiresAt, &r.EndedAt)
	return r, err
}
