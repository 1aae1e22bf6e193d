package refusal

import (
	"errors"
	"fmt"
	"testing"

	"mdnhub/internal/account"
	"mdnhub/internal/request"
)

// A refusal is found through wrapping, carries its details where the
// documentation words them, and anything else is not a refusal.
func TestText(t *testing.T) {
	for _, c := range []struct {
		err  error
		text string
		ok   bool
	}{
		{fmt.Errorf("reject: %w", request.ErrTooManyOpen), TooMany, true},
		{&account.InsufficientFundsError{BalanceCents: 125}, "Insufficient funds. Your balance is $1.25", true},
		{fmt.Errorf("x: %w", &request.ClosedError{Status: "Completed"}), "Unable to reject an MDN with status Completed", true},
		{errors.New("disk on fire"), "", false},
	} {
		text, ok := Text(c.err)
		if text != c.text || ok != c.ok {
			t.Errorf("Text(%v) = %q, %v; want %q, %v", c.err, text, ok, c.text, c.ok)
		}
	}
}
