// Package db opens mdnhub's database (an SQLite file or PostgreSQL), runs the
// migrations of both mdnhub and its job queue, and runs write transactions.
//
// SQL is written once with $1 placeholders, which both engines accept; the few
// statements that must differ ask Dialect.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"
)

// Dialect names a database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Sentinel errors at the storage boundary.
var (
	ErrNotFound          = errors.New("not found")
	ErrConflict          = errors.New("conflict")
	ErrInsufficientFunds = errors.New("insufficient funds")
)

// Querier is what both *sql.DB and *sql.Tx offer; store methods take it so the
// caller decides the transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database: W takes every write transaction and R serves reads.
// On SQLite W is a single connection (SQLite has one writer; queueing in the
// pool is cheaper than lock retries) and R a pool of read-only connections;
// on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB
	pool    *pgxpool.Pool

	// afterCommit holds, per open transaction, the functions to run once
	// it commits (see AfterCommit).
	afterCommit sync.Map
	// group shares commits between SQLite's write transactions (nil on
	// PostgreSQL).
	group *group
	// feed tells views of the database what changed (see ChangeSeq).
	feed *feed
	// mark reads SQLite's commit mark (see CommitMark).
	mark *shmMark
	// fullSince is when write transactions began to fail for lack of
	// space (unix nanoseconds), 0 while they do not (see StorageFull).
	fullSince atomic.Int64
	// rec passes executed statements to RecordStatements' function.
	rec *recorder
	// pub tells other processes what this one changed (PostgreSQL).
	pub *publisher
}

// Options configures Open.
type Options struct {
	Driver string // "sqlite" or "postgres"
	Path   string // SQLite file
	DSN    string // PostgreSQL connection string
	// Synchronous is SQLite's synchronous pragma: FULL (default) survives a
	// power loss after every acknowledged commit; NORMAL is faster.
	Synchronous string
	MaxConns    int
}

// DefaultConnectTimeout bounds each attempt to connect to PostgreSQL when
// the DSN sets no connect_timeout.
const DefaultConnectTimeout = 5 * time.Second

// Open connects to the database described by o. It does not migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	switch o.Driver {
	case "sqlite", "":
		return openSQLite(ctx, o)
	case "postgres":
		return openPostgres(ctx, o)
	default:
		return nil, fmt.Errorf("unknown database driver %q", o.Driver)
	}
}

func sqliteDSN(path, sync string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+sync+")")
	// Savepoints (each caller of a shared commit runs in one) keep the
	// pages they change in a sub-journal: in memory, not in a temporary
	// file written with a system call per page.
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, o Options) (*DB, error) {
	if o.Synchronous == "" {
		o.Synchronous = "FULL"
	}
	if o.MaxConns < 1 {
		o.MaxConns = 4
	}
	rec := &recorder{}
	wc, err := newCachingConnector(sqliteDSN(o.Path, o.Synchronous, false), rec)
	if err != nil {
		return nil, err
	}
	w := sql.OpenDB(wc)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// The first connection switches the file to WAL; do it before readers open.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", o.Path, err)
	}
	rc, err := newCachingConnector(sqliteDSN(o.Path, o.Synchronous, true), rec)
	if err != nil {
		w.Close()
		return nil, err
	}
	r := sql.OpenDB(rc)
	r.SetMaxOpenConns(o.MaxConns)
	r.SetMaxIdleConns(o.MaxConns)
	d := &DB{Dialect: SQLite, W: w, R: r, mark: &shmMark{path: o.Path + "-shm"}, rec: rec}
	d.group = &group{d: d}
	d.startFeed()
	return d, nil
}

func openPostgres(ctx context.Context, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(o.DSN)
	if err != nil {
		return nil, fmt.Errorf("postgres dsn: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(o.MaxConns)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without a limit, connecting to a server that does not answer
		// (a host down, packets dropped) waits for the kernel to give up,
		// minutes later, and every call waiting for a connection with it.
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	rec := &recorder{}
	cfg.ConnConfig.Tracer = pgTracer{rec}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sdb := stdlib.OpenDBFromPool(pool)
	d := &DB{Dialect: Postgres, W: sdb, R: sdb, pool: pool, rec: rec, pub: newPublisher()}
	d.startFeed()
	return d, nil
}

// startFeed starts the change feed's watcher (stopped by Close).
func (d *DB) startFeed() {
	d.feed = newFeed()
	ctx, cancel := context.WithCancel(context.Background())
	d.feed.stop, d.feed.done = cancel, make(chan struct{})
	go d.watch(ctx)
}

// Close closes every connection.
func (d *DB) Close() error {
	if d.feed != nil && d.feed.stop != nil {
		d.feed.stop()
		<-d.feed.done
		d.flushPublisher()
	}
	err := d.W.Close()
	d.mark.close()
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	if d.pool != nil {
		d.pool.Close()
	}
	return err
}

// ForUpdateSkipLocked is the row-locking suffix for picking one row among
// many under concurrency: PostgreSQL locks and skips rows other transactions
// hold; SQLite needs nothing because its write transactions are serial.
func (d *DB) ForUpdateSkipLocked() string {
	if d.Dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// JSONText is the SQL expression that reads a JSON column as JSON text:
// River keeps job arguments as jsonb on PostgreSQL and as SQLite's binary
// JSONB in a blob on SQLite.
func (d Dialect) JSONText(column string) string {
	if d == SQLite {
		return "json(" + column + ")"
	}
	return column
}

// ForUpdate is the row-locking suffix for reading a row that the transaction
// will change.
func (d *DB) ForUpdate() string {
	if d.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Arg is the placeholder of the n-th argument (from 1) for statements whose
// placeholders all appear in argument order: "$n" on PostgreSQL, and a plain
// "?" on SQLite. SQLite looks named parameters such as "$12" up in a list
// per statement, which turns a statement with thousands of them (a
// multi-row INSERT, a long IN list) quadratic; positional ones cost nothing.
func (d *DB) Arg(n int) string {
	if d.Dialect == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}

// In appends vals to args and returns their placeholders, comma-separated,
// for an IN list; the statement's placeholders must follow argument order
// (see Arg).
func (d *DB) In(args []any, vals ...any) (string, []any) {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, v)
		b.WriteString(d.Arg(len(args)))
	}
	return b.String(), args
}

// Anys converts a slice for use as query arguments.
func Anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
