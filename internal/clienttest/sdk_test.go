// Package clienttest runs the Go SDK (module mdnhub/client, in client/)
// against a real mdnhub: the whole app on a fresh database of each engine,
// served over HTTP, called exactly as a customer's program would.
package clienttest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mdnhub/client"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
)

var ctx = context.Background()

// setup is a server with Google (1.20) and Amazon (0.50), numbers in 212,
// proxy ports, and a customer with $100 and an SDK client.
func setup(t *testing.T, e *apptest.Env) (*httptest.Server, *client.Client, int64) {
	t.Helper()
	e.Service(t, "Google", 120, time.Hour)
	e.Service(t, "Amazon", 50, time.Hour)
	e.Numbers(t, apptest.Seq("212", 3)...)
	if err := e.Proxies.PutPort(ctx, proxy.Port{ID: "50001", Location: "NJ", Carrier: "Verizon", RedialMinutes: 15, Capacity: 3,
		ExclusiveAllowed: true, Upstream: "direct", RedialAction: "true", RedialTimeout: time.Minute, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.Proxies.PutPort(ctx, proxy.Port{ID: "50002", Location: "TX", Carrier: "T-Mobile", RedialMinutes: 10, Capacity: 2,
		ExclusiveAllowed: true, Upstream: "direct", RedialAction: "true", RedialTimeout: time.Minute, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	srv := e.Server(t)
	u, key := e.User(t, 10000)
	c := client.New(srv.URL, u.Username, key, client.WithRetry(client.Retry{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	c.PollInterval = 20 * time.Millisecond
	return srv, c, u.ID
}

func deliver(t *testing.T, e *apptest.Env, to, from, text string) {
	t.Helper()
	if _, err := e.Messages.Deliver(ctx, message.Inbound{To: to, From: from, Text: text, Gateway: "sim"}); err != nil {
		t.Fatal(err)
	}
}

func TestSDK(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		srv, c, _ := setup(t, e)

		if b, err := c.Balance(ctx); err != nil || b.String() != "100.00" {
			t.Fatalf("balance %v %v", b, err)
		}
		services, err := c.ListServices(ctx)
		if err != nil || len(services) != 2 || services[1].Name != "Google" || services[1].Price != 120 || services[1].Available != 3 {
			t.Fatalf("list_services %+v %v", services, err)
		}
		if one, err := c.ListServices(ctx, "google"); err != nil || len(one) != 1 || one[0].RecommendedMarkup != 10 {
			t.Fatalf("list_services google %+v %v", one, err)
		}
		if _, err := c.ListServices(ctx, "Goooooogle"); !errors.Is(err, client.ErrInvalidService) {
			t.Fatalf("unknown service: %v", err)
		}

		// A number, then its code through the long-poll.
		rs, err := c.Request(ctx, client.RequestParams{Service: "Google"})
		if err != nil || len(rs) != 1 || rs[0].Status != client.StatusReserved || rs[0].Price != 120 || rs[0].TillExpiration != 3600 {
			t.Fatalf("request %+v %v", rs, err)
		}
		r := rs[0]
		go func() {
			time.Sleep(300 * time.Millisecond)
			deliver(t, e, r.MDN, "22000", "Welcome to Google")
			time.Sleep(100 * time.Millisecond)
			deliver(t, e, r.MDN, "22000", "G-804036 is your Google verification code.")
		}()
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		m, err := c.WaitForCode(wctx, r.ID)
		cancel()
		if err != nil || m.PIN != "G-804036" || m.To != r.MDN || m.Price != 120 {
			t.Fatalf("WaitForCode %+v %v", m, err)
		}
		if st, err := c.RequestStatus(ctx, r.ID); err != nil || st.Status != client.StatusCompleted || st.MDN != r.MDN {
			t.Fatalf("request_status %+v %v", st, err)
		}
		msgs, err := c.ReadSMS(ctx, client.ReadSMSParams{MDN: r.MDN, Limit: 10})
		if err != nil || len(msgs) != 2 || msgs[0].PIN != "G-804036" {
			t.Fatalf("read_sms %+v %v", msgs, err)
		}
		if err := c.SendSMS(ctx, client.SendSMSParams{ID: r.ID, Text: "thanks"}); err != nil {
			t.Fatalf("send_sms: %v", err)
		}
		if err := c.SendSMS(ctx, client.SendSMSParams{MDN: r.MDN, To: "14155550100", Text: "hi"}); !errors.Is(err, client.ErrNoRecentSMS) {
			t.Fatalf("send_sms to a stranger: %v", err)
		}
		if err := c.Reject(ctx, r.ID); !errors.Is(err, client.ErrRejectRefused) {
			t.Fatalf("reject after a message: %v", err)
		}

		// Reject, and the refusals the SDK names.
		r2, err := c.Request(ctx, client.RequestParams{Services: []string{"Google", "Amazon"}})
		if err != nil || len(r2) != 2 || r2[0].MDN != r2[1].MDN {
			t.Fatalf("request of two services %+v %v", r2, err)
		}
		if err := c.Reject(ctx, r2[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RequestStatus(ctx, "99999999"); !errors.Is(err, client.ErrInvalidRequestID) {
			t.Fatalf("unknown id: %v", err)
		}
		if _, err := c.Request(ctx, client.RequestParams{Service: "Google", AreaCode: "415"}); !errors.Is(err, client.ErrNoNumbers) {
			t.Fatalf("no numbers: %v", err)
		}
		if _, err := c.ReadSMS(ctx, client.ReadSMSParams{Service: "Amazon"}); !errors.Is(err, client.ErrNoMessages) {
			t.Fatalf("no messages: %v", err)
		}
		poor, poorKey := e.User(t, 10)
		pc := client.New(srv.URL, poor.Username, poorKey)
		_, err = pc.Request(ctx, client.RequestParams{Service: "Google"})
		var ae *client.APIError
		if !errors.Is(err, client.ErrInsufficientFunds) || !errors.As(err, &ae) || ae.Message != "Insufficient funds. Your balance is $0.10" {
			t.Fatalf("insufficient funds: %v", err)
		}
		if _, err := client.New(srv.URL, poor.Username, "wrong").Balance(ctx); !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("wrong key: %v", err)
		}

		// Long-term rentals.
		rent, err := c.RentLTR(ctx, client.RentLTRParams{Service: "Amazon", Days: 30})
		if err != nil || rent.ID == 0 || rent.Price != 1000 || rent.Expires == "" {
			t.Fatalf("ltr_rent %+v %v", rent, err)
		}
		ref := client.RentalRef{ID: rent.ID}
		if st, err := c.RentalStatus(ctx, ref); err != nil || st.Status != "online" || st.MDN != rent.MDN {
			t.Fatalf("ltr_status %+v %v", st, err)
		}
		if st, err := c.ActivateRental(ctx, client.RentalRef{MDN: rent.MDN}); err != nil || st.MDN != rent.MDN {
			t.Fatalf("ltr_activate %+v %v", st, err)
		}
		if err := c.SetAutorenew(ctx, ref, true); err != nil {
			t.Fatal(err)
		}
		if on, err := c.Autorenew(ctx, ref); err != nil || !on {
			t.Fatalf("ltr_autorenew %v %v", on, err)
		}
		if err := c.ReportRental(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if s, err := c.ReportStatus(ctx, ref); err != nil || s != "pending" {
			t.Fatalf("ltr_reported_status %q %v", s, err)
		}
		if err := c.Forward(ctx, ref, "13105551234"); err != nil {
			t.Fatalf("ltr_forward: %v", err)
		}
		if err := c.Forward(ctx, ref, ""); err != nil {
			t.Fatalf("ltr_forward off: %v", err)
		}
		if err := c.ReleaseRental(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RentalStatus(ctx, ref); !errors.Is(err, client.ErrRentalEnded) {
			t.Fatalf("ltr_status of a released rental: %v", err)
		}

		// Proxies.
		ports, err := c.ProxyPorts(ctx)
		if err != nil || len(ports) != 2 || !ports[0].RentingPossible {
			t.Fatalf("proxy_list %+v %v", ports, err)
		}
		pr, err := c.RentProxy(ctx, client.RentProxyParams{Service: "Uber", Duration: 2 * time.Hour, Port: "50001", Exclusive: true})
		if err != nil || pr.Port != "50001" || pr.Password == "" || pr.Price == 0 {
			t.Fatalf("proxy_rent %+v %v", pr, err)
		}
		other, otherKey := e.User(t, 1000)
		oc := client.New(srv.URL, other.Username, otherKey)
		if _, err := oc.RentProxy(ctx, client.RentProxyParams{Service: "Uber", Duration: time.Hour, Port: "50001", Exclusive: true}); !errors.Is(err, client.ErrNotExclusive) {
			t.Fatalf("second exclusive rent: %v", err)
		}
		if err := c.RedialProxy(ctx, client.ProxyRef{ID: pr.ID}); err != nil {
			t.Fatal(err)
		}
		sw, err := c.SwapProxy(ctx, client.ProxyRef{ProxyUser: pr.User}, "50002")
		if err != nil || sw.Port != "50002" || sw.Password == pr.Password {
			t.Fatalf("proxy_swap %+v %v", sw, err)
		}
		e.CheckLedger(t)
	})
}

// dropFirst is a transport that loses the answer of the first call of cmd:
// the server runs it, the client sees a broken connection.
type dropFirst struct {
	cmd     string
	dropped atomic.Bool
}

func (d *dropFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := r.GetBody()
	var form strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := body.Read(buf)
		form.Write(buf[:n])
		if err != nil {
			break
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && strings.Contains(form.String(), "cmd="+d.cmd+"&") && d.dropped.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

// A write whose answer was lost is sent again with the same idempotency
// key: the retry gets the first answer and the account is charged once.
func TestSDKRetriesKeyedWrites(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		_, c, _ := setup(t, e)
		c.HTTPClient = &http.Client{Transport: &dropFirst{cmd: "request"}}
		rs, err := c.Request(ctx, client.RequestParams{Service: "Google"})
		if err != nil || len(rs) != 1 || rs[0].ID != "10000001" {
			t.Fatalf("request through a lost answer: %+v %v", rs, err)
		}
		c.HTTPClient = &http.Client{Transport: &dropFirst{cmd: "ltr_rent"}}
		if _, err := c.RentLTR(ctx, client.RentLTRParams{Service: "Amazon"}); err != nil {
			t.Fatal(err)
		}
		c.HTTPClient = &http.Client{Transport: &dropFirst{cmd: "proxy_rent"}}
		if _, err := c.RentProxy(ctx, client.RentProxyParams{Service: "Uber", Duration: time.Hour}); err != nil {
			t.Fatal(err)
		}
		c.HTTPClient = &http.Client{Transport: &dropFirst{cmd: "send_sms"}}
		deliver(t, e, rs[0].MDN, "22000", "code 1234")
		if err := c.SendSMS(ctx, client.SendSMSParams{ID: rs[0].ID, Text: "ok"}); err != nil {
			t.Fatal(err)
		}
		// 100.00 - 1.20 - 10.00 - 0.50 (an hour of proxy) - 0.10: each once.
		if b, err := c.Balance(ctx); err != nil || b.String() != "88.20" {
			t.Fatalf("balance %v %v: a retried write was charged twice", b, err)
		}
		// A write without a key (reject) is not retried: the lost answer
		// is the caller's error, and the reject happened once.
		c.HTTPClient = &http.Client{Transport: &dropFirst{cmd: "reject"}}
		r2, err := c.Request(ctx, client.RequestParams{Service: "Google"})
		if err != nil {
			t.Fatal(err)
		}
		var te *client.TransportError
		if err := c.Reject(ctx, r2[0].ID); !errors.As(err, &te) {
			t.Fatalf("reject through a lost answer: %v", err)
		}
		if st, err := c.RequestStatus(ctx, r2[0].ID); err != nil || st.Status != client.StatusRejected {
			t.Fatalf("after the lost reject: %+v %v", st, err)
		}
		e.CheckLedger(t)
	})
}

// A premium bid waits for a number; WaitForNumber sees it won.
func TestSDKWaitForNumber(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		_, c, _ := setup(t, e)
		rs, err := c.Request(ctx, client.RequestParams{Service: "Google", AreaCode: "415", Markup: 50})
		if err != nil || rs[0].Status != client.StatusAwaiting || rs[0].MDN != "" || rs[0].Price != 180 {
			t.Fatalf("bid %+v %v", rs, err)
		}
		go func() {
			time.Sleep(200 * time.Millisecond)
			e.Numbers(t, "14155550000")
		}()
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		r, err := c.WaitForNumber(wctx, rs[0].ID)
		if err != nil || r.Status != client.StatusReserved || r.MDN != "14155550000" {
			t.Fatalf("WaitForNumber %+v %v", r, err)
		}
		// A cancelled bid ends the wait with its status.
		b, err := c.Request(ctx, client.RequestParams{Service: "Google", AreaCode: "305", Markup: 10})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Reject(ctx, b[0].ID); err != nil {
			t.Fatal(err)
		}
		var ended *client.RequestEndedError
		if _, err := c.WaitForNumber(wctx, b[0].ID); !errors.As(err, &ended) || ended.Status != client.StatusRejected {
			t.Fatalf("WaitForNumber of a cancelled bid: %v", err)
		}
	})
}

// The server's callbacks reach the SDK's handler, signed, as typed events.
func TestSDKCallbacks(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			e := apptest.New(t, driver, func(c *config.Config) { c.Callbacks.AllowPrivate = true })
			_, c, userID := setup(t, e)
			var mu sync.Mutex
			var events []client.Event
			const secret = "a-callback-secret-of-mine"
			hook := httptest.NewServer(client.CallbackHandler(secret, func(_ context.Context, ev client.Event) error {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, ev)
				return nil
			}))
			t.Cleanup(hook.Close)
			if _, err := e.Accounts.SetCallback(ctx, userID, hook.URL+"/hook", secret); err != nil {
				t.Fatal(err)
			}
			run := func() {
				t.Helper()
				if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
					t.Fatal(err)
				}
			}

			rs, err := c.Request(ctx, client.RequestParams{Service: "Google"})
			if err != nil {
				t.Fatal(err)
			}
			deliver(t, e, rs[0].MDN, "22000", "G-804036 is your Google verification code.")
			bid, err := c.Request(ctx, client.RequestParams{Service: "Google", AreaCode: "415", Markup: 25})
			if err != nil {
				t.Fatal(err)
			}
			e.Numbers(t, "14155550000")
			rent, err := c.RentLTR(ctx, client.RentLTRParams{Service: "Amazon", Autorenew: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Callbacks.SendTest(ctx, userID); err != nil {
				t.Fatal(err)
			}
			run()
			e.Clock.Advance(30*24*time.Hour + time.Minute)
			run()
			run()

			mu.Lock()
			defer mu.Unlock()
			byName := map[string]client.Event{}
			for _, ev := range events {
				byName[ev.Name()] = ev
				if ev.Meta().ID == "" {
					t.Errorf("%s without a delivery id", ev.Name())
				}
			}
			m, _ := byName["incoming_message"].(*client.IncomingMessage)
			if m == nil || m.RequestID != rs[0].ID || m.PIN != "G-804036" || m.Price != 120 {
				t.Fatalf("incoming_message %+v (events %d)", m, len(events))
			}
			p, _ := byName["premium_request"].(*client.PremiumRequest)
			if p == nil || p.RequestID != bid[0].ID || p.MDN != "14155550000" || p.Price != 150 {
				t.Fatalf("premium_request %+v", p)
			}
			rn, _ := byName["ltr_renewal"].(*client.RentalRenewal)
			if rn == nil || !rn.OK || rn.PreviousRentalID != rent.ID || rn.NewRentalID == 0 || rn.Price != 1000 {
				t.Fatalf("ltr_renewal %+v", rn)
			}
			if te, _ := byName["test"].(*client.TestEvent); te == nil || te.Message != "Test event from mdnhub" {
				t.Fatalf("test event %+v", byName["test"])
			}
		})
	}
}
