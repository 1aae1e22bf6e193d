package inventory

import (
	"context"
	"database/sql"
	"errors"

	"mdnhub/internal/db"
)

// Criteria describe the number a user asks for.
type Criteria struct {
	UserID    int64
	ServiceID int64
	MDN       string // a specific number; overrides AreaCode and State
	AreaCode  string // overrides State
	State     string
}

const numberColumns = `id, mdn, area_code, state, carrier, gateway, short_rental, enabled, online, COALESCE(held_by, 0), last_used_at`

func scanNumber(row interface{ Scan(...any) error }) (Number, error) {
	var n Number
	err := row.Scan(&n.ID, &n.MDN, &n.AreaCode, &n.State, &n.Carrier, &n.Gateway, &n.ShortRental, &n.Enabled, &n.Online, &n.HeldBy, &n.LastUsedAt)
	return n, err
}

// Allocate picks a number for c and marks it held by c.UserID, inside the
// caller's transaction. Without MDN it takes the least recently used number
// that is enabled, online, free, never completed for the service by anybody
// and never rejected by the user, within the area code or state asked for.
// With MDN it takes that number if it is free and fresh for the service or
// burnt for it by this same user. It returns ErrNoneAvailable or
// ErrMDNUnavailable when nothing fits.
func (s *Store) Allocate(ctx context.Context, tx *sql.Tx, c Criteria, now int64) (Number, error) {
	var (
		n   Number
		err error
	)
	if c.MDN != "" {
		n, err = scanNumber(tx.QueryRowContext(ctx,
			`SELECT `+numberColumns+` FROM numbers n
			 WHERE n.mdn = $1 AND n.held_by IS NULL AND n.enabled AND n.online
			   AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = n.id AND b.service_id = $2 AND b.user_id <> $3)`+
				s.db.ForUpdate(), c.MDN, c.ServiceID, c.UserID))
		if errors.Is(err, sql.ErrNoRows) {
			return Number{}, ErrMDNUnavailable
		}
	} else {
		filter, args := "", []any{c.ServiceID, c.UserID}
		switch {
		case c.AreaCode != "":
			filter, args = " AND n.area_code = $3", append(args, c.AreaCode)
		case c.State != "":
			filter, args = " AND n.state = $3", append(args, c.State)
		}
		n, err = scanNumber(tx.QueryRowContext(ctx,
			`SELECT `+numberColumns+` FROM numbers n
			 WHERE n.held_by IS NULL AND n.enabled AND n.online`+filter+`
			   AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = n.id AND b.service_id = $1)
			   AND NOT EXISTS (SELECT 1 FROM rejections r WHERE r.number_id = n.id AND r.user_id = $2)
			 ORDER BY n.last_used_at, n.id LIMIT 1`+s.db.ForUpdateSkipLocked(), args...))
		if errors.Is(err, sql.ErrNoRows) {
			return Number{}, ErrNoneAvailable
		}
	}
	if err != nil {
		return Number{}, err
	}
	res, err := tx.ExecContext(ctx,
		`UPDATE numbers SET held_by = $1, last_used_at = $2 WHERE id = $3 AND held_by IS NULL`, c.UserID, now, n.ID)
	if err != nil {
		return Number{}, err
	}
	if k, _ := res.RowsAffected(); k != 1 {
		// Taken by a concurrent transaction between our read and write.
		return Number{}, db.ErrConflict
	}
	n.HeldBy, n.LastUsedAt = c.UserID, now
	return n, nil
}

// Release returns a held number to the pool, inside the caller's transaction.
func (s *Store) Release(ctx context.Context, tx *sql.Tx, numberID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE numbers SET held_by = NULL WHERE id = $1`, numberID)
	return err
}

// Burn records that a user completed a verification for a service with the
// number: nobody else is offered it for that service again.
func (s *Store) Burn(ctx context.Context, tx *sql.Tx, numberID, serviceID, userID, now int64) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO burns (number_id, service_id, user_id, created_at) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (number_id, service_id) DO NOTHING`, numberID, serviceID, userID, now)
	return err
}

// Reject records that a user rejected a number: it is never offered to that
// user again.
func (s *Store) Reject(ctx context.Context, tx *sql.Tx, numberID, userID, now int64) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO rejections (number_id, user_id, created_at) VALUES ($1, $2, $3)
		 ON CONFLICT (number_id, user_id) DO NOTHING`, numberID, userID, now)
	return err
}
