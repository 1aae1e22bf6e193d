package request

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"mdnhub/internal/account"
)

// Reject ends a reserved request without messages, or cancels a bid, at the
// user's wish: refunded, and the number never offered to this user again.
func (s *Service) Reject(ctx context.Context, userID, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.lockRequest(ctx, tx, `r.id = $1 AND r.user_id = $2`, id, userID)
		if err != nil {
			return err
		}
		switch {
		case r.Messages > 0:
			return ErrHasMessages
		case !r.Open() || (r.Status != StatusReserved && r.Status != StatusAwaiting):
			return &ClosedError{Status: r.Status}
		}
		now := s.clock.Now().Unix()
		if r.NumberID != 0 {
			if err := s.inv.Reject(ctx, tx, r.NumberID, r.UserID, now); err != nil {
				return err
			}
		}
		return s.close(ctx, tx, r, StatusRejected, now)
	})
}

// Expire ends a request whose time is up: one that received nothing becomes
// Timed Out and is refunded; a completed one keeps its status and charge. Its
// number returns to the pool either way. scheduledFor is the expiry time the
// calling job was scheduled for: a job for an older expiry time (a bid that
// has since won a number and got a new lifetime) does nothing. Expire returns
// ErrNotDue, changing nothing, when called before the expiry time, and nil
// for a request already closed, so a job may safely run twice.
func (s *Service) Expire(ctx context.Context, id int64, scheduledFor time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.lockRequest(ctx, tx, `r.id = $1`, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || !r.Open() {
			return err
		}
		if !scheduledFor.IsZero() && r.ExpiresAt != scheduledFor.Unix() {
			return nil
		}
		now := s.clock.Now().Unix()
		if r.ExpiresAt > now {
			return ErrNotDue
		}
		status := r.Status
		if r.Messages == 0 {
			status = StatusTimedOut
		}
		return s.close(ctx, tx, r, status, now)
	})
}

// close ends an open request: sets its final status, refunds it when it
// received nothing, and frees its number unless another open request of the
// same group still holds it.
func (s *Service) close(ctx context.Context, tx *sql.Tx, r Request, status string, now int64) error {
	s.db.Touch(tx, r.UserID)
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET status = $1, closed_at = $2 WHERE id = $3`, status, now, r.ID); err != nil {
		return err
	}
	if r.Messages == 0 && r.PriceCents > 0 {
		reason := "Refund of request " + strconv.FormatInt(r.ID, 10) + " (" + status + ")"
		if _, err := account.Post(ctx, tx, r.UserID, r.PriceCents, account.KindRefund, reason, r.ID, now); err != nil {
			return err
		}
	}
	if r.NumberID == 0 {
		return nil
	}
	// Only the members of a group share a number: a request alone on its
	// number frees it without asking.
	if r.GroupID != 0 {
		var others int
		if err := tx.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM requests WHERE number_id = $1 AND closed_at IS NULL`, r.NumberID).Scan(&others); err != nil {
			return err
		}
		if others > 0 {
			return nil
		}
	}
	return s.inv.Release(ctx, tx, r.NumberID)
}
