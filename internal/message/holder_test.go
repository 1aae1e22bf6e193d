package message_test

import (
	"errors"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// A message belongs to whoever held the number when it was received. Alice's
// code, received by the gateway while she held the number but delivered
// after Bob took it, never reaches Bob: he is not shown it, not charged, and
// can still reject. A gateway time in the future is now.
func TestMessageGoesToTheHolderAtReceipt(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 10*time.Minute)
		e.Numbers(t, "12125550000")
		alice, _ := e.User(t, 1000)
		bob, _ := e.User(t, 1000)
		ra := first(t, e, request.Ask{UserID: alice.ID, Services: []catalog.Service{svc}})
		aliceTime := e.Clock.Now().Add(time.Minute)
		e.Clock.Advance(2 * time.Minute)
		if err := e.Requests.Reject(ctx, alice.ID, ra.ID); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute)
		rb := first(t, e, request.Ask{UserID: bob.ID, Services: []catalog.Service{svc}})
		if rb.MDN != ra.MDN {
			t.Fatalf("Bob got %s, not Alice's %s", rb.MDN, ra.MDN)
		}
		e.Clock.Advance(time.Minute)

		late := message.Inbound{Gateway: "sim", To: rb.MDN, From: "22000", Text: "G-111111 is your Google verification code.", ReceivedAt: aliceTime}
		d, err := e.Messages.Deliver(ctx, late)
		if err != nil || !d.Unowned || d.Message.UserID != 0 || d.Message.ReceivedAt != aliceTime.Unix() {
			t.Fatalf("Alice's late code: %+v %v", d, err)
		}
		if got, _ := e.Requests.Get(ctx, bob.ID, rb.ID); got.Status != request.StatusReserved || got.Messages != 0 {
			t.Fatalf("Bob's request after Alice's code: %+v", got)
		}
		if ms, _ := e.Messages.Read(ctx, message.Filter{UserID: bob.ID}); len(ms) != 0 {
			t.Fatalf("Bob is shown %+v", ms)
		}
		// Bob's own code, timed by the gateway after he took the number,
		// and one timed in the future (shown as received now).
		own := late
		own.Text, own.ReceivedAt = "G-222222 is your Google verification code.", e.Clock.Now().Add(-30*time.Second)
		if d, err := e.Messages.Deliver(ctx, own); err != nil || d.Message.UserID != bob.ID || d.Message.RequestID != rb.ID {
			t.Fatalf("Bob's code: %+v %v", d, err)
		}
		ahead := late
		ahead.Text, ahead.ReceivedAt = "G-333333 is your Google verification code.", e.Clock.Now().Add(time.Hour)
		if d, err := e.Messages.Deliver(ctx, ahead); err != nil || d.Message.UserID != bob.ID || d.Message.ReceivedAt != e.Clock.Now().Unix() {
			t.Fatalf("a code from the future: %+v %v", d, err)
		}
		if b := e.Balance(t, alice.ID); b != 1000 {
			t.Fatalf("Alice was charged: %d", b)
		}
		e.CheckLedger(t)
	})
}

// A renewal keeps the holder: a message the gateway received during the
// first rental of the chain reaches its renewal.
func TestMessageReachesTheRenewedRental(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		u, _ := e.User(t, 100000)
		first, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30})
		if err != nil {
			t.Fatal(err)
		}
		during := e.Clock.Now().Add(time.Hour)
		e.Clock.Advance(2 * time.Hour)
		renewal, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30, MDN: first.MDN})
		if err != nil || renewal.ID == first.ID {
			t.Fatalf("renewal %+v %v", renewal, err)
		}
		d, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: first.MDN, From: "22000", Text: "G-444444 is your code", ReceivedAt: during})
		if err != nil || d.Message.RentalID != renewal.ID || d.Message.UserID != u.ID {
			t.Fatalf("delivery %+v %v", d, err)
		}
	})
}

// A gateway delivers only to its own numbers: another gateway's number is
// refused, stored nowhere and counted; a number not in the inventory is kept
// as unowned for the operator.
func TestGatewayDeliversOnlyToItsNumbers(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "13125550000", Gateway: "push1"}}); err != nil {
			t.Fatal(err)
		}
		u, _ := e.User(t, 1000)
		r := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550000"})
		text := "G-555555 is your Google verification code."
		_, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "push1", To: r.MDN, From: "22000", Text: text, GatewayID: "x1"})
		if !errors.Is(err, message.ErrForeignNumber) {
			t.Fatalf("push1 to a simulator number: %v", err)
		}
		res, err := e.Messages.DeliverBatch(ctx, []message.Inbound{
			{Gateway: "push1", To: r.MDN, From: "22000", Text: text},
			{Gateway: "push1", To: "13125550000", From: "22000", Text: "hello"},
			{Gateway: "push1", To: "14155550000", From: "22000", Text: "not ours"},
		})
		if err != nil || !errors.Is(res[0].Err, message.ErrForeignNumber) || res[1].Err != nil || !res[1].Unowned || res[2].Err != nil || !res[2].Unowned {
			t.Fatalf("batch %+v %v", res, err)
		}
		if got, _ := e.Requests.Get(ctx, u.ID, r.ID); got.Status != request.StatusReserved || got.Messages != 0 {
			t.Fatalf("request reached through another gateway: %+v", got)
		}
		var stored int
		if err := e.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE body = $1`, text).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("%d refused messages stored (%v)", stored, err)
		}
		if n := refusals(t, e, "push1"); n != 2 {
			t.Fatalf("refusals counted: %v", n)
		}
	})
}

// refusals reads mdnhub_inbound_refused_total of a gateway from the
// process registry.
func refusals(t *testing.T, e *apptest.Env, gateway string) float64 {
	t.Helper()
	mfs, err := e.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "mdnhub_inbound_refused_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "gateway" && l.GetValue() == gateway {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
