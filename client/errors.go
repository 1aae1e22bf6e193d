package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// APIError is a refusal by the server: the envelope's status was "error".
// Message is the server's text, exactly; errors.Is matches it against the
// sentinels below (errors.Is(err, client.ErrNoNumbers)).
type APIError struct {
	Message    string
	HTTPStatus int           // 200, or 429 when rate-limited
	RetryAfter time.Duration // the server's Retry-After, when given
}

func (e *APIError) Error() string { return "mdnhub: " + e.Message }

// Is matches the sentinel errors of this package.
func (e *APIError) Is(target error) bool {
	if target == ErrRateLimited {
		return e.HTTPStatus == http.StatusTooManyRequests
	}
	for _, m := range matchers {
		if m.err == target {
			return m.match(e.Message)
		}
	}
	return false
}

// Balance returns the balance an "Insufficient funds" refusal states.
func (e *APIError) Balance() (Money, bool) {
	const prefix = "Insufficient funds. Your balance is $"
	rest, ok := strings.CutPrefix(e.Message, prefix)
	if !ok {
		return 0, false
	}
	m, err := ParseMoney(rest)
	return m, err == nil
}

// Sentinels for the common refusals, for errors.Is. The *APIError keeps the
// server's exact text.
var (
	ErrNoNumbers         = errors.New("no numbers available")                // No numbers available, retry later
	ErrMDNNotAvailable   = errors.New("the MDN is not available")            // The MDN is not available
	ErrInsufficientFunds = errors.New("insufficient funds")                  // Insufficient funds. Your balance is $X.XX
	ErrTooManyOpen       = errors.New("too many open requests")              // Too many open requests
	ErrUnauthorized      = errors.New("invalid user name or API key")        // Invalid user name or API key
	ErrSuspended         = errors.New("account suspended")                   // Account suspended
	ErrNoMessages        = errors.New("no messages")                         // No messages
	ErrInvalidRequestID  = errors.New("invalid request ID")                  // Invalid request ID
	ErrRejectRefused     = errors.New("unable to reject")                    // Unable to reject an MDN ...
	ErrInvalidService    = errors.New("invalid service name")                // Invalid service name X
	ErrMissingParameter  = errors.New("missing parameter")                   // Missing parameter: X
	ErrNoRental          = errors.New("no rental for this MDN and service")  // No rental for this MDN and service
	ErrInvalidRentalID   = errors.New("invalid rental ID")                   // Invalid rental ID
	ErrRentalEnded       = errors.New("rental has ended")                    // Rental has ended
	ErrNoRecentSMS       = errors.New("no incoming messages within 30 min")  // No incoming messages within past 30 minutes
	ErrOffline           = errors.New("MDN is offline")                      // MDN is offline
	ErrKeyReused         = errors.New("idempotency key reused")              // Idempotency key reused with other parameters
	ErrKeyInFlight       = errors.New("idempotency key in use")              // Idempotency key in use by a call still in progress, retry later
	ErrUnavailable       = errors.New("service temporarily unavailable")     // Service temporarily unavailable / Internal error, please retry later
	ErrRateLimited       = errors.New("rate limited")                        // HTTP 429 Too many requests, retry later
	ErrUnknownCommand    = errors.New("unknown command")                     // Unknown command X
	ErrNoPorts           = errors.New("no proxy ports available")            // No ports available, retry later
	ErrNotExclusive      = errors.New("unable to rent the port exclusively") // Unable to rent the port exclusively
)

type matcher struct {
	err   error
	match func(string) bool
}

func exact(s string) func(string) bool { return func(m string) bool { return m == s } }
func prefix(s string) func(string) bool {
	return func(m string) bool { return strings.HasPrefix(m, s) }
}

var matchers = []matcher{
	{ErrNoNumbers, exact("No numbers available, retry later")},
	{ErrMDNNotAvailable, exact("The MDN is not available")},
	{ErrInsufficientFunds, prefix("Insufficient funds.")},
	{ErrTooManyOpen, exact("Too many open requests")},
	{ErrUnauthorized, exact("Invalid user name or API key")},
	{ErrSuspended, exact("Account suspended")},
	{ErrNoMessages, exact("No messages")},
	{ErrInvalidRequestID, exact("Invalid request ID")},
	{ErrRejectRefused, prefix("Unable to reject an MDN")},
	{ErrInvalidService, prefix("Invalid service name ")},
	{ErrMissingParameter, prefix("Missing parameter: ")},
	{ErrNoRental, exact("No rental for this MDN and service")},
	{ErrInvalidRentalID, exact("Invalid rental ID")},
	{ErrRentalEnded, exact("Rental has ended")},
	{ErrNoRecentSMS, exact("No incoming messages within past 30 minutes")},
	{ErrOffline, exact("MDN is offline")},
	{ErrKeyReused, exact("Idempotency key reused with other parameters")},
	{ErrKeyInFlight, prefix("Idempotency key in use")},
	{ErrUnavailable, func(m string) bool {
		return m == "Service temporarily unavailable, please retry later" || m == "Internal error, please retry later"
	}},
	{ErrUnknownCommand, prefix("Unknown command")},
	{ErrNoPorts, exact("No ports available, retry later")},
	{ErrNotExclusive, exact("Unable to rent the port exclusively")},
}

// TransportError is a call that got no API answer: the network failed, or
// something other than the API answered (a proxy's error page).
type TransportError struct {
	Status int // the HTTP status when there was an answer, else 0
	Err    error
}

func (e *TransportError) Error() string { return "mdnhub: " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// ErrRequestEnded is what the wait helpers return when the request ended
// (Rejected or Timed Out) before what they waited for; the error is a
// *RequestEndedError.
var ErrRequestEnded = errors.New("request ended")

// RequestEndedError says how a waited-for request ended.
type RequestEndedError struct {
	ID     string
	Status string // Rejected or Timed Out
}

func (e *RequestEndedError) Error() string {
	return fmt.Sprintf("mdnhub: request %s ended: %s", e.ID, e.Status)
}

// Is makes errors.Is(err, ErrRequestEnded) true.
func (e *RequestEndedError) Is(target error) bool { return target == ErrRequestEnded }
