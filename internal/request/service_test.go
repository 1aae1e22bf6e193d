package request_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

var ctx = context.Background()

func create(t *testing.T, e *apptest.Env, userID int64, svc catalog.Service, mod func(*request.Ask)) (request.Request, error) {
	t.Helper()
	a := request.Ask{UserID: userID, Services: []catalog.Service{svc}}
	if mod != nil {
		mod(&a)
	}
	rs, err := e.Requests.Create(ctx, a)
	if err != nil {
		return request.Request{}, err
	}
	if len(rs) != len(a.Services) {
		t.Fatalf("%d requests for %d services", len(rs), len(a.Services))
	}
	return rs[0], nil
}

func mustCreate(t *testing.T, e *apptest.Env, userID int64, svc catalog.Service, mod func(*request.Ask)) request.Request {
	t.Helper()
	r, err := create(t, e, userID, svc, mod)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func deliver(t *testing.T, e *apptest.Env, to, text string) message.Delivery {
	t.Helper()
	d, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: to, From: "22000", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCreateChargesAndRotates(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 3)...)
		u, _ := e.User(t, 1000)
		var got []string
		for i := 0; i < 3; i++ {
			r := mustCreate(t, e, u.ID, svc, nil)
			if r.Status != request.StatusReserved || r.PriceCents != 120 || r.Carrier != "TMobile" {
				t.Fatalf("unexpected request %+v", r)
			}
			if r.TillExpiration(e.Clock.Now()) != 900*time.Second {
				t.Fatalf("till_expiration %v", r.TillExpiration(e.Clock.Now()))
			}
			got = append(got, r.MDN)
			e.Clock.Advance(time.Second)
		}
		if got[0] == got[1] || got[1] == got[2] || got[0] == got[2] {
			t.Fatalf("a number was given twice: %v", got)
		}
		if b := e.Balance(t, u.ID); b != 1000-360 {
			t.Fatalf("balance %d", b)
		}
		if _, err := create(t, e, u.ID, svc, nil); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("want none available, got %v", err)
		}
		e.CheckLedger(t)
	})
}

func TestLeastRecentlyUsedFirst(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, time.Minute)
		e.Numbers(t, apptest.Seq("212", 2)...)
		u, _ := e.User(t, 10000)
		first := mustCreate(t, e, u.ID, svc, nil)
		e.Clock.Advance(time.Second)
		second := mustCreate(t, e, u.ID, svc, nil)
		// Both time out; the one used first must be offered first again.
		e.Clock.Advance(2 * time.Minute)
		for _, r := range []request.Request{first, second} {
			if err := e.Requests.Expire(ctx, r.ID, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		again := mustCreate(t, e, u.ID, svc, nil)
		if again.MDN != first.MDN {
			t.Fatalf("got %s, want least recently used %s", again.MDN, first.MDN)
		}
	})
}

func TestInsufficientFunds(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 150, 0)
		e.Numbers(t, apptest.Seq("212", 1)...)
		u, _ := e.User(t, 100)
		_, err := create(t, e, u.ID, svc, nil)
		var funds *account.InsufficientFundsError
		if !errors.As(err, &funds) || funds.BalanceCents != 100 {
			t.Fatalf("want insufficient funds with balance 100, got %v", err)
		}
		if b := e.Balance(t, u.ID); b != 100 {
			t.Fatalf("balance changed to %d", b)
		}
		n, _ := e.Inventory.Get(ctx, apptest.Seq("212", 1)[0])
		if n.HeldBy != 0 {
			t.Fatal("number held after a failed request")
		}
		e.CheckLedger(t)
	})
}

func TestRejectRefundsAndNeverOffersAgain(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, apptest.Seq("212", 1)...)
		u, _ := e.User(t, 500)
		other, _ := e.User(t, 500)
		r := mustCreate(t, e, u.ID, svc, nil)
		if err := e.Requests.Reject(ctx, other.ID, r.ID); !errors.Is(err, request.ErrNotFound) {
			t.Fatalf("foreign reject: %v", err)
		}
		if err := e.Requests.Reject(ctx, u.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if b := e.Balance(t, u.ID); b != 500 {
			t.Fatalf("not refunded: %d", b)
		}
		got, _ := e.Requests.Get(ctx, u.ID, r.ID)
		if got.Status != request.StatusRejected || got.TillExpiration(e.Clock.Now()) != 0 {
			t.Fatalf("after reject: %+v", got)
		}
		var closed *request.ClosedError
		if err := e.Requests.Reject(ctx, u.ID, r.ID); !errors.As(err, &closed) {
			t.Fatalf("second reject: %v", err)
		}
		if _, err := create(t, e, u.ID, svc, nil); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("rejected number offered again: %v", err)
		}
		// Another user may have it.
		if r2 := mustCreate(t, e, other.ID, svc, nil); r2.MDN != r.MDN {
			t.Fatalf("other user got %s", r2.MDN)
		}
		e.CheckLedger(t)
	})
}

