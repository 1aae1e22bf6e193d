package request

import (
	"context"
	"database/sql"
	"errors"
)

// ErrNoMessage is returned for a change that needs a request that has
// received a message (asking for another code, finishing it early).
var ErrNoMessage = errors.New("the request has received no message")

// Retry is a customer's ask for another code on a request that has already
// received one: the request's messages after Messages are the new ones.
type Retry struct {
	Messages int64 // the request's message count when it was asked
	AskedAt  int64
}

// AskAnother records that the user waits for another code on an open
// request that has received a message; asking again moves the mark to the
// present. Nothing is charged: later messages on a request are free, and
// they keep arriving until the request's time is up. Errors: ErrNotFound
// (unknown or another user's), ErrNoMessage (nothing received yet), and
// *ClosedError once the request has ended.
func (s *Service) AskAnother(ctx context.Context, userID, id int64) (Retry, error) {
	var out Retry
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.lockRequest(ctx, tx, `r.id = $1 AND r.user_id = $2`, id, userID)
		switch {
		case err != nil:
			return err
		case !r.Open():
			return &ClosedError{Status: r.Status}
		case r.Messages == 0:
			return ErrNoMessage
		}
		out = Retry{Messages: r.Messages, AskedAt: s.clock.Now().Unix()}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO request_retries (request_id, messages, asked_at) VALUES ($1, $2, $3)
			 ON CONFLICT (request_id) DO UPDATE SET messages = excluded.messages, asked_at = excluded.asked_at`,
			r.ID, out.Messages, out.AskedAt)
		return err
	})
	return out, err
}

// LastRetry returns the latest ask for another code on a request; ok is
// false when there was none.
func (s *Service) LastRetry(ctx context.Context, id int64) (r Retry, ok bool, err error) {
	err = s.db.R.QueryRowContext(ctx, `SELECT messages, asked_at FROM request_retries WHERE request_id = $1`, id).
		Scan(&r.Messages, &r.AskedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Retry{}, false, nil
	}
	return r, err == nil, err
}

// Finish ends, at the user's word, a request that has received its message
// before its time is up: it stays Completed and charged, and its number
// returns to the pool now (unless another open request of its group still
// holds it) instead of at its expiry. Finishing a request that already ended
// Completed changes nothing. Errors: ErrNotFound, ErrNoMessage (reserved or
// bidding, nothing received: reject it instead), *ClosedError for a request
// that ended otherwise (Rejected, Timed Out).
func (s *Service) Finish(ctx context.Context, userID, id int64) (Request, error) {
	var out Request
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.lockRequest(ctx, tx, `r.id = $1 AND r.user_id = $2`, id, userID)
		if err != nil {
			return err
		}
		out = r
		switch {
		case r.Status == StatusCompleted && !r.Open():
			return nil
		case !r.Open():
			return &ClosedError{Status: r.Status}
		case r.Messages == 0:
			return ErrNoMessage
		}
		now := s.clock.Now().Unix()
		out.ClosedAt = now
		return s.close(ctx, tx, r, r.Status, now)
	})
	return out, err
}
