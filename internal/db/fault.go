package db

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Faults of the database itself, as opposed to a statement it refused: the
// server is down, restarting or unreachable, the file is locked for too long,
// or the disk is full. None is the caller's mistake and each passes; callers
// tell them apart from other errors with errors.Is(err, ErrUnavailable)
// after Classify (Tx classifies its own errors).
var (
	// ErrUnavailable is a database that cannot serve now: PostgreSQL
	// unreachable, shutting down, starting up or out of connections; SQLite
	// locked past every retry or failing to read or write its files.
	ErrUnavailable = errors.New("database unavailable")
	// ErrFull is a database out of storage space (SQLITE_FULL, PostgreSQL
	// disk_full). Writes fail, reads still work. It is an ErrUnavailable too.
	ErrFull = &fullError{}
)

type fullError struct{}

func (*fullError) Error() string        { return "database storage full" }
func (*fullError) Is(target error) bool { return target == ErrUnavailable }

// FaultError is a database error classified as a fault: errors.Is matches
// its Kind (ErrUnavailable or ErrFull), and errors.As still finds the
// driver's error.
type FaultError struct {
	Kind error
	Err  error
}

func (e *FaultError) Error() string   { return e.Kind.Error() + ": " + e.Err.Error() }
func (e *FaultError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Classify wraps err in a FaultError when it is a fault of the database (see
// ErrUnavailable and ErrFull) and returns it unchanged otherwise.
func Classify(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	if kind := faultKind(err); kind != nil {
		return &FaultError{Kind: kind, Err: err}
	}
	return err
}

// faultKind is ErrFull, ErrUnavailable or nil.
func faultKind(err error) error {
	// A failed connection attempt, whatever the reason (refused, reset,
	// "the database system is starting up", too many connections).
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return ErrUnavailable
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "53100": // disk_full
			return ErrFull
		case strings.HasPrefix(pg.Code, "08"), // connection exception
			strings.HasPrefix(pg.Code, "53"), // insufficient resources
			pg.Code == "57P01",               // admin_shutdown (pg_ctl stop -m fast)
			pg.Code == "57P02",               // crash_shutdown
			pg.Code == "57P03",               // cannot_connect_now (starting up, shutting down)
			pg.Code == "58030":               // io_error
			return ErrUnavailable
		}
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return ErrFull
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOLFS:
			return ErrUnavailable
		}
		return nil
	}
	// Every failure of pgconn's connection layer (a broken or closed
	// connection, a network error, a timeout) says so with SafeToRetry;
	// server errors (PgError) do not.
	var connErr interface{ SafeToRetry() bool }
	if errors.As(err, &connErr) {
		return ErrUnavailable
	}
	var netErr *net.OpError
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return ErrFull
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, pgconn.ErrConnClosed),
		// A connection the server closed under a query (immediate
		// shutdown, a crash) reads as a bare EOF.
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.As(err, &netErr):
		return ErrUnavailable
	}
	return nil
}

// noteWrite follows the outcome of write transactions for StorageFull.
func (d *DB) noteWrite(err error) {
	switch {
	case err == nil:
		d.fullSince.Store(0)
	case errors.Is(err, ErrFull):
		d.fullSince.CompareAndSwap(0, time.Now().UnixNano())
	}
}

// StorageFull reports whether the latest write transactions failed for
// lack of storage space, and since when; the next one that commits clears it.
func (d *DB) StorageFull() (bool, time.Time) {
	n := d.fullSince.Load()
	if n == 0 {
		return false, time.Time{}
	}
	return true, time.Unix(0, n)
}
