package smsactivate

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/request"
)

// errorText is the one place of the mapping: each domain refusal has its
// protocol text, through wrapping; a database fault or anything unknown is
// ERROR_SQL and internal (logged).
func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		err      error
		text     string
		internal bool
	}{
		{refuse("WRONG_MAX_PRICE:1.20"), "WRONG_MAX_PRICE:1.20", false},
		{account.ErrUnauthorized, textBadKey, false},
		{fmt.Errorf("auth: %w", account.ErrSuspended), textBadKey, false},
		{&account.InsufficientFundsError{BalanceCents: 5}, textNoBalance, false},
		{inventory.ErrNoneAvailable, textNoNumbers, false},
		{fmt.Errorf("create: %w", request.ErrTooManyOpen), textNoNumbers, false},
		{catalog.ErrUnknownCode, textBadService, false},
		{request.ErrNotFound, textNoActivation, false},
		{request.ErrNoMessage, textBadStatus, false},
		{request.ErrHasMessages, textBadStatus, false},
		{&request.ClosedError{Status: request.StatusCompleted}, textBadStatus, false},
		{&db.FaultError{Kind: db.ErrUnavailable, Err: errors.New("connection refused")}, textErrorSQL, true},
		{&pgconn.PgError{Severity: "FATAL", Code: "57P01"}, textErrorSQL, true},
		{io.ErrUnexpectedEOF, textErrorSQL, true},
		{errors.New("boom"), textErrorSQL, true},
	} {
		text, internal := errorText(c.err)
		if text != c.text || internal != c.internal {
			t.Errorf("errorText(%v) = %q, %v; want %q, %v", c.err, text, internal, c.text, c.internal)
		}
	}
}
