package app_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"mdnhub/internal/app"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// Two processes on one database: what the first keeps in memory for polling
// commands (a balance, a request, a read_sms answer) follows the changes the
// second makes within db.ChangeStaleness (SQLite: the other process's
// commit is seen by the watcher; PostgreSQL: by notification).
func TestViewsFollowOtherProcesses(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			cfg := config.Default()
			cfg.DB.Driver = driver
			cfg.Log.Level = "error"
			if driver == "postgres" {
				cfg.DB.DSN = dbtest.PostgresDSN(t, "viewsync")
			} else {
				cfg.DB.Path = filepath.Join(t.TempDir(), "mdnhub.db")
			}
			open := func() *app.App {
				a, err := app.Open(context.Background(), cfg, app.NewLogger(cfg.Log, io.Discard), clock.Real{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				for deadline := time.Now().Add(10 * time.Second); !a.DB.Hearing(); time.Sleep(5 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatal("the change feed does not hear other processes")
					}
				}
				return a
			}
			ctx := context.Background()
			srv, op := open(), open()
			svc, err := op.Catalog.Put(ctx, catalog.Service{Name: "Google", PriceCents: 100, LTRPriceCents: 2000, LTRShortPriceCents: 500, Enabled: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := op.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550100", Carrier: "TMobile", Gateway: "sim"},
				{MDN: "12125550101", Carrier: "TMobile", Gateway: "sim"}}); err != nil {
				t.Fatal(err)
			}
			u, err := op.Accounts.Create(ctx, "alice", "alice@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := op.Accounts.Credit(ctx, u.ID, 1000, "test"); err != nil {
				t.Fatal(err)
			}
			rs, err := op.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
			if err != nil {
				t.Fatal(err)
			}
			f := message.Filter{UserID: u.ID, RequestID: rs[0].ID}
			// The server reads, and keeps, each value.
			if b, err := srv.Accounts.Balance(ctx, u.ID); err != nil || b != 900 {
				t.Fatalf("balance %d %v", b, err)
			}
			if r, err := srv.Requests.Get(ctx, u.ID, rs[0].ID); err != nil || r.Status != request.StatusReserved {
				t.Fatalf("request %+v %v", r, err)
			}
			if ms, err := srv.Messages.Read(ctx, f); err != nil || len(ms) != 0 {
				t.Fatalf("read %v %v", ms, err)
			}
			// The other process credits the user and delivers a message.
			if _, err := op.Accounts.Credit(ctx, u.ID, 500, "more"); err != nil {
				t.Fatal(err)
			}
			if _, err := op.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: rs[0].MDN, From: "22000", Text: "G-123456 is your Google verification code."}); err != nil {
				t.Fatal(err)
			}
			within := time.Now().Add(db.ChangeStaleness + 500*time.Millisecond)
			for {
				b, _ := srv.Accounts.Balance(ctx, u.ID)
				r, _ := srv.Requests.Get(ctx, u.ID, rs[0].ID)
				ms, _ := srv.Messages.Read(ctx, f)
				if b == 1400 && r.Status == request.StatusCompleted && len(ms) == 1 {
					break
				}
				if time.Now().After(within) {
					t.Fatalf("after %s: balance %d, status %s, %d messages", db.ChangeStaleness, b, r.Status, len(ms))
				}
				time.Sleep(10 * time.Millisecond)
			}
			// A long-poll in the server answers a message the other
			// process stores.
			rs2, err := op.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
			if err != nil {
				t.Fatal(err)
			}
			{
				got := make(chan int, 1)
				go func() {
					ms, _ := srv.Messages.ReadWait(ctx, message.Filter{UserID: u.ID, RequestID: rs2[0].ID}, 10*time.Second)
					got <- len(ms)
				}()
				time.Sleep(200 * time.Millisecond)
				if _, err := op.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: rs2[0].MDN, From: "22000", Text: "G-654321 is your Google verification code."}); err != nil {
					t.Fatal(err)
				}
				select {
				case n := <-got:
					if n != 1 {
						t.Fatalf("long-poll answered %d messages", n)
					}
				case <-time.After(db.ChangeStaleness + 2*time.Second):
					t.Fatal("the long-poll did not hear the other process's message")
				}
			}
		})
	}
}
