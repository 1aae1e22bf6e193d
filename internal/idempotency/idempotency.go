// Package idempotency makes a change of money or numbers safe to retry. A
// call that carries an idempotency key stores its answer in the transaction
// of the change it answers; a retry with the same key by the same account
// gets that answer back, and nothing changes a second time. A crash can
// never leave a charge without its stored answer or an answer without its
// charge, because both commit together or not at all.
//
// One mechanism serves every keyed command: the domain function that makes
// the change runs it through Run inside its own transaction (or, for a
// change that spans two transactions, Begin and Pending in the first and
// Finish or Abandon in the second), and the caller's Render turns the
// domain's result into the answer it stores. The answer is stored sealed
// under a key derived from the caller's credential (seal.go), so that only
// a retry presenting it reads the answer back.
package idempotency

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mdnhub/internal/clock"
	"mdnhub/internal/db"
)

// TTL is how long an answer is kept: a retry later than this is a new call.
const TTL = 24 * time.Hour

// MaxKeyLen is the longest key accepted.
const MaxKeyLen = 64

// Refusals of a keyed call. Neither changes anything.
var (
	// ErrReused is a key already used by this account for another command
	// or other parameters.
	ErrReused = errors.New("idempotency key reused with other parameters")
	// ErrInFlight is a key whose first call is still under way (send_sms
	// waiting for its gateway); the retry may be made again shortly.
	ErrInFlight = errors.New("idempotency key in use by a call still in progress")
	// ErrSealed is a key that holds an answer this call cannot open: the
	// first call presented another credential (the API key was changed
	// since). Its change was made; running the call again would make it a
	// second time, so the retry is refused instead.
	ErrSealed = errors.New("idempotency key answered under another credential")
)

// ValidKey reports whether k is 1 to MaxKeyLen printable ASCII characters.
func ValidKey(k string) bool {
	if len(k) == 0 || len(k) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// Replay is what a keyed change returns, having changed nothing, when its
// key already holds an answer for the same command and parameters: Answer
// is that answer, to be given again as it was.
type Replay struct{ Answer []byte }

func (r *Replay) Error() string { return "idempotency key already answered" }

// Call is one call made with a key; T is the result of the domain change it
// runs. A nil *Call is a call without a key: every method then does nothing,
// so a domain function takes an optional *Call and calls it unconditionally.
type Call[T any] struct {
	UserID int64
	Key    string
	// Command is the canonical command name (aliases resolved).
	Command string
	// Fingerprint identifies the call's parameters: a retry must carry the
	// same.
	Fingerprint string
	// Now is the time of the call (unix seconds), the key's creation time.
	Now int64
	// Secret is the caller's credential exactly as presented with the call
	// (the API key). The answer is stored sealed under a key derived from
	// it, and the database holds the credential only hashed, so a copy of
	// the database does not reveal the answer; a retry presenting another
	// credential gets ErrSealed.
	Secret string
	// Render turns the change's result into the answer to store. It runs
	// inside the change's transaction; an error rolls the change back.
	Render func(T) ([]byte, error)

	// Answer is the stored answer once Finish has run: what the first call
	// answers, so that it and every retry give the same bytes.
	Answer []byte
}

// Run runs change inside tx as the call c: it claims the key first (a key
// already answered returns *Replay and change does not run), then stores
// the rendered answer of change's result in the same transaction. With c
// nil it only runs change.
func Run[T any](ctx context.Context, tx *sql.Tx, c *Call[T], change func() (T, error)) (T, error) {
	var zero T
	if err := c.Begin(ctx, tx); err != nil {
		return zero, err
	}
	v, err := change()
	if err != nil {
		return v, err
	}
	if err := c.Finish(ctx, tx, v); err != nil {
		return zero, err
	}
	return v, nil
}

// Begin claims the key inside tx, before the change. It returns *Replay
// when the key holds an answer for the same command and parameters,
// ErrReused when it was used otherwise, and ErrInFlight when its first call
// has not finished, and ErrSealed when it holds an answer that c's Secret
// does not open. A concurrent first call with the same key is waited for
// (PostgreSQL holds the second insert until the first transaction ends;
// SQLite's write transactions are serial), so two retries never both change.
func (c *Call[T]) Begin(ctx context.Context, tx *sql.Tx) error {
	if c == nil {
		return nil
	}
	if c.Secret == "" {
		return errNoSecret
	}
	// A key older than the TTL is free again, whether or not the purge has
	// run yet.
	if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2 AND created_at <= $3`,
		c.UserID, c.Key, c.Now-int64(TTL/time.Second)); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, command, fingerprint, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, idem_key) DO NOTHING`,
		c.UserID, c.Key, c.Command, c.Fingerprint, c.Now)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var command, fingerprint string
	var sealed sql.Null[[]byte]
	err = tx.QueryRowContext(ctx, `SELECT command, fingerprint, sealed_answer FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2`,
		c.UserID, c.Key).Scan(&command, &fingerprint, &sealed)
	if err != nil {
		return fmt.Errorf("idempotency key taken but not found: %w", err)
	}
	switch {
	case command != c.Command || fingerprint != c.Fingerprint:
		return ErrReused
	case !sealed.Valid:
		return ErrInFlight
	}
	answer, err := c.open(sealed.V)
	if err != nil {
		return err
	}
	return &Replay{Answer: answer}
}

// Pending marks the claimed key as waiting for a second transaction to
// settle the change: ref names what settles it (unique among pending
// changes, such as "outbound:42"), for Abandon. Until then a retry gets
// ErrInFlight.
func (c *Call[T]) Pending(ctx context.Context, tx *sql.Tx, ref string) error {
	if c == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET pending_ref = $1 WHERE user_id = $2 AND idem_key = $3`,
		ref, c.UserID, c.Key)
	return err
}

// Finish renders v and stores it, sealed, as the key's answer inside tx,
// the transaction that makes (or completes) the change; c.Answer keeps it
// in the clear for the first call's own answer.
func (c *Call[T]) Finish(ctx context.Context, tx *sql.Tx, v T) error {
	if c == nil {
		return nil
	}
	answer, err := c.Render(v)
	if err != nil {
		return fmt.Errorf("render the answer: %w", err)
	}
	sealed, err := c.seal(answer)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET sealed_answer = $1, pending_ref = NULL
		WHERE user_id = $2 AND idem_key = $3 AND sealed_answer IS NULL`, sealed, c.UserID, c.Key)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("idempotency key %q of user %d not claimed (%d rows, %v)", c.Key, c.UserID, n, err)
	}
	c.Answer = answer
	return nil
}

// Abandon frees the key of a pending change that was undone (refunded)
// inside tx, so that a retry makes the change afresh. Nothing is pending
// under ref: nothing happens.
func Abandon(ctx context.Context, tx *sql.Tx, ref string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE pending_ref = $1 AND sealed_answer IS NULL`, ref)
	return err
}

// Keys keeps the table of keys short.
type Keys struct {
	db    *db.DB
	clock clock.Clock
}

// NewKeys returns the keys' housekeeping on d.
func NewKeys(d *db.DB, c clock.Clock) *Keys { return &Keys{db: d, clock: c} }

// Purge deletes the keys older than TTL and returns how many it deleted. A
// periodic job runs it; an old key is free again even before it runs.
func (k *Keys) Purge(ctx context.Context) (int64, error) {
	var n int64
	err := k.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at <= $1`,
			k.clock.Now().Add(-TTL).Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
