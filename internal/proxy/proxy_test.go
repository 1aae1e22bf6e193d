package proxy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/proxy"
	"mdnhub/internal/proxy/front"
	"mdnhub/internal/proxy/redial"
)

var ctx = context.Background()

func port(t *testing.T, e *apptest.Env, id string, capacity int64, action string) {
	t.Helper()
	p := proxy.Port{ID: id, Location: "NJ", Carrier: "Verizon", RedialMinutes: 15, Capacity: capacity, ExclusiveAllowed: true,
		Upstream: "socks5://127.0.0.1:1080", RedialAction: action, RedialTimeout: 5 * time.Second, Enabled: true}
	if err := e.Proxies.PutPort(ctx, p); err != nil {
		t.Fatal(err)
	}
}

func TestPrice(t *testing.T) {
	e := apptest.New(t, "sqlite", nil) // 0.50 shared, 2.00 exclusive, 10% from 24h, 25% from 168h
	cases := []struct {
		minutes   int64
		exclusive bool
		want      int64
	}{
		{60, false, 50}, {90, false, 75}, {120, true, 400}, {24 * 60, false, 1080}, {7 * 24 * 60, true, 25200},
	}
	for _, c := range cases {
		if got := e.Proxies.Price(c.minutes, c.exclusive); got != c.want {
			t.Errorf("Price(%d, %v) = %d, want %d", c.minutes, c.exclusive, got, c.want)
		}
	}
}

func TestRentListSwapExpire(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		port(t, e, "50001", 2, "")
		port(t, e, "50002", 2, "")
		u, _ := e.User(t, 10000)
		other, _ := e.User(t, 10000)
		var revoked []int64
		var mu sync.Mutex
		e.Proxies.OnRevoke(func(id int64) { mu.Lock(); revoked = append(revoked, id); mu.Unlock() })
		rent := func(uid int64, name, port string, minutes int64, exclusive bool) (proxy.Rental, error) {
			return e.Proxies.Rent(ctx, proxy.RentAsk{UserID: uid, Username: name, Port: port, Service: "Uber", Minutes: minutes, Exclusive: exclusive})
		}
		if _, err := rent(u.ID, u.Username, "50001", 59, false); !errors.Is(err, proxy.ErrMinDuration) {
			t.Fatalf("59 minutes: %v", err)
		}
		if _, err := rent(u.ID, u.Username, "59999", 60, false); !errors.Is(err, proxy.ErrNoPort) {
			t.Fatalf("unknown port: %v", err)
		}
		r, err := rent(u.ID, u.Username, "50001", 120, false)
		if err != nil {
			t.Fatal(err)
		}
		if r.ProxyUser != u.Username+"_50001" || len(r.Password) != 15 || r.PriceCents != 100 || e.Balance(t, u.ID) != 9900 {
			t.Fatalf("rental %+v balance %d", r, e.Balance(t, u.ID))
		}
		if _, err := rent(u.ID, u.Username, "50001", 60, false); !errors.Is(err, proxy.ErrAlreadyRenting) {
			t.Fatalf("second rental of the same port: %v", err)
		}
		if _, err := rent(other.ID, other.Username, "50001", 60, true); !errors.Is(err, proxy.ErrNotExclusive) {
			t.Fatalf("exclusive on a leased port: %v", err)
		}
		if _, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: other.ID, Username: other.Username, Port: "50001", Service: "Ebay", Minutes: 60}); err != nil {
			t.Fatal(err)
		}
		third, _ := e.User(t, 10000)
		if _, err := rent(third.ID, third.Username, "50001", 60, false); !errors.Is(err, proxy.ErrPortFull) {
			t.Fatalf("over capacity: %v", err)
		}
		ports, _ := e.Proxies.ListPorts(ctx, false)
		if ports[0].Leases != 2 || len(ports[0].Services) != 2 || ports[0].RentingPossible() || ports[0].Exclusive {
			t.Fatalf("list %+v", ports[0])
		}
		// A random port: the only one with room is 50002.
		rr, err := rent(third.ID, third.Username, "", 60, true)
		if err != nil || rr.Port != "50002" {
			t.Fatalf("random exclusive: %+v %v", rr, err)
		}
		if _, err := rent(u.ID, u.Username, "", 60, false); !errors.Is(err, proxy.ErrNoPorts) {
			t.Fatalf("no room anywhere: %v", err)
		}
		ports, _ = e.Proxies.ListPorts(ctx, false)
		if !ports[1].Exclusive || ports[1].RentingPossible() {
			t.Fatalf("exclusive port listed %+v", ports[1])
		}
		// Credentials work at once; a wrong password does not.
		lease, err := e.Proxies.Authenticate(ctx, r.ProxyUser, r.Password)
		if err != nil || lease.Port != "50001" || lease.Upstream != "socks5://127.0.0.1:1080" || lease.RentalID != r.ID {
			t.Fatalf("auth %+v %v", lease, err)
		}
		if _, err := e.Proxies.Authenticate(ctx, r.ProxyUser, r.Password+"x"); !errors.Is(err, front.ErrDenied) {
			t.Fatalf("wrong password: %v", err)
		}
		// Swap to 50002 is refused (exclusively rented); third's exclusive
		// rental ends, then the swap goes through with new credentials.
		if _, err := e.Proxies.Swap(ctx, u.ID, u.Username, proxy.Ref{ID: r.ID}, "50002"); !errors.Is(err, proxy.ErrPortFull) {
			t.Fatalf("swap to an exclusive port: %v", err)
		}
		e.Clock.Advance(61 * time.Minute)
		if err := e.Proxies.Expire(ctx, rr.ID); err != nil {
			t.Fatal(err)
		}
		sw, err := e.Proxies.Swap(ctx, u.ID, u.Username, proxy.Ref{ProxyUser: r.ProxyUser}, "")
		if err != nil || sw.Port != "50002" || sw.ProxyUser != u.Username+"_50002" || sw.Password == r.Password || sw.ExpiresAt != r.ExpiresAt {
			t.Fatalf("swap %+v %v", sw, err)
		}
		if _, err := e.Proxies.Authenticate(ctx, r.ProxyUser, r.Password); !errors.Is(err, front.ErrDenied) {
			t.Fatalf("old credentials after swap: %v", err)
		}
		if lease, err := e.Proxies.Authenticate(ctx, sw.ProxyUser, sw.Password); err != nil || lease.Port != "50002" {
			t.Fatalf("new credentials: %+v %v", lease, err)
		}
		// Expiry ends the credentials.
		e.Clock.Set(time.Unix(r.ExpiresAt, 0))
		if err := e.Proxies.Expire(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Proxies.Authenticate(ctx, sw.ProxyUser, sw.Password); !errors.Is(err, front.ErrDenied) {
			t.Fatalf("after expiry: %v", err)
		}
		active, _ := e.Proxies.Active(ctx, []int64{r.ID, rr.ID})
		if len(active) != 0 {
			t.Fatalf("active after expiry: %v", active)
		}
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(revoked) != fmt.Sprint([]int64{rr.ID, r.ID, r.ID}) {
			t.Fatalf("revocations %v", revoked)
		}
		e.CheckLedger(t)
	})
}

