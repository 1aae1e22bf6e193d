package inventory

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"mdnhub/internal/db"
)

// Criteria describe the number a user asks for.
type Criteria struct {
	UserID     int64
	ServiceIDs []int64 // the number must be fresh for every one of them
	MDN        string  // a specific number; overrides AreaCode and State
	AreaCode   string  // overrides State
	State      string
	// ShortRental restricts to numbers marked for 3-day rentals.
	ShortRental bool
}

const numberColumns = `id, mdn, area_code, state, carrier, gateway, short_rental, enabled, online, COALESCE(held_by, 0), last_used_at,
	COALESCE(online_until, 0), COALESCE(online_at, 0)`

func scanNumber(row interface{ Scan(...any) error }) (Number, error) {
	var n Number
	err := row.Scan(&n.ID, &n.MDN, &n.AreaCode, &n.State, &n.Carrier, &n.Gateway, &n.ShortRental, &n.Enabled, &n.Online, &n.HeldBy, &n.LastUsedAt,
		&n.OnlineUntil, &n.OnlineAt)
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
	services := db.Anys(c.ServiceIDs)
	// notHeld: numbers kept for their last renter are not offered to anyone
	// else. Placeholders are added in the order they are written.
	notHeld := func(a *db.Args) string {
		cond := ` AND NOT EXISTS (SELECT 1 FROM rental_holds h WHERE h.number_id = n.id AND h.service_id IN (` + a.In(services...) + `)
			AND h.user_id <> ` + a.Add(c.UserID) + ` AND h.until > ` + a.Add(now) + `)`
		if c.ShortRental {
			cond += " AND n.short_rental"
		}
		return cond
	}
	a := s.db.NewArgs()
	if c.MDN != "" {
		q := `SELECT ` + numberColumns + ` FROM numbers n
			 WHERE n.mdn = ` + a.Add(c.MDN) + ` AND n.held_by IS NULL AND n.enabled AND n.online` + notHeld(a) + `
			   AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = n.id AND b.service_id IN (` + a.In(services...) + `)
			                   AND b.user_id <> ` + a.Add(c.UserID) + `)` + s.db.ForUpdate()
		n, err = scanNumber(tx.QueryRowContext(ctx, q, a.List()...))
		if errors.Is(err, sql.ErrNoRows) {
			return Number{}, ErrMDNUnavailable
		}
	} else {
		filter := ""
		switch {
		case c.AreaCode != "":
			filter = " AND n.area_code = " + a.Add(c.AreaCode)
		case c.State != "":
			filter = " AND n.state = " + a.Add(c.State)
		}
		q := `SELECT ` + numberColumns + ` FROM numbers n
			 WHERE n.held_by IS NULL AND n.enabled AND n.online` + filter + notHeld(a) + `
			   AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = n.id AND b.service_id IN (` + a.In(services...) + `))
			   AND NOT EXISTS (SELECT 1 FROM rejections r WHERE r.number_id = n.id AND r.user_id = ` + a.Add(c.UserID) + `)
			 ORDER BY n.last_used_at, n.id LIMIT 1` + s.db.ForUpdateSkipLocked()
		n, err = scanNumber(tx.QueryRowContext(ctx, q, a.List()...))
		if errors.Is(err, sql.ErrNoRows) {
			return Number{}, ErrNoneAvailable
		}
	}
	if err != nil {
		return Number{}, err
	}
	if err := s.Hold(ctx, tx, n.ID, c.UserID, now); err != nil {
		return Number{}, err
	}
	n.HeldBy, n.LastUsedAt = c.UserID, now
	return n, nil
}

// Hold marks a free number as held by a user, inside the caller's
// transaction; db.ErrConflict when it is not free any more.
func (s *Store) Hold(ctx context.Context, tx *sql.Tx, numberID, userID, now int64) error {
	res, err := tx.ExecContext(ctx,
		`UPDATE numbers SET held_by = $1, held_since = $2, last_used_at = $2 WHERE id = $3 AND held_by IS NULL`, userID, now, numberID)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k != 1 {
		// Taken by a concurrent transaction between our read and write.
		return db.ErrConflict
	}
	return nil
}

