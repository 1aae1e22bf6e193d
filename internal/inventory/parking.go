package inventory

import (
	"context"
	"database/sql"
	"errors"

	"mdnhub/internal/db"
)

// Parking: gateways that can park numbers keep a rented number online for a
// window, then offline until the renter activates it again. These functions
// record that state inside the caller's transaction; the rental service
// schedules the jobs that apply them at the right time.

// Lock returns a number locked for the rest of the caller's transaction.
func (s *Store) Lock(ctx context.Context, tx *sql.Tx, numberID int64) (Number, error) {
	n, err := scanNumber(tx.QueryRowContext(ctx, `SELECT `+numberColumns+` FROM numbers n WHERE n.id = $1`+s.db.ForUpdate(), numberID))
	return n, db.NoRows(err)
}

// SetOnlineWindow marks a number online until until (0: indefinitely) with
// no activation pending.
func (s *Store) SetOnlineWindow(ctx context.Context, tx *sql.Tx, numberID, until int64) error {
	var u any
	if until != 0 {
		u = until
	}
	_, err := tx.ExecContext(ctx, `UPDATE numbers SET online = TRUE, online_until = $1, online_at = NULL WHERE id = $2`, u, numberID)
	return err
}

// SetActivation records that a parked number will be online at at.
func (s *Store) SetActivation(ctx context.Context, tx *sql.Tx, numberID, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE numbers SET online_at = $1 WHERE id = $2`, at, numberID)
	return err
}

// ParkIfDue parks a number offline if its online window still ends at
// until; it reports whether it did. A window extended since is left alone.
func (s *Store) ParkIfDue(ctx context.Context, tx *sql.Tx, numberID, until int64) (bool, error) {
	res, err := tx.ExecContext(ctx,
		`UPDATE numbers SET online = FALSE, online_until = NULL WHERE id = $1 AND online_until = $2`, numberID, until)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ActivationDue reports whether a number's pending activation is the one due at at.
func (s *Store) ActivationDue(ctx context.Context, tx *sql.Tx, numberID, at int64) (bool, error) {
	var pending sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT online_at FROM numbers WHERE id = $1`, numberID).Scan(&pending)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && pending.Valid && pending.Int64 == at, err
}
