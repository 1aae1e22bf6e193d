package request_test

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/request"
)

func withMarkup(m int64) func(*request.Ask) { return func(a *request.Ask) { a.Markup = m } }

func TestPremiumPrice(t *testing.T) {
	cases := []struct{ base, markup, want int64 }{
		{50, 20, 60}, {100, 10, 110}, {100, 2000, 2100}, {33, 25, 41}, {35, 10, 39}, {1, 50, 2},
	}
	for _, c := range cases {
		if got := request.PremiumPrice(c.base, c.markup); got != c.want {
			t.Errorf("PremiumPrice(%d, %d) = %d, want %d", c.base, c.markup, got, c.want)
		}
	}
}

func TestBidWhenNumbersExistIsOrdinary(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, apptest.Seq("212", 1)...)
		u, _ := e.User(t, 1000)
		r := mustCreate(t, e, u.ID, svc, withMarkup(25))
		if r.Status != request.StatusReserved || r.Markup != 0 || r.PriceCents != 50 {
			t.Fatalf("got %+v", r)
		}
	})
}

func TestBidWaitsWinsAndFiresEvent(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 50, 10*time.Minute)
		e.Numbers(t, apptest.Seq("212", 1)...)
		holder, _ := e.User(t, 1000)
		low, _ := e.User(t, 1000)
		high, _ := e.User(t, 1000)
		plain, _ := e.User(t, 1000)
		e.WithCallback(t, high.ID)
		held := mustCreate(t, e, holder.ID, svc, nil)
		e.Clock.Advance(time.Second)
		bLow := mustCreate(t, e, low.ID, svc, withMarkup(20))
		e.Clock.Advance(time.Second)
		bHigh := mustCreate(t, e, high.ID, svc, withMarkup(25))
		if bHigh.Status != request.StatusAwaiting || bHigh.MDN != "" || bHigh.PriceCents != 63 || bHigh.Markup != 25 {
			t.Fatalf("bid %+v", bHigh)
		}
		if bHigh.TillExpiration(e.Clock.Now()) != 30*time.Minute {
			t.Fatalf("bid lifetime %v", bHigh.TillExpiration(e.Clock.Now()))
		}
		if b := e.Balance(t, high.ID); b != 1000-63 {
			t.Fatalf("bid not charged: %d", b)
		}
		// A plain request now finds nothing; the freed number then goes to
		// the higher bid in the releasing transaction.
		if _, err := create(t, e, plain.ID, svc, nil); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("plain request: %v", err)
		}
		if err := e.Requests.Reject(ctx, holder.ID, held.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := create(t, e, plain.ID, svc, nil); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("plain request took the number from a waiting bid: %v", err)
		}
		won, _ := e.Requests.Get(ctx, high.ID, bHigh.ID)
		if won.Status != request.StatusReserved || won.MDN != held.MDN || won.TillExpiration(e.Clock.Now()) != 10*time.Minute {
			t.Fatalf("winner %+v", won)
		}
		lost, _ := e.Requests.Get(ctx, low.ID, bLow.ID)
		if lost.Status != request.StatusAwaiting {
			t.Fatalf("lower bid %+v", lost)
		}
		var event, payload string
		if err := e.DB.R.QueryRowContext(ctx, `SELECT event, payload FROM callback_events WHERE user_id = $1`, high.ID).Scan(&event, &payload); err != nil {
			t.Fatal(err)
		}
		want := `[["status","ok"],["id","10000003"],["mdn","` + held.MDN + `"],["service","Amazon"],["price","0.63"]]`
		if event != "premium_request" || payload != want {
			t.Fatalf("event %s %s, want %s", event, payload, want)
		}
		// The old 30-minute job of the bid does nothing; the new lifetime rules.
		e.Clock.Advance(10 * time.Minute)
		if err := e.Requests.Expire(ctx, won.ID, time.Unix(bHigh.ExpiresAt, 0)); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Requests.Get(ctx, high.ID, bHigh.ID); got.Status != request.StatusReserved {
			t.Fatalf("stale job changed the request: %+v", got)
		}
		if err := e.Requests.Expire(ctx, won.ID, time.Unix(won.ExpiresAt, 0)); err != nil {
			t.Fatal(err)
		}
		// Timed out without SMS: refunded; the number now goes to the lower bid.
		if b := e.Balance(t, high.ID); b != 1000 {
			t.Fatalf("winner not refunded after timeout: %d", b)
		}
		if got, _ := e.Requests.Get(ctx, low.ID, bLow.ID); got.Status != request.StatusReserved {
			t.Fatalf("second bid did not win the number back: %+v", got)
		}
		e.CheckLedger(t)
	})
}

