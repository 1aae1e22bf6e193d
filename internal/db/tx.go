package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Tx runs fn in one write transaction and commits it when fn returns nil.
// A transaction that lost a deadlock or serialization race (PostgreSQL) or
// found the file busy (SQLite, another process) is retried a few times, so fn
// must not have effects outside the transaction. A fault of the database
// (down, restarting, disk full) comes back classified: errors.Is(err,
// ErrUnavailable), and ErrFull for a full disk.
//
// On SQLite, transactions that arrive together share one commit (see
// group): each runs inside a savepoint of a common transaction, and each
// caller gets its answer only after that commit, as durable as its own.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if d.group != nil {
			err = d.group.run(ctx, fn)
		} else {
			err = d.once(ctx, fn)
		}
		if err == nil || !retryable(err) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	err = Classify(err)
	d.noteWrite(err)
	return err
}

// txState is what one transaction of Tx arranged for after its commit.
type txState struct {
	hooks    []func()
	touched  []int64
	notified bool // the touched users were notified inside the transaction
}

// state is the current transaction state of tx (nil outside Tx).
func (d *DB) state(tx *sql.Tx) *txState {
	if st, ok := d.afterCommit.Load(tx); ok {
		return st.(*txState)
	}
	return nil
}

// committed runs what a committed transaction arranged: its hooks, then the
// change feed.
func (d *DB) committed(st *txState) {
	d.noteOwnWrite()
	for _, h := range st.hooks {
		h()
	}
	d.feed.changed(st.touched, false)
	if d.pub != nil && !st.notified {
		d.pub.add(st.touched)
	}
}

func (d *DB) once(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	st := &txState{}
	d.afterCommit.Store(tx, st)
	live.Store(tx, d)
	defer live.Delete(tx)
	defer d.afterCommit.Delete(tx)
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			d.noteOwnWrite()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if st.notified, err = d.notifyInTx(ctx, tx, st.touched); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return err
	}
	d.committed(st)
	return nil
}

// AfterCommit registers fn to run once tx has committed (never if it rolls
// back): for effects outside the database, such as waking a simulator, that
// must not happen for a change that did not stick. tx must come from Tx.
func (d *DB) AfterCommit(tx *sql.Tx, fn func()) {
	if st := d.state(tx); st != nil {
		st.hooks = append(st.hooks, fn)
	}
}

func retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	if errors.Is(err, errBatchBroken) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// NoRows maps sql.ErrNoRows to ErrNotFound and passes other errors through.
func NoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Int64s reads a one-column result of integers and closes rows.
func Int64s(rows *sql.Rows) ([]int64, error) {
	return Collect(rows, func(r Row) (v int64, err error) { return v, r.Scan(&v) })
}

// Snapshot runs fn in a read-only transaction that sees one consistent state
// of the database, whatever commits meanwhile: REPEATABLE READ on
// PostgreSQL, and on SQLite a read transaction on a reader connection (WAL
// gives it a snapshot from its first read).
func (d *DB) Snapshot(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if d.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := d.R.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}