func TestMessageCompletesAndBurns(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, time.Minute)
		amazon := e.Service(t, "Amazon", 50, time.Minute)
		e.Numbers(t, apptest.Seq("212", 1)...)
		u, _ := e.User(t, 1000)
		other, _ := e.User(t, 1000)
		r := mustCreate(t, e, u.ID, google, nil)
		d := deliver(t, e, r.MDN, "G-123456 is your Google verification code.")
		if d.Unowned || d.Message.RequestID != r.ID || d.Message.PIN != "G-123456" {
			t.Fatalf("delivery %+v", d)
		}
		deliver(t, e, r.MDN, "G-654321 is your Google verification code.")
		got, _ := e.Requests.Get(ctx, u.ID, r.ID)
		if got.Status != request.StatusCompleted || got.Messages != 2 {
			t.Fatalf("after messages: %+v", got)
		}
		if err := e.Requests.Reject(ctx, u.ID, r.ID); !errors.Is(err, request.ErrHasMessages) {
			t.Fatalf("reject after message: %v", err)
		}
		// Completed requests keep the number until expiry, then keep the charge.
		e.Clock.Advance(2 * time.Minute)
		if err := e.Requests.Expire(ctx, r.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, _ = e.Requests.Get(ctx, u.ID, r.ID)
		if got.Status != request.StatusCompleted || e.Balance(t, u.ID) != 900 {
			t.Fatalf("after expiry: %+v balance %d", got, e.Balance(t, u.ID))
		}
		// Burnt for Google: not for another user, even by mdn; fresh for Amazon.
		if _, err := create(t, e, other.ID, google, nil); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("burnt number offered: %v", err)
		}
		if _, err := create(t, e, other.ID, google, func(a *request.Ask) { a.MDN = r.MDN }); !errors.Is(err, inventory.ErrMDNUnavailable) {
			t.Fatalf("burnt number by mdn to another user: %v", err)
		}
		r2 := mustCreate(t, e, u.ID, google, func(a *request.Ask) { a.MDN = r.MDN })
		if r2.MDN != r.MDN {
			t.Fatal("owner could not reuse its number")
		}
		if err := e.Requests.Reject(ctx, u.ID, r2.ID); err != nil {
			t.Fatal(err)
		}
		if r3 := mustCreate(t, e, other.ID, amazon, nil); r3.MDN != r.MDN {
			t.Fatalf("number not fresh for Amazon: %+v", r3)
		}
		e.CheckLedger(t)
	})
}

func TestExpiryTimesOutAndRefunds(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 30*time.Second)
		e.Numbers(t, apptest.Seq("212", 1)...)
		u, _ := e.User(t, 100)
		r := mustCreate(t, e, u.ID, svc, nil)
		e.Clock.Advance(29 * time.Second)
		if err := e.Requests.Expire(ctx, r.ID, time.Time{}); !errors.Is(err, request.ErrNotDue) {
			t.Fatalf("early expiry: %v", err)
		}
		e.Clock.Advance(time.Second)
		if err := e.Requests.Expire(ctx, r.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		// A second run of the job changes nothing.
		if err := e.Requests.Expire(ctx, r.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, _ := e.Requests.Get(ctx, u.ID, r.ID)
		if got.Status != request.StatusTimedOut || e.Balance(t, u.ID) != 100 {
			t.Fatalf("after expiry %+v balance %d", got, e.Balance(t, u.ID))
		}
		// The number is free again, and a late SMS is unowned.
		if d := deliver(t, e, r.MDN, "code 1234"); !d.Unowned {
			t.Fatalf("late SMS delivered to %+v", d)
		}
		if _, err := create(t, e, u.ID, svc, nil); err != nil {
			t.Fatalf("number not back in the pool: %v", err)
		}
		e.CheckLedger(t)
	})
}

func TestAreaCodeAndState(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 10, 0)
		e.Numbers(t, "12125550000", "14155550000", "13105550000") // NY, CA, CA
		u, _ := e.User(t, 1000)
		r := mustCreate(t, e, u.ID, svc, func(a *request.Ask) { a.AreaCode = "415" })
		if r.MDN != "14155550000" {
			t.Fatalf("areacode: got %s", r.MDN)
		}
		r = mustCreate(t, e, u.ID, svc, func(a *request.Ask) { a.State = "CA" })
		if r.MDN != "13105550000" || r.State != "CA" {
			t.Fatalf("state: got %+v", r)
		}
		if _, err := create(t, e, u.ID, svc, func(a *request.Ask) { a.State = "CA" }); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("state exhausted: %v", err)
		}
		if _, err := create(t, e, u.ID, svc, func(a *request.Ask) { a.AreaCode = "999" }); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("unknown area: %v", err)
		}
	})
}

func TestOpenRequestCap(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 10, 0)
		e.Numbers(t, apptest.Seq("212", 25)...)
		u, _ := e.User(t, 10000)
		for i := 0; i < 20; i++ {
			mustCreate(t, e, u.ID, svc, nil)
		}
		if _, err := create(t, e, u.ID, svc, nil); !errors.Is(err, request.ErrTooManyOpen) {
			t.Fatalf("21st request: %v", err)
		}
		if b := e.Balance(t, u.ID); b != 10000-200 {
			t.Fatalf("balance %d", b)
		}
	})
}

func TestUnavailableNumbers(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 10, 0)
		e.Numbers(t, "12125550000", "12125550001")
		if err := e.Inventory.SetEnabled(ctx, "12125550000", false); err != nil {
			t.Fatal(err)
		}
		if err := e.Inventory.SetOnline(ctx, "12125550001", false); err != nil {
			t.Fatal(err)
		}
		u, _ := e.User(t, 1000)
		if _, err := create(t, e, u.ID, svc, nil); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("disabled/offline number offered: %v", err)
		}
		if _, err := create(t, e, u.ID, svc, func(a *request.Ask) { a.MDN = "12125550000" }); !errors.Is(err, inventory.ErrMDNUnavailable) {
			t.Fatalf("disabled number by mdn: %v", err)
		}
		if err := e.Inventory.SetOnline(ctx, "12125550001", true); err != nil {
			t.Fatal(err)
		}
		r := mustCreate(t, e, u.ID, svc, nil)
		if _, err := create(t, e, u.ID, svc, func(a *request.Ask) { a.MDN = r.MDN }); !errors.Is(err, inventory.ErrMDNUnavailable) {
			t.Fatalf("held number by mdn: %v", err)
		}
	})
}
