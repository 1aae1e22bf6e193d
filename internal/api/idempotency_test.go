package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/gateway"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
)

const (
	textKeyReused   = `{"status":"error","message":"Idempotency key reused with other parameters"}` + "\n"
	textKeyInFlight = `{"status":"error","message":"Idempotency key in use by a call still in progress, retry later"}` + "\n"
	textKeyInvalid  = `{"status":"error","message":"Invalid idempotency_key: must be 1 to 64 printable ASCII characters"}` + "\n"
	textKeySealed   = `{"status":"error","message":"Idempotency key already answered; the answer cannot be opened with this API key"}` + "\n"
)

// same calls twice (the second time later, so that a fresh answer would
// differ) and requires the same bytes.
func (c client) retried(t *testing.T, e *apptest.Env, cmd string, kv ...string) []byte {
	t.Helper()
	first := c.ok(t, cmd, kv...)
	e.Clock.Advance(7 * time.Second)
	again := c.call(t, cmd, kv...)
	if !bytes.Equal(first.body, again.body) {
		t.Fatalf("%s retried with its key answered differently:\nfirst: %s\nretry: %s", cmd, first.body, again.body)
	}
	return first.body
}

func (c client) balance(t *testing.T) string {
	t.Helper()
	return string(c.ok(t, "balance").body)
}

func wantBalance(t *testing.T, c client, want string) {
	t.Helper()
	if got := c.balance(t); got != `{"status":"ok","message":"`+want+`"}`+"\n" {
		t.Fatalf("balance %s, want %s", got, want)
	}
}

func TestIdempotencyKeys(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, time.Hour)
		e.Numbers(t, apptest.Seq("212", 6)...)
		proxyPorts(t, e)
		srv := e.Server(t)
		c := namedClient(t, e, srv, "alice")

		// request: the retry is the first answer, charged once.
		r := c.retried(t, e, "request", "service", "Google", "idempotency_key", "req-1")
		if !bytes.Contains(r, []byte(`"id":"10000001"`)) {
			t.Fatalf("request: %s", r)
		}
		wantBalance(t, c, "98.80")
		// Another parameter, another command, or the parameter's rule broken.
		if got := c.call(t, "request", "service", "Google", "areacode", "212", "idempotency_key", "req-1"); string(got.body) != textKeyReused {
			t.Fatalf("other parameters: %s", got.body)
		}
		if got := c.call(t, "ltr_rent", "service", "Google", "idempotency_key", "req-1"); string(got.body) != textKeyReused {
			t.Fatalf("other command: %s", got.body)
		}
		long := strings.Repeat("k", 65)
		for _, bad := range []string{long, "caf\u00e9"} {
			if got := c.call(t, "request", "service", "Google", "idempotency_key", bad); string(got.body) != textKeyInvalid {
				t.Fatalf("key %q: %s", bad, got.body)
			}
		}
		// The same key by another account is that account's own.
		b := namedClient(t, e, srv, "bob")
		if got := b.ok(t, "request", "service", "Google", "idempotency_key", "req-1"); bytes.Equal(got.body, r) {
			t.Fatal("another account got alice's answer")
		}

		// ltr_rent, and its legacy name sharing its keys.
		rent := c.retried(t, e, "ltr_rent", "service", "Google", "idempotency_key", "rent-1")
		if again := c.call(t, "rent", "service", "Google", "idempotency_key", "rent-1"); !bytes.Equal(again.body, rent) {
			t.Fatalf("rent alias: %s", again.body)
		}
		wantBalance(t, c, "74.80")

		// proxy_rent: the same credentials again, charged once.
		p := c.retried(t, e, "proxy_rent", "service", "Uber", "port", "50001", "duration", "120", "idempotency_key", "proxy-1")
		if !bytes.Contains(p, []byte(`"proxy_pass":"`)) {
			t.Fatalf("proxy_rent: %s", p)
		}
		if got := c.ok(t, "proxy_list"); !bytes.Contains(got.body, []byte(`"port":"50001","location":"NJ","carrier":"Verizon","redial_interval":"15","leases":"1"`)) {
			t.Fatalf("the retry leased again: %s", got.body)
		}
		wantBalance(t, c, "73.80")

		// send_sms: one message sent, one fee.
		deliverSMS(t, e, "12125550000", "22000", "G-804036 is your Google verification code.")
		c.retried(t, e, "send_sms", "id", "10000001", "sms", "thanks", "idempotency_key", "sms-1")
		wantBalance(t, c, "73.70")
		var sent int
		if err := e.DB.R.QueryRowContext(gctx, `SELECT COUNT(*) FROM messages WHERE kind = 'outbound'`).Scan(&sent); err != nil || sent != 1 {
			t.Fatalf("%d outbound messages (%v), want 1", sent, err)
		}

		// An error stores nothing: after a credit the same key succeeds.
		poor := newClient(t, e, srv, 100)
		if got := poor.call(t, "request", "service", "Google", "idempotency_key", "x"); !bytes.Contains(got.body, []byte("Insufficient funds")) {
			t.Fatalf("poor: %s", got.body)
		}
		e.CheckLedger(t)

		// A day later the key is free again.
		e.Clock.Advance(25 * time.Hour)
		if got := c.ok(t, "request", "service", "Google", "areacode", "212", "idempotency_key", "req-1"); bytes.Equal(got.body, r) {
			t.Fatal("a key older than a day replayed")
		}
	})
}

