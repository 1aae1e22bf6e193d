package request

import (
	"context"
	"database/sql"

	"mdnhub/internal/catalog"
)

// ClaimMessage attributes an SMS that arrived for a number to the open
// request holding it, inside the caller's transaction: the first message
// completes the request and burns the number for its service. When several
// requests share the number (one request for several services), the message
// goes to the one whose service it is detected for, else to the first. ok is
// false when no open request holds the number. A request past its expiry
// time no longer receives messages even if its expiry job has not run yet.
func (s *Service) ClaimMessage(ctx context.Context, tx *sql.Tx, numberID int64, from, text string, now int64) (r Request, ok bool, err error) {
	rs, err := s.lockRequests(ctx, tx,
		`r.number_id = $1 AND r.closed_at IS NULL AND r.expires_at > $2 ORDER BY r.id`, numberID, now)
	if err != nil || len(rs) == 0 {
		return Request{}, false, err
	}
	r = rs[0]
	if len(rs) > 1 {
		ids := make([]int64, len(rs))
		for i, x := range rs {
			ids[i] = x.ServiceID
		}
		id, found, err := catalog.Detect(ctx, tx, from, text, ids)
		if err != nil {
			return Request{}, false, err
		}
		for _, x := range rs {
			if found && x.ServiceID == id {
				r = x
				break
			}
		}
	}
	status := r.Status
	if status == StatusReserved {
		status = StatusCompleted
	}
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET messages = messages + 1, status = $1 WHERE id = $2`, status, r.ID); err != nil {
		return Request{}, false, err
	}
	if err := s.inv.Burn(ctx, tx, r.NumberID, r.ServiceID, r.UserID, now); err != nil {
		return Request{}, false, err
	}
	r.Messages++
	r.Status = status
	return r, true, nil
}
