package client

import (
	"context"
	"net/url"
	"strconv"
)

// RentLTRParams are the parameters of ltr_rent.
type RentLTRParams struct {
	Service   string
	Days      int    // 30 (default) or 3
	MDN       string // a specific number, or one you rent(ed) to renew it
	AreaCode  string
	State     string
	Autorenew bool
	Reserve   bool // Unlimited only: the next available number, plus a fee
	// IdempotencyKey identifies this rental; generated when empty.
	IdempotencyKey string
}

// RentLTR rents a number long-term (or renews one, or reserves one).
func (c *Client) RentLTR(ctx context.Context, p RentLTRParams) (Rental, error) {
	v := url.Values{}
	set(v, "service", p.Service)
	if p.Days != 0 {
		v.Set("duration", strconv.Itoa(p.Days))
	}
	set(v, "mdn", p.MDN)
	set(v, "areacode", p.AreaCode)
	set(v, "state", p.State)
	if p.Autorenew {
		v.Set("autorenew", "true")
	}
	if p.Reserve {
		v.Set("reserve", "true")
	}
	v.Set("idempotency_key", keyOr(p.IdempotencyKey))
	var out Rental
	return out, c.call(ctx, "ltr_rent", v, keyed, 0, &out)
}

// RentalRef names a rental: by ID, or by MDN (your running rental of the
// number), narrowed by Service.
type RentalRef struct {
	ID      int64
	MDN     string
	Service string
}

func (r RentalRef) values() url.Values {
	v := url.Values{}
	if r.ID != 0 {
		v.Set("ltr_id", strconv.FormatInt(r.ID, 10))
	}
	set(v, "mdn", r.MDN)
	set(v, "service", r.Service)
	return v
}

// RentalStatus returns a rental's online status (ltr_status).
func (c *Client) RentalStatus(ctx context.Context, r RentalRef) (RentalStatus, error) {
	var out RentalStatus
	return out, c.call(ctx, "ltr_status", r.values(), read, 0, &out)
}

// ActivateRental asks for the number to come online (ltr_activate).
func (c *Client) ActivateRental(ctx context.Context, r RentalRef) (RentalStatus, error) {
	var out RentalStatus
	return out, c.call(ctx, "ltr_activate", r.values(), once, 0, &out)
}

// ReleaseRental ends a rental now, without refund (ltr_release).
func (c *Client) ReleaseRental(ctx context.Context, r RentalRef) error {
	return c.call(ctx, "ltr_release", r.values(), once, 0, nil)
}

// Autorenew tells whether a rental renews itself (ltr_autorenew).
func (c *Client) Autorenew(ctx context.Context, r RentalRef) (bool, error) {
	var on bool
	return on, c.call(ctx, "ltr_autorenew", r.values(), read, 0, &on)
}

// SetAutorenew turns a rental's auto-renewal on or off. Setting a value is
// the same whatever the number of times, so it is retried like a read.
func (c *Client) SetAutorenew(ctx context.Context, r RentalRef, on bool) error {
	v := r.values()
	v.Set("autorenew", strconv.FormatBool(on))
	return c.call(ctx, "ltr_autorenew", v, read, 0, nil)
}

// ReportRental reports a rented number that does not work (ltr_report).
func (c *Client) ReportRental(ctx context.Context, r RentalRef) error {
	return c.call(ctx, "ltr_report", r.values(), once, 0, nil)
}

// ReportStatus returns the state of a report: "pending", "replaced with
// <mdn>", "refunded <amount>" or "declined: <reason>".
func (c *Client) ReportStatus(ctx context.Context, r RentalRef) (string, error) {
	var s string
	return s, c.call(ctx, "ltr_reported_status", r.values(), read, 0, &s)
}

// SwitchService changes the service of an Unknown or Unlimited rental.
func (c *Client) SwitchService(ctx context.Context, r RentalRef, newService string) error {
	v := r.values()
	v.Set("new_service", newService)
	return c.call(ctx, "ltr_switch_service", v, once, 0, nil)
}

// Forward forwards the number's voice calls to destination ("" stops).
func (c *Client) Forward(ctx context.Context, r RentalRef, destination string) error {
	v := r.values()
	v.Set("destination", destination)
	return c.call(ctx, "ltr_forward", v, read, 0, nil)
}
