// Package apptest builds a complete mdnhub (every service, the real job
// queue, a fake clock) on a fresh database of each engine, with helpers to
// add users, services and numbers.
package apptest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/db/dbtest"
	"mdnhub/internal/inventory"
)

// Start is the fake clock's starting time: 2020-09-14 14:42:36 EDT, the
// reference's example.
var Start = time.Unix(1600108956, 0)

// Env is an mdnhub under test.
type Env struct {
	*app.App
	Clock *clock.Fake
	ctx   context.Context
}

// ForEachDB runs fn on an Env over SQLite and over PostgreSQL.
func ForEachDB(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, New(t, "sqlite", nil)) })
	t.Run("postgres", func(t *testing.T) { fn(t, New(t, "postgres", nil)) })
}

// New builds an Env on a fresh database of the given driver; adjust may
// change the configuration first.
func New(t testing.TB, driver string, adjust func(*config.Config)) *Env {
	t.Helper()
	cfg := config.Default()
	cfg.DB.Driver = driver
	if driver == "postgres" {
		cfg.DB.DSN = dbtest.PostgresDSN(t, "app")
		cfg.DB.MaxConns = 30
	} else {
		cfg.DB.Path = filepath.Join(t.TempDir(), "mdnhub.db")
		cfg.DB.Synchronous = "NORMAL"
	}
	cfg.Log.Level = "error"
	if adjust != nil {
		adjust(&cfg)
	}
	fc := clock.NewFake(Start)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg.Log, io.Discard), fc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &Env{App: a, Clock: fc, ctx: ctx}
}

var userSeq atomic.Int64

// User creates a user with the given balance and returns it with its API key.
func (e *Env) User(t testing.TB, balanceCents int64) (account.User, string) {
	t.Helper()
	n := userSeq.Add(1)
	u, err := e.Accounts.Create(e.ctx, fmt.Sprintf("user%d", n), fmt.Sprintf("user%d@example.com", n))
	if err != nil {
		t.Fatal(err)
	}
	if balanceCents != 0 {
		if _, err := e.Accounts.Credit(e.ctx, u.ID, balanceCents, "test credit"); err != nil {
			t.Fatal(err)
		}
	}
	key, err := e.Accounts.GenerateKey(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	u.BalanceCents = balanceCents
	return u, key
}

// WithCallback gives a user a callback URL (nothing listens there: tests
// that deliver start their own receiver), so that its events are recorded.
func (e *Env) WithCallback(t testing.TB, userID int64) {
	t.Helper()
	if _, err := e.Accounts.SetCallback(e.ctx, userID, "http://callback.invalid/hook", ""); err != nil {
		t.Fatal(err)
	}
}

// Service adds a service with a one-time price and a lifetime (0: default).
func (e *Env) Service(t testing.TB, name string, priceCents int64, lifetime time.Duration) catalog.Service {
	t.Helper()
	s, err := e.Catalog.Put(e.ctx, catalog.Service{Name: name, PriceCents: priceCents, LTRPriceCents: priceCents * 20,
		LTRShortPriceCents: priceCents * 5, Lifetime: lifetime, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Numbers imports the given MDNs on the simulator gateway with carrier "TMobile".
func (e *Env) Numbers(t testing.TB, mdns ...string) {
	t.Helper()
	items := make([]inventory.Import, len(mdns))
	for i, m := range mdns {
		items[i] = inventory.Import{MDN: m, Carrier: "TMobile", Gateway: "sim"}
	}
	if _, err := e.Inventory.Put(e.ctx, items); err != nil {
		t.Fatal(err)
	}
}

// Seq returns n MDNs in area code area: 1<area>5550000, 1<area>5550001, ...
func Seq(area string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("1%s555%04d", area, i)
	}
	return out
}

// CheckLedger fails the test when a balance differs from its ledger.
func (e *Env) CheckLedger(t testing.TB) {
	t.Helper()
	if err := account.CheckLedger(e.ctx, e.DB.R); err != nil {
		t.Fatal("ledger invariant broken: ", err)
	}
}

// Balance returns a user's balance in cents.
func (e *Env) Balance(t testing.TB, userID int64) int64 {
	t.Helper()
	b, err := e.Accounts.Balance(e.ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Server starts the real HTTP handler on a test server, closed at cleanup.
func (e *Env) Server(t testing.TB) *httptest.Server {
	t.Helper()
	if err := e.Catalog.Refresh(e.ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// Call performs one GET api_command.php call and returns the status code and body.
func Call(t testing.TB, srv *httptest.Server, params url.Values) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/api_command.php?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