// LockAvailable returns the number if it is free, enabled and online, locked
// for the rest of the caller's transaction; ok is false otherwise.
func (s *Store) LockAvailable(ctx context.Context, tx *sql.Tx, numberID int64) (n Number, ok bool, err error) {
	n, err = scanNumber(tx.QueryRowContext(ctx,
		`SELECT `+numberColumns+` FROM numbers n WHERE n.id = $1 AND n.held_by IS NULL AND n.enabled AND n.online`+s.db.ForUpdate(), numberID))
	if errors.Is(err, sql.ErrNoRows) {
		return Number{}, false, nil
	}
	return n, err == nil, err
}

// Release returns a held number to the pool, inside the caller's
// transaction, and offers it to whoever waits for a number (see OnAvailable).
func (s *Store) Release(ctx context.Context, tx *sql.Tx, numberID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE numbers SET held_by = NULL, held_since = NULL WHERE id = $1`, numberID); err != nil {
		return err
	}
	return s.available(ctx, tx, numberID)
}

// OnAvailable registers the function called, inside the same transaction,
// whenever a number may have become available: released, imported, enabled
// or back online. The premium-bid auction listens here, so a freed number
// goes to a waiting bid before any other request can see it.
func (s *Store) OnAvailable(fn func(ctx context.Context, tx *sql.Tx, numberID int64) error) {
	s.onAvailable = append(s.onAvailable, fn)
}

// OfferEach runs the OnAvailable listeners for each number, each in its own
// transaction, and returns how many of them got taken: the periodic sweep
// that settles waits placed while a number was being released.
func (s *Store) OfferEach(ctx context.Context, ids []int64) (int, error) {
	taken := 0
	for _, id := range ids {
		var held bool
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			if err := s.available(ctx, tx, id); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT held_by IS NOT NULL FROM numbers WHERE id = $1`, id).Scan(&held)
		})
		if err != nil && !errors.Is(err, db.ErrConflict) {
			return taken, err
		}
		if held {
			taken++
		}
	}
	return taken, nil
}

// Available tells the OnAvailable listeners, inside the caller's
// transaction, that a number may have become available.
func (s *Store) Available(ctx context.Context, tx *sql.Tx, numberID int64) error {
	return s.available(ctx, tx, numberID)
}

func (s *Store) available(ctx context.Context, tx *sql.Tx, numberID int64) error {
	for _, fn := range s.onAvailable {
		if err := fn(ctx, tx, numberID); err != nil {
			return err
		}
	}
	return nil
}

// Arrival is an SMS arriving at one of our numbers, as the domains that
// claim it see it.
type Arrival struct {
	NumberID int64
	From     string
	Text     string
	At       int64 // unix seconds of receipt
}

// BurnKey is one (number, service, user) burn.
type BurnKey struct{ NumberID, ServiceID, UserID int64 }

// Burn records that users completed verifications for services with
// numbers: nobody else is offered those numbers for those services again.
// One statement for all of them.
func (s *Store) Burn(ctx context.Context, tx *sql.Tx, now int64, burns ...BurnKey) error {
	if len(burns) == 0 {
		return nil
	}
	var (
		b    strings.Builder
		args []any
		seen = map[[2]int64]bool{}
	)
	for _, k := range burns {
		if seen[[2]int64{k.NumberID, k.ServiceID}] {
			continue // one row per key: the first burner wins, as ON CONFLICT would
		}
		seen[[2]int64{k.NumberID, k.ServiceID}] = true
		if len(args) > 0 {
			b.WriteString(", ")
		}
		var row string
		row, args = s.db.In(args, k.NumberID, k.ServiceID, k.UserID, now)
		b.WriteString("(" + row + ")")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO burns (number_id, service_id, user_id, created_at) VALUES `+b.String()+`
		 ON CONFLICT (number_id, service_id) DO NOTHING`, args...)
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
