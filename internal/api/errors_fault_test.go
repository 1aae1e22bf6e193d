package api

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"mdnhub/internal/db"
	"mdnhub/internal/refusal"
	"mdnhub/internal/request"
)

// A database fault reads as one clear text to the client, and is logged
// (internal) for the operator; other failures stay what they were.
func TestErrorTextDatabaseFaults(t *testing.T) {
	const unavailable = "Service temporarily unavailable, please retry later"
	for _, c := range []struct {
		name     string
		err      error
		text     string
		internal bool
	}{
		{"admin shutdown", &pgconn.PgError{Severity: "FATAL", Code: "57P01"}, unavailable, true},
		{"starting up", fmt.Errorf("balance: %w", &pgconn.PgError{Severity: "FATAL", Code: "57P03"}), unavailable, true},
		{"connection lost", io.ErrUnexpectedEOF, unavailable, true},
		{"classified by Tx", &db.FaultError{Kind: db.ErrUnavailable, Err: errors.New("dial tcp: connection refused")}, unavailable, true},
		{"disk full", &db.FaultError{Kind: db.ErrFull, Err: errors.New("database or disk is full (13)")}, unavailable, true},
		{"domain error wins", fmt.Errorf("%w", request.ErrTooManyOpen), refusal.TooMany, false},
		{"unknown failure", errors.New("boom"), textInternal, true},
		{"constraint", &pgconn.PgError{Code: "23505"}, textInternal, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			text, internal := errorText(c.err)
			if text != c.text || internal != c.internal {
				t.Errorf("errorText(%v) = %q, %v; want %q, %v", c.err, text, internal, c.text, c.internal)
			}
		})
	}
}
