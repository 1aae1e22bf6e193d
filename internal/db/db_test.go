package db_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

var ctx = context.Background()

// Nodes starting together migrate one after the other and both succeed.
func TestConcurrentMigrate(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		dsn := dbtest.PostgresDSN(t, "mig")
		// A fresh, empty database: drop what the template gave us.
		d0, err := db.Open(ctx, db.Options{Driver: "postgres", DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d0.W.ExecContext(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
			t.Fatal(err)
		}
		d0.Close()
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := db.Open(ctx, db.Options{Driver: "postgres", DSN: dsn})
				if err != nil {
					errs[i] = err
					return
				}
				defer d.Close()
				errs[i] = d.Migrate(ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestMigrateTwiceAndVersion(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		if err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := d.Version(ctx)
		if err != nil || v < 1 {
			t.Fatalf("version %d, %v", v, err)
		}
	})
}

// The schema itself keeps the ledger append-only and balances non-negative.
func TestSchemaGuardsMoney(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO users (username, login, email, balance_cents, created_at) VALUES ('a', 'a', 'a@x', 5, 0)`)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO ledger (user_id, amount_cents, balance_cents, kind, reason, created_at) VALUES (1, 5, 5, 'credit', 'x', 0)`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			`UPDATE ledger SET amount_cents = 500`,
			`DELETE FROM ledger`,
			`UPDATE users SET balance_cents = -1`,
			`INSERT INTO ledger (user_id, amount_cents, balance_cents, kind, reason, created_at) VALUES (1, -10, -5, 'x', 'x', 0)`,
		} {
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, stmt)
				return err
			})
			if err == nil {
				t.Errorf("%s: accepted", stmt)
			}
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (username, login, email, created_at) VALUES ('b', 'b', 'b@x', 0)`); err != nil {
				return err
			}
			return db.ErrConflict
		})
		if err != db.ErrConflict {
			t.Fatalf("got %v", err)
		}
		var n int
		d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d users after rollback", n)
		}
	})
}
