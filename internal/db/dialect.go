package db

import (
	"context"
	"database/sql"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// The facts that differ between the engines live here, so that domain
// packages hold SQL and meaning, never a dialect branch.

// ForUpdateOf is the suffix that locks, for the rest of the transaction, the
// rows of the table aliased alias in a query that joins others: PostgreSQL
// locks them ("FOR UPDATE OF r"), SQLite needs nothing since its write
// transactions are serial.
func (d *DB) ForUpdateOf(alias string) string {
	if d.Dialect == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// ForUpdateOfSkipLocked is ForUpdateOf for picking one row among many under
// concurrency: PostgreSQL skips the rows other transactions hold.
func (d *DB) ForUpdateOfSkipLocked(alias string) string {
	if d.Dialect == Postgres {
		return " FOR UPDATE OF " + alias + " SKIP LOCKED"
	}
	return ""
}

// RiverDriver is the job queue's driver for this engine, on the write pool.
func (d *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if d.Dialect == Postgres {
		return riverdatabasesql.New(d.W)
	}
	return riversqlite.New(d.W)
}

// Notifies reports whether the engine delivers notifications between
// processes (PostgreSQL's LISTEN/NOTIFY); without them a process learns of
// other processes' changes only by reading.
func (d *DB) Notifies() bool { return d.Dialect == Postgres }

// Row is what a scan function reads a value from: a *sql.Row or *sql.Rows.
type Row = interface{ Scan(...any) error }

// Collect reads every row with scan and closes rows: the loop every list
// query needs, written once.
func Collect[T any](rows *sql.Rows, scan func(Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Tables lists the tables of the database, sorted by name.
func (d *DB) Tables(ctx context.Context) ([]string, error) {
	list := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if d.Dialect == Postgres {
		list = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := d.R.QueryContext(ctx, list)
	if err != nil {
		return nil, err
	}
	return Collect(rows, func(r Row) (name string, err error) { return name, r.Scan(&name) })
}