// Every stored answer is sealed with the API key of its call: the database
// shows neither the answer nor proxy_rent's password; a retry with the same
// key (as api_key or pass) answers byte for byte; after the API key was
// changed, a retry is refused and nothing is charged again.
func TestIdempotencyAnswersSealed(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, time.Hour)
		e.Numbers(t, apptest.Seq("212", 6)...)
		proxyPorts(t, e)
		srv := e.Server(t)
		c := namedClient(t, e, srv, "alice")

		calls := [][]string{
			{"request", "service", "Google", "idempotency_key", "k-request"},
			{"ltr_rent", "service", "Google", "idempotency_key", "k-rent"},
			{"proxy_rent", "service", "Uber", "port", "50001", "duration", "120", "idempotency_key", "k-proxy"},
			{"send_sms", "id", "10000001", "sms", "thanks", "idempotency_key", "k-sms"},
		}
		answers := map[string][]byte{}
		for _, kv := range calls {
			if kv[0] == "send_sms" {
				deliverSMS(t, e, "12125550000", "22000", "G-804036 is your Google verification code.")
			}
			body := c.retried(t, e, kv[0], kv[1:]...)
			answers[kv[len(kv)-1]] = bytes.TrimSuffix(bytes.TrimPrefix(body, []byte(`{"status":"ok","message":`)), []byte("}\n"))
		}
		var rent struct {
			ProxyPass string `json:"proxy_pass"`
		}
		if err := json.Unmarshal(answers["k-proxy"], &rent); err != nil || len(rent.ProxyPass) < 8 {
			t.Fatalf("proxy_rent answered %s (%v)", answers["k-proxy"], err)
		}

		// What a copy of the database shows.
		rows, err := e.DB.R.QueryContext(gctx, `SELECT idem_key, command, fingerprint, sealed_answer FROM idempotency_keys`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var key, command, fp string
			var sealed []byte
			if err := rows.Scan(&key, &command, &fp, &sealed); err != nil {
				t.Fatal(err)
			}
			n++
			row := bytes.Join([][]byte{[]byte(key), []byte(command), []byte(fp), sealed}, []byte{0})
			clear := answers[key]
			for _, part := range [][]byte{clear, []byte(rent.ProxyPass), []byte("12125550000"), []byte("Message has been sent")} {
				if bytes.Contains(row, part) {
					t.Errorf("the row of %s shows %q in the clear", key, part)
				}
			}
			if len(sealed) <= len(clear) {
				t.Errorf("the row of %s stores %d bytes for a %d-byte answer", key, len(sealed), len(clear))
			}
		}
		rows.Close()
		if n != len(calls) {
			t.Fatalf("%d stored answers, want %d", n, len(calls))
		}

		// pass= carries the same key: the legacy rent retries ltr_rent.
		v := url.Values{"cmd": {"rent"}, "user": {c.user}, "pass": {c.key}, "service": {"Google"}, "idempotency_key": {"k-rent"}}
		if got := apiGet(t, srv, v); !bytes.Contains(got.body, answers["k-rent"]) {
			t.Fatalf("rent with pass=: %s", got.body)
		}

		// A new API key: every retry refused, nothing charged or leased again.
		before := c.balance(t)
		leases := c.ok(t, "proxy_list").body
		u, err := e.Accounts.Find(gctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if c.key, err = e.Accounts.GenerateKey(gctx, u.ID); err != nil {
			t.Fatal(err)
		}
		for _, kv := range calls {
			if got := c.call(t, kv[0], kv[1:]...); string(got.body) != textKeySealed {
				t.Fatalf("%s retried with a new API key: %s", kv[0], got.body)
			}
		}
		if after := c.balance(t); after != before {
			t.Fatalf("balance %s after the refused retries, was %s", after, before)
		}
		if got := c.ok(t, "proxy_list").body; !bytes.Equal(got, leases) {
			t.Fatalf("proxy_list changed:\n%s\nwas\n%s", got, leases)
		}
		// A new idempotency key is a new call, sealed with the new API key.
		c.retried(t, e, "request", "service", "Google", "idempotency_key", "k-request-2")
		e.CheckLedger(t)
	})
}

