// Package refusal holds the words of the API documentation for every refusal
// of the domain: the one place where a domain error becomes the text a
// customer reads, whether the customer called api_command.php or clicked
// through the web site.
package refusal

import (
	"errors"
	"slices"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/idempotency"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/money"
	"mdnhub/internal/proxy"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// Texts of the documentation used by more than one command.
const (
	NoNumbers     = "No numbers available, retry later"
	MDNNotAvail   = "The MDN is not available"
	InvalidID     = "Invalid request ID"
	Unauthorized  = "Invalid user name or API key"
	Suspended     = "Account suspended"
	TooMany       = "Too many open requests"
	RejectHasMsgs = "Unable to reject an MDN that already received a message"
)

// Text is the documentation's text for err, a refusal of the domain; ok is
// false when err is not one (a fault, or an error of a transport).
func Text(err error) (text string, ok bool) {
	var funds *account.InsufficientFundsError
	var closed *request.ClosedError
	switch {
	case errors.As(err, &funds):
		return "Insufficient funds. Your balance is $" + money.Text(funds.BalanceCents), true
	case errors.As(err, &closed):
		// Every refusal of a reject starts "Unable to reject an MDN":
		// clients match it.
		return "Unable to reject an MDN with status " + closed.Status, true
	}
	for target, text := range texts {
		if errors.Is(err, target) {
			return text, true
		}
	}
	return "", false
}

// texts are the refusals whose text does not depend on their details.
var texts = map[error]string{
	account.ErrUnauthorized:     Unauthorized,
	account.ErrSuspended:        Suspended,
	inventory.ErrNoneAvailable:  NoNumbers,
	inventory.ErrMDNUnavailable: MDNNotAvail,
	request.ErrNotFound:         InvalidID,
	request.ErrTooManyOpen:      TooMany,
	request.ErrHasMessages:      RejectHasMsgs,
	catalog.ErrUnknownService:   "Invalid service name",

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
	message.ErrRequestClosed: InvalidID,

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
	idempotency.ErrSealed:   "Idempotency key already answered; the answer cannot be opened with this API key",
}

// Texts lists every text Text can give, those that carry details with an
// example of them, so that a description of the API (openapi.json) can be
// checked to name them all.
func Texts() []string {
	out := []string{
		must(Text(&account.InsufficientFundsError{BalanceCents: 125})),
		must(Text(&request.ClosedError{Status: "Completed"})),
	}
	for _, text := range texts {
		if !slices.Contains(out, text) {
			out = append(out, text)
		}
	}
	slices.Sort(out)
	return out
}

func must(text string, ok bool) string {
	if !ok {
		panic("refusal: an example is not a refusal")
	}
	return text
}
