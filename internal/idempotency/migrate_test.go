package idempotency_test

import (
	"database/sql"
	"errors"
	"os"
	"testing"

	"github.com/pressly/goose/v3"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
	"mdnhub/internal/idempotency"
)

// An answer stored in the clear before answers were sealed: the migration
// that seals answers erases it, keeps its key taken, and a retry of that
// call is refused rather than run (and charged) again.
func TestMigrationErasesClearAnswers(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		dialect := goose.DialectSQLite3
		if d.Dialect == db.Postgres {
			dialect = goose.DialectPostgres
		}
		p, err := goose.NewProvider(dialect, d.W, os.DirFS("../db/migrations/"+string(d.Dialect)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 18); err != nil {
			t.Fatal(err)
		}
		const clear = `{"id":"7","proxy_pass":"hunter2-secret"}`
		if _, err := d.W.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, command, fingerprint, answer, created_at)
			VALUES ($1, 'old', 'request', 'fp', $2, $3), ($1, 'pending', 'request', 'fp', NULL, $3)`,
			f.userID, clear, f.clk.Now().Unix()); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		var sealed bool
		var length int
		if err := d.R.QueryRowContext(ctx, `SELECT sealed_answer IS NOT NULL, length(sealed_answer) FROM idempotency_keys WHERE idem_key = 'old'`).
			Scan(&sealed, &length); err != nil || !sealed || length != 0 {
			t.Fatalf("the clear answer became a seal %v of %d bytes (%v), want an empty one", sealed, length, err)
		}
		var pending sql.Null[[]byte]
		if err := d.R.QueryRowContext(ctx, `SELECT sealed_answer FROM idempotency_keys WHERE idem_key = 'pending'`).Scan(&pending); err != nil || pending.Valid {
			t.Fatalf("a call in progress became %v (%v), want still in progress", pending, err)
		}
		if _, err := f.charge(f.call("old", "fp")); !errors.Is(err, idempotency.ErrSealed) {
			t.Fatalf("retry of a call answered before the migration: %v", err)
		}
		if _, err := f.charge(f.call("pending", "fp")); !errors.Is(err, idempotency.ErrInFlight) {
			t.Fatalf("retry of a call in progress at the migration: %v", err)
		}
		if b := f.balance(t); b != 1000 {
			t.Fatalf("balance %d: a refused retry charged", b)
		}
	})
}