// Retries of one keyed request sent at once: one charge, one answer.
func TestIdempotencyConcurrentRetries(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, time.Hour)
		e.Numbers(t, apptest.Seq("212", 10)...)
		srv := e.Server(t)
		c := namedClient(t, e, srv, "alice")
		const n = 8
		bodies := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v := url.Values{"cmd": {"request"}, "user": {c.user}, "api_key": {c.key}, "service": {"Google"}, "idempotency_key": {"burst"}}
				resp, err := http.Get(srv.URL + "/api_command.php?" + v.Encode())
				if err != nil {
					bodies[i] = err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				bodies[i] = string(b)
			})
		}
		wg.Wait()
		for i := range n {
			if bodies[i] != bodies[0] || !strings.Contains(bodies[i], `"status":"ok"`) {
				t.Fatalf("answers differ:\n%s\n%s", bodies[0], bodies[i])
			}
		}
		wantBalance(t, c, "98.80")
		e.CheckLedger(t)
	})
}

// gated is a gateway whose sends wait for the test and then accept or refuse.
type gated struct {
	name    string
	entered chan struct{}
	release chan bool
}

func (g *gated) Name() string { return g.name }
func (g *gated) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{Sending: true}
}
func (g *gated) Activate(context.Context, string) (time.Duration, error) {
	return 0, gateway.ErrUnsupported
}
func (g *gated) Forward(context.Context, string, string) error { return gateway.ErrUnsupported }
func (g *gated) Send(ctx context.Context, m gateway.Outbound) (gateway.SendResult, error) {
	g.entered <- struct{}{}
	if <-g.release {
		return gateway.SendResult{Accepted: true, GatewayID: "g-1"}, nil
	}
	return gateway.SendResult{Reason: "refused"}, nil
}
func (g *gated) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (g *gated) Healthy() bool                 { return true }

// send_sms spans two transactions: while the gateway has the message a
// retry is told to come back; a refusal refunds and frees the key; an
// acceptance stores the answer.
func TestIdempotencySendSMSInFlight(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, time.Hour)
		g := &gated{name: "gated", entered: make(chan struct{}), release: make(chan bool)}
		if err := e.Gateways.Add(g); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Inventory.Put(gctx, []inventory.Import{{MDN: "12125550000", Carrier: "TMobile", Gateway: "gated"}}); err != nil {
			t.Fatal(err)
		}
		srv := e.Server(t)
		c := namedClient(t, e, srv, "alice")
		c.ok(t, "request", "service", "Google")
		if _, err := e.Messages.Deliver(gctx, message.Inbound{To: "12125550000", From: "22000", Text: "code 1234", Gateway: "gated"}); err != nil {
			t.Fatal(err)
		}
		send := []string{"mdn", "12125550000", "sms", "hello", "idempotency_key", "s-1"}
		first := func() chan apiResp {
			done := make(chan apiResp, 1)
			go func() {
				v := url.Values{"cmd": {"send_sms"}, "user": {c.user}, "api_key": {c.key}}
				for i := 0; i < len(send); i += 2 {
					v.Set(send[i], send[i+1])
				}
				resp, err := http.Get(srv.URL + "/api_command.php?" + v.Encode())
				if err != nil {
					done <- apiResp{body: []byte(err.Error())}
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				done <- apiResp{code: resp.StatusCode, body: b}
			}()
			<-g.entered
			return done
		}

		// Refused: refunded, and the key is free for a new attempt.
		done := first()
		if got := c.call(t, "send_sms", send...); string(got.body) != textKeyInFlight {
			t.Fatalf("retry while in flight: %s", got.body)
		}
		g.release <- false
		if got := <-done; !bytes.Contains(got.body, []byte("Message was not accepted for delivery")) {
			t.Fatalf("refused send: %s", got.body)
		}
		wantBalance(t, c, "98.80")

		// Accepted: charged once, and the retry answers the same.
		done = first()
		g.release <- true
		got := <-done
		if string(got.body) != `{"status":"ok","message":"Message has been sent"}`+"\n" {
			t.Fatalf("accepted send: %s", got.body)
		}
		if again := c.call(t, "send_sms", send...); !bytes.Equal(again.body, got.body) {
			t.Fatalf("retry after acceptance: %s", again.body)
		}
		wantBalance(t, c, "98.70")
		e.CheckLedger(t)
	})
}
