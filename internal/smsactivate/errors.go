package smsactivate

import (
	"errors"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/ratelimit"
	"mdnhub/internal/request"
)

// The protocol's answers, exactly as its clients match them.
const (
	textBadAction    = "BAD_ACTION"
	textBadKey       = "BAD_KEY"
	textBadService   = "BAD_SERVICE"
	textBadStatus    = "BAD_STATUS"
	textBadCountry   = "BAD_COUNTRY"
	textBadForward   = "BAD_FORWARD"
	textNoNumbers    = "NO_NUMBERS"
	textNoBalance    = "NO_BALANCE"
	textNoActivation = "NO_ACTIVATION"
	textErrorSQL     = "ERROR_SQL"
	// textWrongMaxPrice is followed by ":" and the lowest price the
	// service sells at.
	textWrongMaxPrice = "WRONG_MAX_PRICE"

	textAccessBalance    = "ACCESS_BALANCE"
	textAccessNumber     = "ACCESS_NUMBER"
	textAccessReady      = "ACCESS_READY"
	textAccessRetryGet   = "ACCESS_RETRY_GET"
	textAccessActivation = "ACCESS_ACTIVATION"
	textAccessCancel     = "ACCESS_CANCEL"

	textStatusWaitCode  = "STATUS_WAIT_CODE"
	textStatusWaitRetry = "STATUS_WAIT_RETRY"
	textStatusOK        = "STATUS_OK"
	textStatusCancel    = "STATUS_CANCEL"

	// textNoActivations is getActiveActivations' error, inside its JSON.
	textNoActivations = "NO_ACTIVATIONS"
)

// protoError is an answer of the protocol decided by the adapter itself (a
// missing or malformed parameter).
type protoError struct{ text string }

func (e *protoError) Error() string { return e.text }

func refuse(text string) error { return &protoError{text} }

// errorText turns an error into the protocol's answer. It is the one place
// where domain errors meet the protocol's words; anything else is an
// internal failure, answered ERROR_SQL as the protocol does, its details
// logged.
func errorText(err error) (text string, internal bool) {
	var pe *protoError
	var funds *account.InsufficientFundsError
	var closed *request.ClosedError
	var limited *ratelimit.Limited
	switch {
	case errors.As(err, &pe):
		return pe.text, false
	case errors.As(err, &limited) && limited.Blocked:
		// An address over its budget of failed authentications: refused
		// as a wrong key is, whatever key it sent, so that guessing
		// learns nothing (nothing was looked up).
		return textBadKey, false
	case errors.As(err, &limited):
		// An account over its calls per second. The protocol has no word
		// for it that clients know; ERROR_SQL is the server's "not now",
		// in every client's list of errors, and retrying later is what
		// helps (docs/sms-activate.md says why).
		return textErrorSQL, false
	case errors.Is(err, account.ErrUnauthorized), errors.Is(err, account.ErrSuspended):
		// The protocol's BANNED carries the end of a ban; a suspension
		// has none, and the key does not work: BAD_KEY.
		return textBadKey, false
	case errors.As(err, &funds):
		return textNoBalance, false
	case errors.Is(err, inventory.ErrNoneAvailable), errors.Is(err, inventory.ErrMDNUnavailable):
		return textNoNumbers, false
	case errors.Is(err, request.ErrTooManyOpen):
		// The cap of open requests: the protocol has no word every
		// client knows for it, and NO_NUMBERS makes them retry later,
		// which is what helps.
		return textNoNumbers, false
	case errors.Is(err, catalog.ErrUnknownCode):
		return textBadService, false
	case errors.Is(err, request.ErrNotFound):
		return textNoActivation, false
	case errors.Is(err, request.ErrNoMessage), errors.Is(err, request.ErrHasMessages), errors.As(err, &closed):
		// A status the activation cannot take now: another code or
		// completion before any code, a cancel after one, anything
		// after the end.
		return textBadStatus, false
	}
	return textErrorSQL, true
}
