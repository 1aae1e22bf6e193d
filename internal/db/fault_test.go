package db_test

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

func TestClassify(t *testing.T) {
	pg := func(code string) error { return &pgconn.PgError{Severity: "FATAL", Code: code, Message: "m"} }
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, c := range []struct {
		name              string
		err               error
		unavailable, full bool
	}{
		{"nil", nil, false, false},
		{"plain", errors.New("boom"), false, false},
		{"not found", db.ErrNotFound, false, false},
		{"no rows", sql.ErrNoRows, false, false},
		{"unique violation", pg("23505"), false, false},
		{"serialization failure", pg("40001"), false, false},
		{"admin shutdown", pg("57P01"), true, false},
		{"crash shutdown", pg("57P02"), true, false},
		{"cannot connect now", pg("57P03"), true, false},
		{"connection failure", pg("08006"), true, false},
		{"too many connections", pg("53300"), true, false},
		{"disk full", pg("53100"), true, true},
		{"wrapped admin shutdown", fmt.Errorf("request: %w", pg("57P01")), true, false},
		{"connection refused", refused, true, false},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), true, false},
		{"unexpected EOF", io.ErrUnexpectedEOF, true, false},
		{"bad conn", driver.ErrBadConn, true, false},
		{"conn done", sql.ErrConnDone, true, false},
		{"conn closed", pgconn.ErrConnClosed, true, false},
		{"no space", fmt.Errorf("write: %w", syscall.ENOSPC), true, true},
		{"already classified", db.Classify(pg("57P01")), true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := db.Classify(c.err)
			if u := errors.Is(got, db.ErrUnavailable); u != c.unavailable {
				t.Errorf("Classify(%v) is ErrUnavailable = %v, want %v", c.err, u, c.unavailable)
			}
			if f := errors.Is(got, db.ErrFull); f != c.full {
				t.Errorf("Classify(%v) is ErrFull = %v, want %v", c.err, f, c.full)
			}
			if c.err != nil && !errors.Is(got, c.err) {
				t.Errorf("Classify(%v) = %v lost the original error", c.err, got)
			}
			if !c.unavailable && got != c.err {
				t.Errorf("Classify(%v) = %v, want it unchanged", c.err, got)
			}
			var pe *pgconn.PgError
			if errors.As(c.err, &pe) && !errors.As(got, &pe) {
				t.Errorf("Classify(%v): errors.As finds no PgError any more", c.err)
			}
		})
	}
}

// A server that refuses connections is unavailable, and says so promptly.
func TestClassifyRefusedPostgres(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = db.Open(ctx, db.Options{Driver: "postgres", DSN: "postgres://u@" + addr + "/x?sslmode=disable"})
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if !errors.Is(db.Classify(err), db.ErrUnavailable) {
		t.Fatalf("Classify(%v) is not ErrUnavailable", err)
	}
}

// SQLite out of space (max_page_count stands in for a full disk): the write
// transaction fails as ErrFull and leaves nothing, reads go on, StorageFull
// says so until a write commits again.
func TestTxStorageFull(t *testing.T) {
	d := dbtest.SQLite(t)
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var pages int64
	if err := d.W.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	insert := func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO filler (b) VALUES (zeroblob(1))`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO filler (b) VALUES (zeroblob(200000))`)
		return err
	}
	err := d.Tx(ctx, insert)
	if !errors.Is(err, db.ErrFull) || !errors.Is(err, db.ErrUnavailable) {
		t.Fatalf("Tx on a full database: %v, want ErrFull", err)
	}
	if !strings.Contains(err.Error(), "full") {
		t.Errorf("error text %q does not say full", err)
	}
	if full, since := d.StorageFull(); !full || since.IsZero() {
		t.Errorf("StorageFull = %v %v after a full write", full, since)
	}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM filler`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after the failed write: %d rows (%v), want 0 and reads working", n, err)
	}
	// A failure of another kind leaves the state alone.
	_ = d.Tx(ctx, func(tx *sql.Tx) error { return db.ErrNotFound })
	if full, _ := d.StorageFull(); !full {
		t.Errorf("StorageFull cleared by a transaction that did not commit")
	}

	if _, err := d.W.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := d.Tx(ctx, insert); err != nil {
		t.Fatalf("Tx once space returned: %v", err)
	}
	if full, _ := d.StorageFull(); full {
		t.Errorf("StorageFull still set after a commit")
	}
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM filler`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("after space returned: %d rows (%v), want 2", n, err)
	}
	var ok string
	if err := d.R.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
}

// A server that accepts connections and then says nothing (hung, or packets
// dropped after the handshake) costs at most the connect timeout, not the
// minutes the kernel would wait.
func TestConnectTimeoutSilentPostgres(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 16)
	accepting := make(chan struct{})
	defer func() {
		ln.Close()
		<-accepting
		close(held)
		for c := range held {
			c.Close()
		}
	}()
	go func() {
		defer close(accepting)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case held <- c:
			default:
				c.Close()
			}
		}
	}()
	done := make(chan error, 1)
	began := time.Now()
	go func() {
		_, err := db.Open(ctx, db.Options{Driver: "postgres", DSN: "postgres://u@" + ln.Addr().String() + "/x?sslmode=disable"})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Open succeeded against a silent server")
		}
		if !errors.Is(db.Classify(err), db.ErrUnavailable) {
			t.Errorf("Classify(%v) is not ErrUnavailable", err)
		}
		if took := time.Since(began); took > db.DefaultConnectTimeout+2*time.Second {
			t.Errorf("Open took %v, want about %v", took, db.DefaultConnectTimeout)
		}
	case <-time.After(db.DefaultConnectTimeout + 5*time.Second):
		t.Fatalf("Open still waiting for a silent server after %v", time.Since(began))
	}
}