func TestEqualBidsEarliestWins(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 50, 0)
		u1, _ := e.User(t, 1000)
		u2, _ := e.User(t, 1000)
		first := mustCreate(t, e, u1.ID, svc, withMarkup(50))
		e.Clock.Advance(time.Second)
		mustCreate(t, e, u2.ID, svc, withMarkup(50))
		e.Numbers(t, apptest.Seq("212", 1)...) // an imported number is offered at once
		if got, _ := e.Requests.Get(ctx, u1.ID, first.ID); got.Status != request.StatusReserved {
			t.Fatalf("earlier bid did not win: %+v", got)
		}
	})
}

func TestBidRespectsRejectionsBurnsAndArea(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, "12125550000")
		u, _ := e.User(t, 1000)
		r := mustCreate(t, e, u.ID, svc, nil)
		if err := e.Requests.Reject(ctx, u.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		// u rejected the only number: its bid waits, and a CA bid too.
		own := mustCreate(t, e, u.ID, svc, withMarkup(100))
		other, _ := e.User(t, 1000)
		ca := mustCreate(t, e, other.ID, svc, func(a *request.Ask) { a.Markup, a.State = 10, "CA" })
		if own.Status != request.StatusAwaiting {
			t.Fatalf("own bid %+v", own)
		}
		if err := e.Inventory.SetOnline(ctx, "12125550000", false); err != nil {
			t.Fatal(err)
		}
		if err := e.Inventory.SetOnline(ctx, "12125550000", true); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Requests.Get(ctx, u.ID, own.ID); got.Status != request.StatusAwaiting {
			t.Fatalf("a bid won a number its user rejected: %+v", got)
		}
		if got, _ := e.Requests.Get(ctx, other.ID, ca.ID); got.Status != request.StatusAwaiting {
			t.Fatalf("a CA bid won a NY number: %+v", got)
		}
		// The first CA number goes to u's higher bid (u never rejected it),
		// the second to the CA bid.
		e.Numbers(t, "14155550000")
		if got, _ := e.Requests.Get(ctx, u.ID, own.ID); got.Status != request.StatusReserved || got.MDN != "14155550000" {
			t.Fatalf("higher bid did not get the new number: %+v", got)
		}
		e.Numbers(t, "14155550001")
		if got, _ := e.Requests.Get(ctx, other.ID, ca.ID); got.Status != request.StatusReserved || got.MDN != "14155550001" {
			t.Fatalf("CA bid did not get the CA number: %+v", got)
		}
	})
}

func TestBidExpiryAndCancelRefund(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 50, 0)
		u, _ := e.User(t, 200)
		b1 := mustCreate(t, e, u.ID, svc, withMarkup(10))
		b2 := mustCreate(t, e, u.ID, svc, withMarkup(10))
		if _, err := create(t, e, u.ID, svc, withMarkup(2000)); !errorsAsFunds(err) {
			t.Fatalf("bid over the balance: %v", err)
		}
		if err := e.Requests.Reject(ctx, u.ID, b1.ID); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(request.BidLifetime)
		if err := e.Requests.Expire(ctx, b2.ID, time.Unix(b2.ExpiresAt, 0)); err != nil {
			t.Fatal(err)
		}
		got, _ := e.Requests.Get(ctx, u.ID, b2.ID)
		if got.Status != request.StatusTimedOut || e.Balance(t, u.ID) != 200 {
			t.Fatalf("after bid expiry %+v balance %d", got, e.Balance(t, u.ID))
		}
		e.CheckLedger(t)
	})
}

