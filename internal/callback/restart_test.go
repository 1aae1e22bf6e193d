package callback_test

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"mdnhub/internal/app"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/db/dbtest"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// A restart in the middle of the retry schedule loses no delivery and
// repeats none: the retries are River jobs stored with the event.
func TestRestartDuringRetries(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			cfg := config.Default()
			cfg.DB.Driver = driver
			if driver == "postgres" {
				cfg.DB.DSN = dbtest.PostgresDSN(t, "cbrestart")
			} else {
				cfg.DB.Path = filepath.Join(t.TempDir(), "cb.db")
				cfg.DB.Synchronous = "NORMAL"
			}
			cfg.Callbacks.AllowPrivate = true
			cfg.Callbacks.RetryInterval = time.Second
			cfg.Log.Level = "error"
			open := func() *app.App {
				a, err := app.Open(ctx, cfg, app.NewLogger(cfg.Log, io.Discard), clock.Real{})
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
			rcv := newReceiver(t, 500, 500)
			a := open()
			u, err := a.Accounts.Create(ctx, "restart", "restart@example.com")
			if err != nil {
				t.Fatal(err)
			}
			a.Accounts.Credit(ctx, u.ID, 1000, "test")
			if _, err := a.Accounts.SetCallback(ctx, u.ID, rcv.srv.URL, ""); err != nil {
				t.Fatal(err)
			}
			svc, _ := a.Catalog.Put(ctx, catalog.Service{Name: "Google", PriceCents: 100, Enabled: true})
			if _, err := a.DB.W.ExecContext(ctx, `INSERT INTO numbers (mdn, area_code, state, gateway, created_at) VALUES ('12125550000', '212', 'NY', 'lab', 0)`); err != nil {
				t.Fatal(err)
			}
			rs, err := a.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Jobs.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Messages.Deliver(ctx, message.Inbound{Gateway: "lab", To: rs[0].MDN, From: "22000", Text: "code 123456"}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return rcv.count() >= 1 })
			// Stop the node after the first failed attempt and start another.
			a.Jobs.Stop(ctx)
			a.Close()
			b := open()
			defer b.Close()
			if err := b.Jobs.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer b.Jobs.Stop(ctx)
			var status string
			var attempts int64
			waitFor(t, func() bool {
				b.DB.R.QueryRowContext(ctx, `SELECT status, attempts FROM callback_events`).Scan(&status, &attempts)
				return status == "delivered"
			})
			time.Sleep(1500 * time.Millisecond) // room for a duplicate to show up, if any
			if rcv.count() != 3 || attempts != 3 {
				t.Fatalf("%d requests, %d attempts; want 3 and 3", rcv.count(), attempts)
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
