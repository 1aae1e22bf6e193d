package api

import (
	"errors"
	"fmt"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/idempotency"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// apiError is an error whose text is shown to the client as is.
type apiError struct{ text string }

func (e *apiError) Error() string { return e.text }

func errorf(format string, args ...any) error { return &apiError{fmt.Sprintf(format, args...)} }

// Texts of the reference and SPEC, used by more than one command.
const (
	textNoNumbers     = "No numbers available, retry later"
	textMDNNotAvail   = "The MDN is not available"
	textInvalidID     = "Invalid request ID"
	textNoMessages    = "No messages"
	textUnauthorized  = "Invalid user name or API key"
	textSuspended     = "Account suspended"
	textTooMany       = "Too many open requests"
	textRejected      = "MDN has been rejected"
	textRejectHasMsgs = "Unable to reject an MDN that already received a message"
	textInternal      = "Internal error, please retry later"
	// textUnavailable answers every call the database could not serve:
	// down, restarting, unreachable, or out of disk space.
	textUnavailable = "Service temporarily unavailable, please retry later"
)

// errorText turns an error from a command into the envelope's text. It is the
// one place where domain errors meet API wording; anything unknown is an
// internal error whose details go to the log, not to the client.
func errorText(err error) (text string, internal bool) {
	var ae *apiError
	var funds *account.InsufficientFundsError
	var closed *request.ClosedError
	switch {
	case errors.As(err, &ae):
		return ae.text, false
	case errors.As(err, &funds):
		return "Insufficient funds. Your balance is $" + centsText(funds.BalanceCents), false
	case errors.Is(err, account.ErrUnauthorized):
		return textUnauthorized, false
	case errors.Is(err, account.ErrSuspended):
		return textSuspended, false
	case errors.Is(err, inventory.ErrNoneAvailable):
		return textNoNumbers, false
	case errors.Is(err, inventory.ErrMDNUnavailable):
		return textMDNNotAvail, false
	case errors.Is(err, request.ErrNotFound):
		return textInvalidID, false
	case errors.Is(err, request.ErrTooManyOpen):
		return textTooMany, false
	case errors.Is(err, request.ErrHasMessages):
		return textRejectHasMsgs, false
	case errors.As(err, &closed):
		// Every refusal starts "Unable to reject an MDN": clients match it.
		return "Unable to reject an MDN with status " + closed.Status, false
	case errors.Is(err, catalog.ErrUnknownService):
		return "Invalid service name", false
	case errors.Is(db.Classify(err), db.ErrUnavailable):
		// Logged (internal) so the operator sees the cause; the client
		// learns only that retrying later helps.
		return textUnavailable, true
	}
	for target, text := range domainErrors {
		if errors.Is(err, target) {
			return text, false
		}
	}
	return textInternal, true
}

// domainErrors are the texts of the rental and send_sms errors.
var domainErrors = map[error]string{
	rental.ErrNotFound:         "Invalid rental ID",
	rental.ErrNoRental:         "No rental for this MDN and service",
	rental.ErrEnded:            "Rental has ended",
	rental.ErrDuration:         "Duration must be 3 or 30",
	rental.ErrNoShortRental:    "3-day rentals are not available for this service",
	rental.ErrNotShort:         "This MDN does not support 3-day rentals",
	rental.ErrAwaiting:         "Rental is awaiting an MDN",
	rental.ErrReserveUnlimited: "Reservations are only available for the Unlimited service",
	rental.ErrAlreadyReported:  "Already reported",
	rental.ErrNoReport:         "No report for this MDN",
	rental.ErrNotSwitchable:    "Only rentals of the Unknown or Unlimited service can switch service",
	rental.ErrNotFresh:         "The MDN is not available for this service",
	rental.ErrForwarding:       "Call forwarding is not supported for this MDN",

	message.ErrNotHolder:     "The MDN is not held by you",
	message.ErrNoRecentSMS:   "No incoming messages within past 30 minutes",
	message.ErrOffline:       "MDN is offline",
	message.ErrTooLong:       "Message too long",
	message.ErrEmptyText:     "Missing parameter: sms",
	message.ErrNotAccepted:   "Message was not accepted for delivery",
	message.ErrCannotSend:    "Sending SMS is not supported for this MDN",
	message.ErrBadRecipient:  "Invalid to: must be a phone number or short code",
	message.ErrRequestClosed: "Invalid request ID",

	proxy.ErrNoPort:          "Invalid port",
	proxy.ErrMinDuration:     "Minimum duration is 60 minutes",
	proxy.ErrDurationTooLong: "Invalid duration: at most 129600 minutes (90 days)",
	proxy.ErrNotExclusive:    "Unable to rent the port exclusively",
	proxy.ErrPortFull:        "The port is not available",
	proxy.ErrNoPorts:         "No ports available, retry later",
	proxy.ErrAlreadyRenting:  "You already rent this port",
	proxy.ErrNotFound:        "Invalid proxy rental ID",
	proxy.ErrEnded:           "Proxy rental has ended",
	proxy.ErrNoExclusive:     "No exclusive port rental",
	proxy.ErrNoRedial:        "This port cannot be redialled",
	proxy.ErrSamePort:        "The rental is already on this port",
	proxy.ErrServiceRequired: "Missing parameter: service",
	proxy.ErrServiceTooLong:  "Invalid service: at most 64 characters, no commas",

	idempotency.ErrReused:   "Idempotency key reused with other parameters",
	idempotency.ErrInFlight: "Idempotency key in use by a call still in progress, retry later",
}
