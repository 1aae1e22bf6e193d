package account_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// twoProcesses opens one database twice, as a server and an operator's
// command would: server caches verified keys for an hour and, on PostgreSQL,
// listens for changes; op makes the changes. wait checks a condition on the
// server at once on SQLite and for up to a second on PostgreSQL, where the
// change travels as a notification.
type twoProcesses struct {
	server, op *account.Service
	opDB       *db.DB
	dsn        string
	driver     string
}

func openTwice(t *testing.T, driver string, ping time.Duration) *twoProcesses {
	t.Helper()
	o := db.Options{Driver: driver, Synchronous: "NORMAL", MaxConns: 4}
	if driver == "postgres" {
		o.DSN = dbtest.PostgresDSN(t, "acct")
	} else {
		o.Path = filepath.Join(t.TempDir(), "mdnhub.db")
	}
	open := func() *db.DB {
		d, err := db.Open(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return d
	}
	sd, od := open(), open()
	p := &twoProcesses{
		server: account.NewService(sd, clock.Real{}, time.Hour, 100),
		op:     account.NewService(od, clock.Real{}, time.Hour, 100),
		opDB:   od, dsn: o.DSN, driver: driver,
	}
	if driver == "postgres" {
		if ping > 0 {
			account.SetListenPing(p.server, ping)
		}
		p.watch(t)
	}
	return p
}

// watch runs the server's listener until the test ends and waits until it
// listens.
func (p *twoProcesses) watch(t *testing.T) {
	t.Helper()
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		p.server.Watch(wctx, p.dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	p.waitListening(t)
}

func (p *twoProcesses) waitListening(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !p.server.Listening(); {
		if time.Now().After(deadline) {
			t.Fatal("the auth listener did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *twoProcesses) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if p.driver == "sqlite" {
		if !cond() {
			t.Fatalf("%s: not at once", what)
		}
		return
	}
	for deadline := time.Now().Add(time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a second", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// withAlice runs fn on each engine with the database opened twice
// (openTwice) and a user alice whose first key the operator's side made.
func withAlice(t *testing.T, fn func(t *testing.T, p *twoProcesses, u account.User, key string)) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			p := openTwice(t, driver, 0)
			u, err := p.op.Create(ctx, "alice", "alice@example.com")
			if err != nil {
				t.Fatal(err)
			}
			key, err := p.op.GenerateKey(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			fn(t, p, u, key)
		})
	}
}

// answers is a condition for wait: auth of key fails with want, or
// succeeds when want is nil.
func answers(auth func(key string) (account.Principal, error), key string, want error) func() bool {
	return func() bool { _, err := auth(key); return errors.Is(err, want) }
}

// Every change of what authenticates a caller, made by another process,
// reaches a server that has the caller cached: a new key, suspension (by the
// service or by hand in SQL), a per-account setting carried with the caller,
// a new user name. A balance change does not empty the caches.
func TestChangesReachOtherProcess(t *testing.T) {
	withAlice(t, func(t *testing.T, p *twoProcesses, u account.User, key1 string) {
		auth := func(key string) (account.Principal, error) { return p.server.Authenticate(ctx, "alice", key) }
		refused := func(key string, want error) func() bool { return answers(auth, key, want) }
		for range 2 { // the second one from the cache
			if _, err := auth(key1); err != nil {
				t.Fatal(err)
			}
		}

		key2, err := p.op.GenerateKey(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.wait(t, "old key refused after a new key", refused(key1, account.ErrUnauthorized))
		if _, err := auth(key2); err != nil {
			t.Fatalf("new key: %v", err)
		}

		if err := p.op.SetSuspended(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "suspension", refused(key2, account.ErrSuspended))
		if err := p.op.SetSuspended(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "suspension lifted", refused(key2, nil))

		if _, err := p.opDB.W.ExecContext(ctx, `UPDATE users SET suspended = TRUE WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "suspension by hand in SQL", refused(key2, account.ErrSuspended))
		if _, err := p.opDB.W.ExecContext(ctx, `UPDATE users SET suspended = FALSE WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "suspension lifted by hand", refused(key2, nil))

		if err := p.op.SetRequestStatusFormat(ctx, u.ID, account.FormatObject); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "request_status_format", func() bool {
			pr, err := auth(key2)
			return err == nil && pr.RequestStatusFormat == account.FormatObject
		})

		if _, err := p.opDB.W.ExecContext(ctx, `UPDATE users SET login = 'alicia', username = 'alicia' WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "old user name refused after a rename", refused(key2, account.ErrUnauthorized))

		// Money moves on every call; it is not a change of the caller.
		var before, after int64
		epoch := func(n *int64) {
			if err := p.opDB.R.QueryRowContext(ctx, `SELECT n FROM auth_epoch`).Scan(n); err != nil {
				t.Fatal(err)
			}
		}
		epoch(&before)
		if _, err := p.op.Credit(ctx, u.ID, 500, "top-up"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.opDB.W.ExecContext(ctx, `UPDATE users SET api_key_hash = api_key_hash, role = 'admin' WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		epoch(&after)
		if after != before {
			t.Fatalf("auth_epoch moved from %d to %d on a credit and a role", before, after)
		}
		if p.driver == "postgres" && !p.server.Listening() {
			t.Fatal("the listener stopped")
		}
	})
}

// A listener that loses its connection falls back to reading the change count
// on every call at once, so a change made while it is down is not missed, and
// comes back listening with an empty cache. A quiet listener pings its
// connection and keeps it.
func TestListenerLosesConnection(t *testing.T) {
	p := openTwice(t, "postgres", 20*time.Millisecond)
	u, _ := p.op.Create(ctx, "bob", "bob@example.com")
	key1, _ := p.op.GenerateKey(ctx, u.ID)
	if _, err := p.server.Authenticate(ctx, "bob", key1); err != nil {
		t.Fatal(err)
	}

	// Kill the listener's backend, as a database restart or a network cut
	// would, and wait until the server knows: from then on it checks every
	// call against the database.
	var pid int
	if err := p.opDB.R.QueryRowContext(ctx, `SELECT pid FROM pg_stat_activity
		WHERE application_name = 'mdnhub auth listener' AND datname = current_database()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := p.opDB.W.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Second); p.server.Listening(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server did not notice its listener's connection was lost")
		}
	}
	key2, err := p.op.GenerateKey(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.server.Authenticate(ctx, "bob", key1); !errors.Is(err, account.ErrUnauthorized) {
		t.Fatalf("old key while the listener is down: %v", err)
	}
	p.waitListening(t)
	if _, err := p.server.Authenticate(ctx, "bob", key2); err != nil {
		t.Fatal(err)
	}

	// Back by notification, after quiet spells that made it ping.
	time.Sleep(150 * time.Millisecond) // several pings at 20 ms
	key3, err := p.op.GenerateKey(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.wait(t, "old key refused after the reconnection", func() bool {
		_, err := p.server.Authenticate(ctx, "bob", key2)
		return errors.Is(err, account.ErrUnauthorized)
	})
	if !p.server.Listening() {
		t.Fatal("not listening after quiet spells")
	}
	if _, err := p.server.Authenticate(ctx, "bob", key3); err != nil {
		t.Fatal(err)
	}
}
