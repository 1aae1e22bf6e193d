package request_test

import (
	"errors"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

func createGroup(t *testing.T, e *apptest.Env, userID int64, svcs ...catalog.Service) ([]request.Request, error) {
	t.Helper()
	return e.Requests.Create(ctx, request.Ask{UserID: userID, Services: svcs})
}

func TestMultiServiceShareOneFreshNumber(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, time.Minute)
		amazon := e.Service(t, "Amazon", 50, 2*time.Minute)
		if _, err := e.Catalog.AddRule(ctx, "Amazon", catalog.RuleSender, "23383"); err != nil {
			t.Fatal(err)
		}
		e.Numbers(t, "12125550000", "12125550001")
		u, _ := e.User(t, 1000)
		other, _ := e.User(t, 1000)
		// Burn the first number for Google: the group must get the second.
		r := mustCreate(t, e, other.ID, google, nil)
		deliver(t, e, r.MDN, "G-111111 is your Google verification code.")
		rs, err := createGroup(t, e, u.ID, google, amazon)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || rs[0].MDN != rs[1].MDN || rs[0].MDN == r.MDN || rs[0].ID == rs[1].ID {
			t.Fatalf("group %+v", rs)
		}
		if rs[0].PriceCents != 100 || rs[1].PriceCents != 50 || e.Balance(t, u.ID) != 850 {
			t.Fatalf("prices %d %d balance %d", rs[0].PriceCents, rs[1].PriceCents, e.Balance(t, u.ID))
		}
		// Routed by sender rule, then by the service's name in the text, else to the first.
		d := deliver2(t, e, rs[0].MDN, "23383", "123456 is your one-time password")
		if d.Message.RequestID != rs[1].ID || d.Message.Service != "Amazon" {
			t.Fatalf("sender rule: routed to %d", d.Message.RequestID)
		}
		d = deliver2(t, e, rs[0].MDN, "555", "Your code is 4444")
		if d.Message.RequestID != rs[0].ID {
			t.Fatalf("fallback: routed to %d", d.Message.RequestID)
		}
		// Google expires first (completed, keeps its charge); the number stays
		// held for Amazon until Amazon's lifetime ends.
		e.Clock.Advance(time.Minute)
		if err := e.Requests.Expire(ctx, rs[0].ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		n, _ := e.Inventory.Get(ctx, rs[0].MDN)
		if n.HeldBy != u.ID {
			t.Fatal("number released while Amazon still holds it")
		}
		e.Clock.Advance(time.Minute)
		if err := e.Requests.Expire(ctx, rs[1].ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		n, _ = e.Inventory.Get(ctx, rs[0].MDN)
		if n.HeldBy != 0 {
			t.Fatal("number not released after the last request of the group")
		}
		if e.Balance(t, u.ID) != 850 {
			t.Fatalf("completed group charges changed: %d", e.Balance(t, u.ID))
		}
		e.CheckLedger(t)
	})
}

func deliver2(t *testing.T, e *apptest.Env, to, from, text string) message.Delivery {
	t.Helper()
	d, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: to, From: from, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMultiServiceRejectOneRefundsOne(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, 0)
		amazon := e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, "12125550000")
		u, _ := e.User(t, 1000)
		rs, err := createGroup(t, e, u.ID, google, amazon)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Requests.Reject(ctx, u.ID, rs[1].ID); err != nil {
			t.Fatal(err)
		}
		if e.Balance(t, u.ID) != 900 {
			t.Fatalf("balance %d", e.Balance(t, u.ID))
		}
		if got, _ := e.Requests.Get(ctx, u.ID, rs[0].ID); got.Status != request.StatusReserved {
			t.Fatalf("sibling changed: %+v", got)
		}
		n, _ := e.Inventory.Get(ctx, rs[0].MDN)
		if n.HeldBy != u.ID {
			t.Fatal("number released while Google still holds it")
		}
		if err := e.Requests.Reject(ctx, u.ID, rs[0].ID); err != nil {
			t.Fatal(err)
		}
		if e.Balance(t, u.ID) != 1000 {
			t.Fatalf("balance %d", e.Balance(t, u.ID))
		}
		e.CheckLedger(t)
	})
}

func TestMultiServiceNeedsOneNumberForAll(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, 0)
		amazon := e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, "12125550000", "12125550001")
		u, _ := e.User(t, 1000)
		other, _ := e.User(t, 1000)
		// Burn number 0 for Google and number 1 for Amazon: none fits both.
		r1 := mustCreate(t, e, other.ID, google, func(a *request.Ask) { a.MDN = "12125550000" })
		deliver(t, e, r1.MDN, "G-1 code 123456")
		r2 := mustCreate(t, e, other.ID, amazon, func(a *request.Ask) { a.MDN = "12125550001" })
		deliver(t, e, r2.MDN, "Amazon code 123456")
		e.Clock.Advance(time.Hour)
		for _, r := range []request.Request{r1, r2} {
			if err := e.Requests.Expire(ctx, r.ID, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := createGroup(t, e, u.ID, google, amazon); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("got %v", err)
		}
		// Each number alone is still fine for the service it is fresh for.
		if _, err := createGroup(t, e, u.ID, amazon); err != nil {
			t.Fatal(err)
		}
		if e.Balance(t, u.ID) != 950 {
			t.Fatalf("balance %d: charged for nothing", e.Balance(t, u.ID))
		}
	})
}
