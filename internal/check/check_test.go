package check_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/check"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

var ctx = context.Background()

// world builds a small busy world: requests completed, rejected, timed out
// and open, a rental with messages, an outbound SMS, a callback.
func world(t *testing.T, e *apptest.Env) (userID int64) {
	t.Helper()
	svc := e.Service(t, "Google", 100, 10*time.Minute)
	e.Numbers(t, apptest.Seq("212", 6)...)
	u, _ := e.User(t, 100000)
	e.WithCallback(t, u.ID)
	ask := request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}
	create := func() request.Request {
		t.Helper()
		rs, err := e.Requests.Create(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		return rs[0]
	}
	done, rejected, expired := create(), create(), create()
	create() // stays open
	deliver := func(mdn string) {
		t.Helper()
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: mdn, From: "22000", Text: "G-123456 is your code"}); err != nil {
			t.Fatal(err)
		}
	}
	deliver(done.MDN)
	if err := e.Requests.Reject(ctx, u.ID, rejected.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Messages.Send(ctx, message.SendAsk{UserID: u.ID, MDN: done.MDN, Text: "thanks"}); err != nil {
		t.Fatal(err)
	}
	r, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	deliver(r.MDN)
	e.Clock.Advance(11 * time.Minute)
	for _, id := range []int64{done.ID, expired.ID} {
		if err := e.Requests.Expire(ctx, id, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	return u.ID
}

func run(t *testing.T, e *apptest.Env) check.Report {
	t.Helper()
	rep, err := check.Run(ctx, e.DB, check.Options{Now: e.Clock.Now(), SendGrace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// A healthy world passes; each kind of corruption is caught, named.
func TestInvariants(t *testing.T) {
	corruptions := []struct {
		name, sql, want string
	}{
		{"balance off its ledger", `UPDATE users SET balance_cents = balance_cents + 1`, "ledger: user"},
		{"two holders", `UPDATE requests SET user_id = (SELECT MAX(id) FROM users), number_id = (SELECT number_id FROM rentals LIMIT 1) WHERE closed_at IS NULL`, "holders: number"},
		{"held_by wrong", `UPDATE numbers SET held_by = NULL WHERE held_by IS NOT NULL`, "held_by"},
		{"refund of a completed request", `UPDATE requests SET messages = 1 WHERE status = 'Rejected'`, "matches nothing refundable"},
		{"refunded twice", `INSERT INTO ledger (user_id, amount_cents, balance_cents, kind, reason, ref_id, created_at)
			SELECT user_id, amount_cents, balance_cents, kind, reason, ref_id, created_at FROM ledger WHERE reason LIKE 'Refund of request %' LIMIT 1`, "refunded 2 times"},
		{"timed out without refund", `UPDATE requests SET status = 'Timed Out', messages = 0, closed_at = COALESCE(closed_at, created_at) WHERE status = 'Completed'`, "was not refunded"},
		{"another's message", `UPDATE messages SET user_id = (SELECT MAX(id) FROM users) WHERE kind = 'sms' AND request_id IS NOT NULL`, "messages: message"},
		{"message before the holding", `UPDATE messages SET received_at = 1000 WHERE kind = 'sms' AND rental_id IS NOT NULL`, "is shown to rental"},
		{"orphan request", `DELETE FROM river_job WHERE kind = 'expire_request'`, "has no pending expire_request job"},
		{"job given up", `UPDATE river_job SET state = 'discarded', finalized_at = created_at WHERE kind = 'expire_rental'`, "was discarded"},
		{"outbound stuck", `UPDATE messages SET status = 'sending', send_deadline = 1 WHERE kind = 'outbound'`, "still sending"},
	}
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		world(t, e)
		// Another user, for the corruptions that need one.
		e.User(t, 0)
		rep := run(t, e)
		if !rep.OK() {
			t.Fatalf("healthy world: %v", rep.Err())
		}
		for _, n := range []string{"ledger", "holders", "refunds", "messages", "jobs", "outbound"} {
			if rep.Checked[n] == 0 {
				t.Errorf("invariant %s checked no rows", n)
			}
		}
		for _, c := range corruptions {
			t.Run(c.name, func(t *testing.T) {
				tx, err := e.DB.W.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if _, err := tx.ExecContext(ctx, c.sql); err != nil {
					t.Fatal(err)
				}
				// Check inside the corrupting transaction, then roll it back.
				rep, err := check.RunTx(ctx, tx, check.Options{Now: e.Clock.Now(), SendGrace: time.Minute, Dialect: e.DB.Dialect})
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK() || !strings.Contains(rep.Err().Error(), c.want) {
					t.Fatalf("corruption %q not caught as %q: %v", c.name, c.want, rep.Err())
				}
			})
		}
		if rep := run(t, e); !rep.OK() {
			t.Fatalf("after the rollbacks: %v", rep.Err())
		}
	})
}
