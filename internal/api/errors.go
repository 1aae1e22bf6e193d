package api

import (
	"errors"
	"fmt"

	"mdnhub/internal/db"
	"mdnhub/internal/refusal"
)

// apiError is an error whose text is shown to the client as is.
type apiError struct{ text string }

func (e *apiError) Error() string { return e.text }

func errorf(format string, args ...any) error { return &apiError{fmt.Sprintf(format, args...)} }

// Texts of the reference and SPEC that only the API's own checks use; the
// domain's refusals are worded by package refusal.
const (
	textInvalidID  = refusal.InvalidID
	textNoMessages = "No messages"
	textRejected   = "MDN has been rejected"
	textInternal   = "Internal error, please retry later"
	// textUnavailable answers every call the database could not serve:
	// down, restarting, unreachable, or out of disk space.
	textUnavailable = "Service temporarily unavailable, please retry later"
)

// errorText turns an error from a command into the envelope's text. It is the
// one place where the API's answers meet errors; anything unknown is an
// internal error whose details go to the log, not to the client.
func errorText(err error) (text string, internal bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.text, false
	}
	if text, ok := refusal.Text(err); ok {
		return text, false
	}
	if errors.Is(db.Classify(err), db.ErrUnavailable) {
		// Logged (internal) so the operator sees the cause; the client
		// learns only that retrying later helps.
		return textUnavailable, true
	}
	return textInternal, true
}