func errorsAsFunds(err error) bool {
	var f *account.InsufficientFundsError
	return errors.As(err, &f)
}

// 50 concurrent bids, then 10 numbers freed: exactly the 10 best bids (by
// markup, then time) win, and every balance matches its ledger.
func TestConcurrentBids(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 100, 0)
		type bid struct {
			id     int64
			markup int64
			user   int64
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			bids []bid
		)
		users := make([]int64, 50)
		for i := range users {
			u, _ := e.User(t, 10000)
			users[i] = u.ID
		}
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				m := int64(10 + (i*37)%200)
				rs, err := e.Requests.Create(ctx, request.Ask{UserID: users[i], Services: []catalog.Service{svc}, Markup: m})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				bids = append(bids, bid{rs[0].ID, m, users[i]})
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		var free sync.WaitGroup
		for _, mdn := range apptest.Seq("212", 10) {
			free.Add(1)
			go func(mdn string) {
				defer free.Done()
				e.Numbers(t, mdn)
			}(mdn)
		}
		free.Wait()
		sort.Slice(bids, func(i, j int) bool {
			if bids[i].markup != bids[j].markup {
				return bids[i].markup > bids[j].markup
			}
			return bids[i].id < bids[j].id
		})
		for i, b := range bids {
			got, err := e.Requests.Get(ctx, b.user, b.id)
			if err != nil {
				t.Fatal(err)
			}
			wantWon := i < 10
			if (got.Status == request.StatusReserved) != wantWon {
				t.Errorf("bid %d (markup %d, rank %d): status %s", b.id, b.markup, i, got.Status)
			}
		}
		e.CheckLedger(t)
	})
}

func TestMatchWaitingSweep(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 50, 0)
		u, _ := e.User(t, 1000)
		b := mustCreate(t, e, u.ID, svc, withMarkup(10))
		// A number that appears without passing through an availability
		// notification (written directly, as a concurrent race would leave it).
		if _, err := e.DB.W.ExecContext(ctx,
			`INSERT INTO numbers (mdn, area_code, state, carrier, gateway, created_at) VALUES ('12125550000', '212', 'NY', 'ATT', 'sim', 0)`); err != nil {
			t.Fatal(err)
		}
		n, err := e.Requests.MatchWaiting(ctx)
		if err != nil || n != 1 {
			t.Fatalf("sweep won %d, %v", n, err)
		}
		if got, _ := e.Requests.Get(ctx, u.ID, b.ID); got.Status != request.StatusReserved {
			t.Fatalf("after sweep %+v", got)
		}
	})
}

func TestRecommendedMarkup(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Amazon", 50, 0)
		if m, err := e.Catalog.RecommendedMarkup(ctx, svc.ID); err != nil || m != 10 {
			t.Fatalf("no history: %d %v", m, err)
		}
		u, _ := e.User(t, 100000)
		for i, m := range []int64{10, 20, 30, 40, 50, 60, 70, 80} {
			mustCreate(t, e, u.ID, svc, withMarkup(m))
			e.Numbers(t, apptest.Seq("212", i+1)[i])
		}
		// Each bid wins the number imported after it. Nearest rank:
		// ceil(0.75 × 8) = the 6th smallest winning markup.
		if m, err := e.Catalog.RecommendedMarkup(ctx, svc.ID); err != nil || m != 60 {
			t.Fatalf("got %d %v, want 60", m, err)
		}
		e.Clock.Advance(25 * time.Hour)
		if m, _ := e.Catalog.RecommendedMarkup(ctx, svc.ID); m != 10 {
			t.Fatalf("old wins still counted: %d", m)
		}
	})
}
