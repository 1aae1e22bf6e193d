package client

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Callback headers that mdnhub sends with every event.
const (
	HeaderEvent     = "X-Mdnhub-Event"
	HeaderDelivery  = "X-Mdnhub-Delivery"
	HeaderTimestamp = "X-Mdnhub-Timestamp"
	HeaderSignature = "X-Mdnhub-Signature"
)

// Sign returns the X-Mdnhub-Signature value of a body: "sha256=" and the
// hex HMAC-SHA256 of the exact bytes, keyed with the callback secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether header is the signature of body with
// secret, comparing in constant time. Verify the raw body, before parsing.
func VerifySignature(secret string, body []byte, header string) bool {
	if secret == "" || header == "" {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

// Event is a decoded callback: *IncomingMessage, *RentalRenewal,
// *PremiumRequest, *TestEvent, or *UnknownEvent for an event this SDK does
// not know.
type Event interface {
	// Name is the event's name ("incoming_message", ...).
	Name() string
	// Meta is what the delivery's headers say.
	Meta() Delivery
}

// Delivery is what the headers of a callback say: the same ID on every
// attempt of one event (use it to recognise a repeated delivery).
type Delivery struct {
	ID        string
	Attempted time.Time
}

// Meta returns the delivery.
func (d Delivery) Meta() Delivery { return d }

// IncomingMessage is the incoming_message event: an SMS for a one-time
// request (RequestID) or a rental (RentalID, FirstRentalID).
type IncomingMessage struct {
	Delivery
	RequestID     string
	RentalID      int64
	FirstRentalID int64
	Timestamp     Timestamp
	DateTime      string
	From, To      string
	Service       string
	Reply         string
	PIN           string
	Price         Money
}

// Name is "incoming_message".
func (*IncomingMessage) Name() string { return "incoming_message" }

// RentalRenewal is the ltr_renewal event: OK with the new rental, or not
// (Message says why, "Low balance").
type RentalRenewal struct {
	Delivery
	OK               bool
	Message          string
	NewRentalID      int64
	PreviousRentalID int64
	MDN, Service     string
	Price            Money
	Expires          string
}

// Name is "ltr_renewal".
func (*RentalRenewal) Name() string { return "ltr_renewal" }

// PremiumRequest is the premium_request event (also sent as
// priority_request): a premium bid won a number.
type PremiumRequest struct {
	Delivery
	RequestID    string
	MDN, Service string
	Price        Money
}

// Name is "premium_request".
func (*PremiumRequest) Name() string { return "premium_request" }

// TestEvent is the test event sent from the web site's delivery log.
type TestEvent struct {
	Delivery
	Timestamp Timestamp
	DateTime  string
	Message   string
}

// Name is "test".
func (*TestEvent) Name() string { return "test" }

// UnknownEvent is an event this SDK does not know; Form has its fields.
type UnknownEvent struct {
	Delivery
	Event string
	Form  url.Values
}

// Name is the event's name.
func (e *UnknownEvent) Name() string { return e.Event }

// ParseEvent decodes a callback body (a form) into its typed event.
func ParseEvent(body []byte) (Event, error) {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("callback body: %w", err)
	}
	var perr error
	money := func(k string) Money {
		if f.Get(k) == "" {
			return 0
		}
		m, err := ParseMoney(f.Get(k))
		if err != nil && perr == nil {
			perr = fmt.Errorf("callback field %s: %w", k, err)
		}
		return m
	}
	integer := func(k string) int64 {
		if f.Get(k) == "" {
			return 0
		}
		n, err := strconv.ParseInt(f.Get(k), 10, 64)
		if err != nil && perr == nil {
			perr = fmt.Errorf("callback field %s: %w", k, err)
		}
		return n
	}
	var ev Event
	switch name := f.Get("event"); name {
	case "incoming_message":
		ev = &IncomingMessage{RequestID: f.Get("id"), RentalID: integer("ltr_id"), FirstRentalID: integer("first_ltr_id"),
			Timestamp: Timestamp(integer("timestamp")), DateTime: f.Get("date_time"), From: f.Get("from"), To: f.Get("to"),
			Service: f.Get("service"), Reply: f.Get("reply"), PIN: f.Get("pin"), Price: money("price")}
	case "ltr_renewal":
		ev = &RentalRenewal{OK: f.Get("status") == "ok", Message: f.Get("message"), NewRentalID: integer("new_ltr_id"),
			PreviousRentalID: integer("previous_ltr_id"), MDN: f.Get("mdn"), Service: f.Get("service"),
			Price: money("price"), Expires: f.Get("expires")}
	case "premium_request", "priority_request":
		ev = &PremiumRequest{RequestID: f.Get("id"), MDN: f.Get("mdn"), Service: f.Get("service"), Price: money("price")}
	case "test":
		ev = &TestEvent{Timestamp: Timestamp(integer("timestamp")), DateTime: f.Get("date_time"), Message: f.Get("message")}
	case "":
		return nil, errors.New("callback body has no event field")
	default:
		ev = &UnknownEvent{Event: name, Form: f}
	}
	return ev, perr
}

// maxCallbackBody bounds the body a CallbackHandler reads.
const maxCallbackBody = 1 << 20

// CallbackHandler returns the http.Handler of a callback URL: it takes POSTs
// only, checks the signature with secret (401 when it does not verify),
// decodes the event and calls fn with it. It answers 200 when fn returns
// nil, and 500 otherwise, so that mdnhub delivers the event again later
// (the same Delivery.ID). An event fn does not know should still return nil.
func CallbackHandler(secret string, fn func(context.Context, Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxCallbackBody+1))
		if err != nil || len(body) > maxCallbackBody {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if !VerifySignature(secret, body, r.Header.Get(HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ev, err := ParseEvent(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		d := Delivery{ID: r.Header.Get(HeaderDelivery)}
		if ts, err := strconv.ParseInt(r.Header.Get(HeaderTimestamp), 10, 64); err == nil {
			d.Attempted = time.Unix(ts, 0)
		}
		setDelivery(ev, d)
		if err := fn(r.Context(), ev); err != nil {
			http.Error(w, "not processed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "ok")
	})
}

func setDelivery(ev Event, d Delivery) {
	switch e := ev.(type) {
	case *IncomingMessage:
		e.Delivery = d
	case *RentalRenewal:
		e.Delivery = d
	case *PremiumRequest:
		e.Delivery = d
	case *TestEvent:
		e.Delivery = d
	case *UnknownEvent:
		e.Delivery = d
	}
}
