package db_test

import (
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"testing"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// RecordStatements sees what both pools run, in transactions and through
// statements that database/sql prepared, with their arguments; nothing
// after stop.
func TestRecordStatements(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		var mu sync.Mutex
		var got []string
		stop := d.RecordStatements(func(q string, args []any) {
			mu.Lock()
			got = append(got, fmt.Sprint(q, " ", args))
			mu.Unlock()
		})
		var n int64
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id > $1`, int64(7)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE users SET role = $1 WHERE id = $2`, "user", int64(-1))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		st, err := d.R.PrepareContext(ctx, `SELECT COUNT(*) FROM services WHERE id > $1`)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.QueryRowContext(ctx, int64(3)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		st.Close()
		stop()
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM numbers`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, want := range []string{
			`SELECT COUNT(*) FROM users WHERE id > $1 [7]`,
			`UPDATE users SET role = $1 WHERE id = $2 [user -1]`,
			`SELECT COUNT(*) FROM services WHERE id > $1 [3]`,
		} {
			if !slices.Contains(got, want) {
				t.Errorf("%q not recorded in %q", want, got)
			}
		}
		for _, g := range got {
			if g == `SELECT COUNT(*) FROM numbers []` {
				t.Errorf("recorded after stop: %q", g)
			}
		}
	})
}
