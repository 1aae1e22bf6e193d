package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"mdnhub/internal/clock"
	"mdnhub/internal/db"
)

// Store manages the numbers table.
type Store struct {
	db          *db.DB
	clock       clock.Clock
	onAvailable []func(ctx context.Context, tx *sql.Tx, numberID int64) error
}

// NewStore returns the inventory store.
func NewStore(d *db.DB, c clock.Clock) *Store { return &Store{db: d, clock: c} }

// Import describes one number to add or update.
type Import struct {
	MDN         string
	Carrier     string
	State       string // derived from the area code when empty
	Gateway     string
	ShortRental bool
}

// Put adds numbers or updates their carrier, state, gateway and short-rental
// flag, all in one transaction: either every line is stored or none. It
// returns how many numbers were new.
func (s *Store) Put(ctx context.Context, items []Import) (added int, err error) {
	type row struct {
		Import
		area string
	}
	rows := make([]row, 0, len(items))
	for i, it := range items {
		mdn, err := NormalizeMDN(it.MDN)
		if err != nil {
			return 0, fmt.Errorf("line %d (%q): %w", i+1, it.MDN, err)
		}
		it.MDN = mdn
		it.State = strings.ToUpper(strings.TrimSpace(it.State))
		if it.State == "" {
			it.State = StateOf(mdn)
		}
		if len(it.State) != 2 && it.State != "" {
			return 0, fmt.Errorf("line %d: %w: state must be a 2-letter abbreviation", i+1, ErrInvalid)
		}
		if it.Gateway == "" {
			it.Gateway = "sim"
		}
		rows = append(rows, row{it, mdn[1:4]})
	}
	now := s.clock.Now().Unix()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, r := range rows {
			var (
				id       int64
				inserted bool
			)
			err := tx.QueryRowContext(ctx,
				`INSERT INTO numbers (mdn, area_code, state, carrier, gateway, short_rental, created_at)
				 VALUES ($1, $2, $3, $4, $5, $6, $7)
				 ON CONFLICT (mdn) DO UPDATE SET state = excluded.state, carrier = excluded.carrier,
				   gateway = excluded.gateway, short_rental = excluded.short_rental
				 RETURNING id, created_at = $7`,
				r.MDN, r.area, r.State, r.Carrier, r.Gateway, r.ShortRental, now).Scan(&id, &inserted)
			if err != nil {
				return err
			}
			if inserted {
				added++
			}
			if err := s.available(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// SetEnabled enables or disables a number.
func (s *Store) SetEnabled(ctx context.Context, mdn string, enabled bool) error {
	return s.setFlag(ctx, mdn, "enabled", enabled)
}

// SetOnline records a number's online state as its gateway reports it.
func (s *Store) SetOnline(ctx context.Context, mdn string, online bool) error {
	return s.setFlag(ctx, mdn, "online", online)
}

func (s *Store) setFlag(ctx context.Context, mdn, column string, v bool) error {
	mdn, err := NormalizeMDN(mdn)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE numbers SET `+column+` = $1 WHERE mdn = $2 RETURNING id`, v, mdn).Scan(&id)
		if err != nil {
			return db.NoRows(err)
		}
		if v {
			return s.available(ctx, tx, id)
		}
		return nil
	})
}

// Get returns a number by its MDN.
func (s *Store) Get(ctx context.Context, mdn string) (Number, error) {
	n, err := scanNumber(s.db.R.QueryRowContext(ctx, `SELECT `+numberColumns+` FROM numbers WHERE mdn = $1`, mdn))
	return n, db.NoRows(err)
}

// List returns numbers ordered by MDN, at most limit from offset.
func (s *Store) List(ctx context.Context, limit, offset int) ([]Number, error) {
	rs, err := s.db.R.QueryContext(ctx, `SELECT `+numberColumns+` FROM numbers ORDER BY mdn LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Number
	for rs.Next() {
		n, err := scanNumber(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rs.Err()
}

// Counts are inventory totals by state, for metrics and the operator.
type Counts struct {
	Total, Enabled, Online, Held int64
}

// Count returns inventory totals.
func (s *Store) Count(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.db.R.QueryRowContext(ctx,
		`SELECT COUNT(*),
		   COALESCE(SUM(CASE WHEN enabled THEN 1 ELSE 0 END), 0),
		   COALESCE(SUM(CASE WHEN enabled AND online THEN 1 ELSE 0 END), 0),
		   COALESCE(SUM(CASE WHEN held_by IS NOT NULL THEN 1 ELSE 0 END), 0)
		 FROM numbers`).Scan(&c.Total, &c.Enabled, &c.Online, &c.Held)
	return c, err
}
