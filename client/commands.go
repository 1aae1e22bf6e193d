package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RequestParams are the parameters of request.
type RequestParams struct {
	// Service is one service name; Services several (up to 5) that share
	// one number. Give one or the other.
	Service  string
	Services []string
	MDN      string // a specific number
	AreaCode string // 3 digits; wins over State
	State    string // 2-letter US state
	// Markup (10..2000 %) places a premium bid when no number is free.
	Markup int
	// IdempotencyKey identifies this change; the SDK generates one when
	// empty. Reuse it only to retry the same call.
	IdempotencyKey string
}

// Request gets a number for a one-time verification: one entry per
// service, each charged. Refusals: ErrNoNumbers, ErrInsufficientFunds,
// ErrTooManyOpen, ErrMDNNotAvailable, ErrInvalidService...
func (c *Client) Request(ctx context.Context, p RequestParams) ([]Request, error) {
	v := url.Values{}
	services := p.Service
	if len(p.Services) > 0 {
		services = strings.Join(p.Services, ",")
	}
	set(v, "service", services)
	set(v, "mdn", p.MDN)
	set(v, "areacode", p.AreaCode)
	set(v, "state", p.State)
	if p.Markup != 0 {
		v.Set("markup", strconv.Itoa(p.Markup))
	}
	v.Set("idempotency_key", keyOr(p.IdempotencyKey))
	var out []Request
	return out, c.call(ctx, "request", v, keyed, 0, &out)
}

// RequestStatus returns a one-time request (Price is not part of this
// answer). It reads the answer as an array or as one object, whichever the
// account's setting gives.
func (c *Client) RequestStatus(ctx context.Context, id string) (Request, error) {
	var raw json.RawMessage
	if err := c.call(ctx, "request_status", url.Values{"id": {id}}, read, 0, &raw); err != nil {
		return Request{}, err
	}
	rs, err := oneOrMany[Request](raw)
	if err != nil {
		return Request{}, fmt.Errorf("mdnhub request_status: %w", err)
	}
	return rs[0], nil
}

// Reject rejects a reserved number (refunded; never offered to you again)
// or cancels a premium bid. Refusals: ErrRejectRefused, ErrInvalidRequestID.
func (c *Client) Reject(ctx context.Context, id string) error {
	return c.call(ctx, "reject", url.Values{"id": {id}}, once, 0, nil)
}

// ReadSMSParams filter read_sms. None: all of the account's messages.
type ReadSMSParams struct {
	ID      string // one request; MDN and Service are then ignored
	LTRID   int64  // one rental
	MDN     string
	Service string
	Limit   int           // 1..100 (default 3)
	Since   time.Time     // messages at or after this time (default: the past 2 days)
	Wait    time.Duration // long-poll up to this long (1..60 s) for a first message
}

// ReadSMS reads received messages, newest first. Nothing: ErrNoMessages.
func (c *Client) ReadSMS(ctx context.Context, p ReadSMSParams) ([]Message, error) {
	v := url.Values{}
	set(v, "id", p.ID)
	if p.LTRID != 0 {
		v.Set("ltr_id", strconv.FormatInt(p.LTRID, 10))
	}
	set(v, "mdn", p.MDN)
	set(v, "service", p.Service)
	if p.Limit > 0 {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	if !p.Since.IsZero() {
		v.Set("since", strconv.FormatInt(p.Since.Unix(), 10))
	}
	var wait time.Duration
	if p.Wait > 0 {
		s := max(1, min(60, int((p.Wait+time.Second-1)/time.Second)))
		wait = time.Duration(s) * time.Second
		v.Set("wait", strconv.Itoa(s))
	}
	var out []Message
	return out, c.call(ctx, "read_sms", v, read, wait, &out)
}

// SendSMSParams are the parameters of send_sms.
type SendSMSParams struct {
	MDN  string // the number to send from, or:
	ID   string // an open request standing for its number
	To   string // default: the most recent sender to the number (30 min)
	Text string // 1..160 characters
	// IdempotencyKey identifies this message; generated when empty.
	IdempotencyKey string
}

// SendSMS replies from a number you hold; 0.10 is charged when the gateway
// accepts it. Refusals: ErrNoRecentSMS, ErrOffline, ...
func (c *Client) SendSMS(ctx context.Context, p SendSMSParams) error {
	v := url.Values{}
	set(v, "mdn", p.MDN)
	set(v, "id", p.ID)
	set(v, "to", p.To)
	v.Set("sms", p.Text)
	v.Set("idempotency_key", keyOr(p.IdempotencyKey))
	return c.call(ctx, "send_sms", v, keyed, 0, nil)
}

// ListServices lists every service, or the ones named.
func (c *Client) ListServices(ctx context.Context, names ...string) ([]Service, error) {
	v := url.Values{}
	if len(names) > 0 {
		v.Set("service", strings.Join(names, ","))
	}
	var out []Service
	return out, c.call(ctx, "list_services", v, read, 0, &out)
}

// Balance returns the prepaid balance.
func (c *Client) Balance(ctx context.Context) (Money, error) {
	var m Money
	return m, c.call(ctx, "balance", nil, read, 0, &m)
}

func set(v url.Values, k, val string) {
	if val != "" {
		v.Set(k, val)
	}
}

func keyOr(k string) string {
	if k == "" {
		return NewIdempotencyKey()
	}
	return k
}
