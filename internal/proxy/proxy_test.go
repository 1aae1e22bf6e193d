package proxy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// named creates a user with the given name and balance.
func named(t *testing.T, e *apptest.Env, name string) int64 {
	t.Helper()
	u, err := e.Accounts.Create(ctx, name, name+"@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accounts.Credit(ctx, u.ID, 10000, "test credit"); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestProxyUserNamesNeverCollide: <username>_<port> of user "pxa_1" on
// port "2" is the text of user "pxa" on port "1_2" (user names and port
// ids may both hold '_'). Both rent, each in either order, on a rental or
// a swap, and each name opens its own rental only.
func TestProxyUserNamesNeverCollide(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		for _, id := range []string{"2", "1_2", "9", "NJ1", "nj1"} {
			port(t, e, id, 3, "")
		}
		rent := func(name, port string) proxy.Rental {
			t.Helper()
			r, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: named(t, e, name), Username: name, Port: port, Service: "Uber", Minutes: 60})
			if err != nil {
				t.Fatalf("%s renting port %s: %v", name, port, err)
			}
			return r
		}
		check := func(rs ...proxy.Rental) {
			t.Helper()
			for _, r := range rs {
				for _, other := range rs {
					lease, err := e.Proxies.Authenticate(ctx, r.ProxyUser, other.Password)
					switch {
					case other.ID == r.ID && (err != nil || lease.RentalID != r.ID || lease.Port != r.Port):
						t.Errorf("%s: %+v %v, want rental %d on port %s", r.ProxyUser, lease, err, r.ID, r.Port)
					case other.ID != r.ID && err == nil:
						t.Errorf("%s opened with the password of %s", r.ProxyUser, other.ProxyUser)
					}
				}
			}
		}

		a := rent("pxa_1", "2")
		b := rent("pxa", "1_2")
		if a.ProxyUser != "pxa_1_2" || b.ProxyUser != "pxa_1_2~2" {
			t.Errorf("names %q and %q, want pxa_1_2 and pxa_1_2~2", a.ProxyUser, b.ProxyUser)
		}
		// The other order.
		c := rent("pxb", "1_2")
		d := rent("pxb_1", "2")
		if c.ProxyUser != "pxb_1_2" || d.ProxyUser != "pxb_1_2~2" {
			t.Errorf("names %q and %q, want pxb_1_2 and pxb_1_2~2", c.ProxyUser, d.ProxyUser)
		}
		// Names are case-insensitive, so port ids differing in case meet too.
		f := rent("pxn", "NJ1")
		g, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: f.UserID, Username: "pxn", Port: "nj1", Service: "Uber", Minutes: 60})
		if err != nil || f.ProxyUser != "pxn_nj1" || g.ProxyUser != "pxn_nj1~2" {
			t.Errorf("names %q and %q (%v), want pxn_nj1 and pxn_nj1~2", f.ProxyUser, g.ProxyUser, err)
		}
		// A swap onto a name in use.
		h := rent("pxc_1", "2")
		i := rent("pxc", "9")
		i2, err := e.Proxies.Swap(ctx, i.UserID, "pxc", proxy.Ref{ProxyUser: i.ProxyUser}, "1_2")
		if err != nil || i2.ProxyUser != "pxc_1_2~2" || h.ProxyUser != "pxc_1_2" {
			t.Fatalf("swap: %+v %v", i2, err)
		}
		i2.UserID = i.UserID
		check(a, b, c, d, f, g, h, i2)
		// A rental is found by its own name.
		if err := e.Proxies.RequestRedial(ctx, b.UserID, proxy.Ref{ProxyUser: "PXA_1_2~2"}); !errors.Is(err, proxy.ErrNoExclusive) {
			t.Errorf("redial by name: %v, want ErrNoExclusive (found, shared)", err)
		}
		e.CheckLedger(t)
	})
}

// TestEndedRentalGivesItsNameUp: a rental past its end whose expiry job
// has not run yet does not keep its renter from renting the port again
// under the same name; its credentials end then.
func TestEndedRentalGivesItsNameUp(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		port(t, e, "50001", 2, "")
		uid := named(t, e, "alice")
		var revoked []int64
		e.Proxies.OnRevoke(func(id int64) { revoked = append(revoked, id) })
		ask := proxy.RentAsk{UserID: uid, Username: "alice", Port: "50001", Service: "Uber", Minutes: 60}
		old, err := e.Proxies.Rent(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(61 * time.Minute)
		r, err := e.Proxies.Rent(ctx, ask)
		if err != nil || r.ProxyUser != "alice_50001" {
			t.Fatalf("renting again: %+v %v", r, err)
		}
		if fmt.Sprint(revoked) != fmt.Sprint([]int64{old.ID}) {
			t.Errorf("revoked %v, want [%d]", revoked, old.ID)
		}
		if err := e.Proxies.Expire(ctx, old.ID); err != nil {
			t.Errorf("the late expiry job: %v", err)
		}
		if l, err := e.Proxies.Authenticate(ctx, r.ProxyUser, r.Password); err != nil || l.RentalID != r.ID {
			t.Errorf("new credentials: %+v %v", l, err)
		}
		if _, err := e.Proxies.Authenticate(ctx, old.ProxyUser, old.Password); !errors.Is(err, front.ErrDenied) {
			t.Errorf("old credentials: %v", err)
		}
		e.CheckLedger(t)
	})
}

func TestValidUpstream(t *testing.T) {
	e := apptest.New(t, "sqlite", nil)
	for _, s := range []string{"direct", "direct://192.0.2.44", "socks5://10.8.0.21:1080", "socks5://u:p@modem:1080",
		"socks5h://10.8.0.21:1080", "socks5://10.8.0.21:1080?resolve=upstream", "http://u:p@10.0.0.3:3128/?resolve=local"} {
		if err := e.Proxies.ValidUpstream(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"direct://modem", "socks5://h:1?resolve=remote", "direct://192.0.2.44?resolve=upstream",
		"ftp://h:1", "http://h", "socks5://u:secret@h:1/path"} {
		err := e.Proxies.ValidUpstream(s)
		if !errors.Is(err, proxy.ErrInvalid) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v, want ErrInvalid without the password", s, err)
		}
	}
	if err := e.Proxies.ValidUpstream(""); !errors.Is(err, proxy.ErrUpstreamRequired) {
		t.Errorf("empty: %v", err)
	}
}

// Rentals racing for one spelling all get a name of their own.
func TestConcurrentRentalsOfOneSpelling(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		asks := map[string]string{"pqr_1_2": "3", "pqr_1": "2_3", "pqr": "1_2_3"} // all "pqr_1_2_3"
		var asked []proxy.RentAsk
		for name, p := range asks {
			port(t, e, p, 1, "")
			asked = append(asked, proxy.RentAsk{UserID: named(t, e, name), Username: name, Port: p, Service: "Uber", Minutes: 60})
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[string]bool{}
		for _, a := range asked {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := e.Proxies.Rent(ctx, a)
				if err != nil {
					t.Errorf("%s: %v", a.Username, err)
					return
				}
				mu.Lock()
				got[r.ProxyUser] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(got) != 3 || !got["pqr_1_2_3"] || !got["pqr_1_2_3~2"] || !got["pqr_1_2_3~3"] {
			t.Errorf("names %v", got)
		}
		e.CheckLedger(t)
	})
}