// Concurrent rentals never overfill a port nor share an exclusive one.
func TestConcurrentProxyRentals(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		port(t, e, "50001", 3, "")
		port(t, e, "50002", 3, "")
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := map[string]int{}
		for i := 0; i < 20; i++ {
			u, _ := e.User(t, 10000)
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: u.ID, Username: u.Username, Service: "Uber", Minutes: 60, Exclusive: i%4 == 0})
				if err != nil {
					if !errors.Is(err, proxy.ErrNoPorts) {
						t.Error(err)
					}
					return
				}
				mu.Lock()
				won[r.Port]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		ports, _ := e.Proxies.ListPorts(ctx, false)
		for _, p := range ports {
			if p.Leases > p.Capacity || (p.Exclusive && p.Leases != 1) || int64(won[p.ID]) != p.Leases {
				t.Errorf("port %s: %d leases (exclusive %v), %d won", p.ID, p.Leases, p.Exclusive, won[p.ID])
			}
		}
		e.CheckLedger(t)
	})
}

func TestRedial(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		port(t, e, "50001", 1, "echo redialled")
		port(t, e, "50002", 2, "false")
		u, _ := e.User(t, 10000)
		shared, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: u.ID, Username: u.Username, Port: "50002", Service: "Uber", Minutes: 60})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Proxies.RequestRedial(ctx, u.ID, proxy.Ref{ID: shared.ID}); !errors.Is(err, proxy.ErrNoExclusive) {
			t.Fatalf("redial of a shared rental: %v", err)
		}
		ex, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: u.ID, Username: u.Username, Port: "50001", Service: "Uber", Minutes: 60, Exclusive: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Proxies.RequestRedial(ctx, u.ID, proxy.Ref{ProxyUser: ex.ProxyUser}); err != nil {
			t.Fatal(err)
		}
		runAll := func() {
			rs, _ := e.Proxies.Redials(ctx, 10)
			for _, r := range rs {
				if err := e.Proxies.RunRedial(ctx, r.ID, redial.New()); err != nil {
					t.Fatal(err)
				}
			}
		}
		runAll()
		rs, _ := e.Proxies.Redials(ctx, 10)
		if len(rs) != 1 || rs[0].Status != "done" || rs[0].Output != "redialled\n" || rs[0].UserID != u.ID {
			t.Fatalf("redials %+v", rs)
		}
		// Shared ports redial by themselves once their interval passed; the
		// exclusively rented one does not.
		e.Clock.Advance(16 * time.Minute)
		n, err := e.Proxies.QueueAutoRedials(ctx)
		if err != nil || n != 1 {
			t.Fatalf("auto redials %d %v", n, err)
		}
		runAll()
		rs, _ = e.Proxies.Redials(ctx, 10)
		if rs[0].Port != "50002" || rs[0].Status != "failed" || rs[0].UserID != 0 {
			t.Fatalf("auto redial %+v", rs[0])
		}
		if n, _ := e.Proxies.QueueAutoRedials(ctx); n != 0 {
			t.Fatalf("queued again before the interval: %d", n)
		}
	})
}
