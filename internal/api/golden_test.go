package api_test

// Golden-file tests of every success answer of the implemented commands,
// through the real HTTP handler, on SQLite and on PostgreSQL. The golden
// files hold the exact response bodies; they are engine-independent (request
// ids start at 10000001 on both engines, the fake clock starts at
// apptest.Start, MDNs come from apptest.Seq), so the same file is checked on
// both. Rewrite them from the SQLite run with:
//
//	go test ./internal/api/ -run 'Golden|Errors' -update

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
	"mdnhub/internal/message"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the SQLite run")

var gctx = context.Background()

// goldenDir holds one file per golden answer: the raw response body.
const goldenDir = "testdata/golden"

// checkGolden compares body with testdata/golden/<name>.json. With -update
// the SQLite run writes the file and the PostgreSQL run checks it.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	apptest.CheckGolden(t, filepath.Join(goldenDir, name+".json"), body, *update)
}

// forEachDBWith is apptest.ForEachDB with a configuration change.
func forEachDBWith(t *testing.T, adjust func(*config.Config), fn func(t *testing.T, e *apptest.Env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, apptest.New(t, "sqlite", adjust)) })
	t.Run("postgres", func(t *testing.T) { fn(t, apptest.New(t, "postgres", adjust)) })
}

// apiResp is one HTTP answer.
type apiResp struct {
	code   int
	header http.Header
	body   []byte
}

func (r apiResp) String() string { return fmt.Sprintf("HTTP %d %s", r.code, r.body) }

// httpDo sends one request to the test server.
func httpDo(t testing.TB, srv *httptest.Server, method, target, contentType string, body io.Reader) apiResp {
	t.Helper()
	r := apptest.Do(t, srv, method, target, contentType, body)
	return apiResp{code: r.Code, header: r.Header, body: r.Body}
}

// apiGet is a GET /api_command.php with v as the query string.
func apiGet(t testing.TB, srv *httptest.Server, v url.Values) apiResp {
	t.Helper()
	return httpDo(t, srv, http.MethodGet, "/api_command.php?"+v.Encode(), "", nil)
}

// apiPostForm sends v as an application/x-www-form-urlencoded body.
func apiPostForm(t testing.TB, srv *httptest.Server, path string, v url.Values) apiResp {
	t.Helper()
	return httpDo(t, srv, http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

// apiPostMultipart sends v as a multipart/form-data body.
func apiPostMultipart(t testing.TB, srv *httptest.Server, path string, v url.Values) apiResp {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, s := range vs {
			if err := w.WriteField(k, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return httpDo(t, srv, http.MethodPost, path, w.FormDataContentType(), &buf)
}

// client calls the API as one user.
type client struct {
	srv       *httptest.Server
	user, key string
}

func newClient(t *testing.T, e *apptest.Env, srv *httptest.Server, balanceCents int64) client {
	t.Helper()
	u, key := e.User(t, balanceCents)
	return client{srv: srv, user: u.Username, key: key}
}

// call sends cmd with the key/value pairs kv by GET and checks the envelope's
// HTTP status and content type.
func (c client) call(t *testing.T, cmd string, kv ...string) apiResp {
	t.Helper()
	v := url.Values{"cmd": {cmd}, "user": {c.user}, "api_key": {c.key}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	r := apiGet(t, c.srv, v)
	if r.code != http.StatusOK {
		t.Fatalf("%s %v: %v", cmd, kv, r)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q", cmd, ct)
	}
	return r
}

// ok calls and requires status "ok".
func (c client) ok(t *testing.T, cmd string, kv ...string) apiResp {
	t.Helper()
	r := c.call(t, cmd, kv...)
	if !bytes.HasPrefix(r.body, []byte(`{"status":"ok","message":`)) {
		t.Fatalf("%s %v: want ok, got %s", cmd, kv, r.body)
	}
	return r
}

// golden calls and compares the body with a golden file.
func (c client) golden(t *testing.T, name, cmd string, kv ...string) apiResp {
	t.Helper()
	r := c.call(t, cmd, kv...)
	checkGolden(t, name, r.body)
	return r
}

func deliverSMS(t *testing.T, e *apptest.Env, to, from, text string) message.Delivery {
	t.Helper()
	d, err := e.Messages.Deliver(gctx, message.Inbound{To: to, From: from, Text: text, Gateway: "sim"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Unowned {
		t.Fatalf("message to %s was not routed to a request", to)
	}
	return d
}

func TestGoldenRequest(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 2)...)
		e.Numbers(t, apptest.Seq("305", 2)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)

		// Plain: the least recently used number, no state.
		c.golden(t, "request_reserved", "request", "service", "Google")
		// areacode: the state is derived from it.
		c.golden(t, "request_areacode", "request", "service", "google", "areacode", "305")
		// state, case-insensitive; echoed upper-case.
		c.golden(t, "request_state", "request", "service", "GOOGLE", "state", "fl")
		// A specific MDN in any notation.
		c.golden(t, "request_mdn", "request", "service", "Google", "mdn", "(212) 555-0001")
		c.golden(t, "balance_after_requests", "balance")
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != 1000-4*120 {
			t.Fatalf("balance %d", b)
		}
		e.CheckLedger(t)
	})
}

func mustUserID(t *testing.T, e *apptest.Env, login string) int64 {
	t.Helper()
	u, err := e.Accounts.Find(gctx, login)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestGoldenRequestStatus(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 4)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)

		// Reserved, 10 s later.
		c.golden(t, "request_reserved", "request", "service", "Google")
		e.Clock.Advance(10 * time.Second)
		c.golden(t, "request_status_reserved", "request_status", "id", "10000001")

		// Completed by its first message, 20 s later.
		deliverSMS(t, e, "12125550000", "22000", "G-804036 is your Google verification code.")
		e.Clock.Advance(20 * time.Second)
		c.golden(t, "request_status_completed", "request_status", "id", "10000001")

		// Rejected.
		c.ok(t, "request", "service", "Google")
		c.golden(t, "reject_ok", "reject", "id", "10000002")
		c.golden(t, "request_status_rejected", "request_status", "id", "10000002")

		// Timed Out, geo-targeted.
		c.golden(t, "request_areacode_212", "request", "service", "Google", "areacode", "212")
		e.Clock.Advance(900 * time.Second)
		for _, id := range []int64{10000001, 10000003} {
			if err := e.Requests.Expire(gctx, id, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		c.golden(t, "request_status_timed_out", "request_status", "id", "10000003")
		// Refusals start "Unable to reject an MDN", which clients match.
		c.golden(t, "reject_timed_out", "reject", "id", "10000003")
		c.golden(t, "reject_timed_out", "timeout", "id", "10000003")
		c.golden(t, "reject_completed", "reject", "id", "10000001")
		// A completed request stays Completed after its time is up.
		c.golden(t, "request_status_completed_expired", "request_status", "id", "10000001")

		// Only the completed request is charged.
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != 1000-120 {
			t.Fatalf("balance %d, want %d", b, 1000-120)
		}
		e.CheckLedger(t)
	})
}

func TestGoldenRequestStatusObject(t *testing.T) {
	compat := func(c *config.Config) { c.Compat.RequestStatusObject = true }
	forEachDBWith(t, compat, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 2)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)
		// request itself still answers an array.
		c.golden(t, "request_reserved", "request", "service", "Google")
		e.Clock.Advance(10 * time.Second)
		r := c.golden(t, "request_status_object", "request_status", "id", "10000001")
		var env struct {
			Message map[string]any `json:"message"`
		}
		if err := json.Unmarshal(r.body, &env); err != nil || env.Message["id"] != "10000001" {
			t.Fatalf("request_status is not one object: %s (%v)", r.body, err)
		}
		// Errors keep the usual envelope.
		r = c.call(t, "request_status", "id", "10000002")
		if string(r.body) != `{"status":"error","message":"Invalid request ID"}`+"\n" {
			t.Fatalf("got %s", r.body)
		}
	})
}

func TestGoldenRequestMulti(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Amazon", 50, 10*time.Minute)
		e.Numbers(t, apptest.Seq("212", 2)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)

		// One number fresh for both services: one entry per service, each
		// with its own id, price and lifetime.
		c.golden(t, "request_multi", "request", "service", "google, AMAZON", "state", "NY")
		e.Clock.Advance(10 * time.Second)
		c.golden(t, "request_status_multi_first", "request_status", "id", "10000001")
		c.golden(t, "request_status_multi_second", "request_status", "id", "10000002")
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != 1000-170 {
			t.Fatalf("balance %d", b)
		}
		e.CheckLedger(t)
	})
}

func TestGoldenPremium(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 1)...)
		srv := e.Server(t)
		a := newClient(t, e, srv, 1000)
		b := newClient(t, e, srv, 1000)
		c := newClient(t, e, srv, 1000)

		// Nothing in 415: bids, charged the premium price at once.
		a.golden(t, "request_premium", "request", "service", "Google", "areacode", "415", "markup", "25")
		e.Clock.Advance(10 * time.Second)
		a.golden(t, "request_status_awaiting", "request_status", "id", "10000001")
		b.golden(t, "request_premium_higher", "request", "service", "Google", "state", "CA", "markup", "50")
		c.ok(t, "request", "service", "Google", "areacode", "415", "markup", "10") // 10000003

		// A 415 number arrives: the highest markup wins it.
		e.Clock.Advance(10 * time.Second)
		e.Numbers(t, "14155550000")
		if _, err := e.Requests.MatchWaiting(gctx); err != nil {
			t.Fatal(err)
		}
		b.golden(t, "request_status_premium_won", "request_status", "id", "10000002")
		a.golden(t, "request_status_awaiting_later", "request_status", "id", "10000001")

		// A bid is cancelled by reject, refunded.
		a.golden(t, "reject_ok", "reject", "id", "10000001")
		a.golden(t, "request_status_bid_rejected", "request_status", "id", "10000001")

		// An unfulfilled bid times out after 30 minutes, refunded.
		e.Clock.Advance(30 * time.Minute)
		if err := e.Requests.Expire(gctx, 10000003, time.Time{}); err != nil {
			t.Fatal(err)
		}
		c.golden(t, "request_status_bid_timed_out", "request_status", "id", "10000003")

		// The winning markup is now the recommended one.
		a.golden(t, "list_services_recommended", "list_services", "service", "Google")

		for _, w := range []struct {
			c    client
			want int64
		}{{a, 1000}, {b, 1000 - 180}, {c, 1000}} {
			if got := e.Balance(t, mustUserID(t, e, w.c.user)); got != w.want {
				t.Errorf("balance of %s: %d, want %d", w.c.user, got, w.want)
			}
		}
		e.CheckLedger(t)
	})
}

func TestGoldenReadSMS(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, apptest.Seq("212", 4)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)
		other := newClient(t, e, srv, 1000)

		// An old message: more than 2 days before the reads.
		c.ok(t, "request", "service", "Google") // 10000001 on 12125550000
		e.Clock.Advance(5 * time.Second)
		deliverSMS(t, e, "12125550000", "22000", "G-111111 is your Google verification code.")
		e.Clock.Advance(3 * 24 * time.Hour)

		c.ok(t, "request", "service", "Google")     // 10000002 on 12125550001
		c.ok(t, "request", "service", "Amazon")     // 10000003 on 12125550002
		other.ok(t, "request", "service", "Amazon") // 10000004 on 12125550003
		steps := []struct{ to, from, text string }{
			{"12125550001", "22000", "G-222222 is your Google verification code."},
			{"12125550002", "262966", "Your Amazon OTP is 333333. Do not share it."},
			{"12125550001", "18339020112", "G-444444 is your Google verification code."},
			{"12125550003", "262966", "Your Amazon OTP is 999999. Do not share it."}, // the other user's
			{"12125550002", "262966", "555555 is your Amazon verification code"},
			{"12125550002", "262966", "Welcome to Amazon! Thanks for signing up."},
		}
		for _, s := range steps {
			e.Clock.Advance(10 * time.Second)
			deliverSMS(t, e, s.to, s.from, s.text)
		}
		e.Clock.Advance(10 * time.Second)
		now := e.Clock.Now().Unix()

		// No filter: the 3 newest of this user, newest first.
		c.golden(t, "read_sms_all", "read_sms")
		// By request id: overrides mdn and service.
		c.golden(t, "read_sms_by_id", "read_sms", "id", "10000002", "mdn", "12125550002", "service", "Amazon")
		// By MDN, in any notation.
		c.golden(t, "read_sms_by_mdn", "read_sms", "mdn", "212-555-0002")
		// By service, case-insensitive; the old message is left out.
		c.golden(t, "read_sms_by_service", "read_sms", "service", "google")
		// limit: more or fewer than the default 3; the old one is still out.
		c.golden(t, "read_sms_limit_100", "read_sms", "limit", "100")
		c.golden(t, "read_sms_limit_1", "read_sms", "limit", "1")
		// since: messages received at or after it.
		c.golden(t, "read_sms_since", "read_sms", "since", strconv.FormatInt(now-35, 10), "limit", "10")
		// Nothing left: the old message is past the 2-day window.
		c.golden(t, "read_sms_no_messages", "read_sms", "id", "10000001")
		if r := c.call(t, "read_sms", "mdn", "12125550003"); string(r.body) != string(mustRead(t, "read_sms_no_messages")) {
			t.Fatalf("another user's messages are visible: %s", r.body)
		}
		other.golden(t, "read_sms_other_user", "read_sms")
	})
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenListServices(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Amazon", 50, 0)
		e.Service(t, "Yahoo", 25, 0)
		e.Numbers(t, apptest.Seq("212", 3)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)

		// Burn one number for Google, then let its request end: Google has
		// 2 numbers left, the others 3.
		c.ok(t, "request", "service", "Google")
		deliverSMS(t, e, "12125550000", "22000", "G-804036 is your Google verification code.")
		e.Clock.Advance(901 * time.Second)
		if err := e.Requests.Expire(gctx, 10000001, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := e.Catalog.Refresh(gctx); err != nil {
			t.Fatal(err)
		}

		c.golden(t, "list_services_all", "list_services")
		c.golden(t, "list_services_one", "list_services", "service", "google")
		c.golden(t, "list_services_several", "list_services", "service", "Yahoo, google,Amazon")
	})
}

func TestGoldenBalance(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		srv := e.Server(t)
		for _, b := range []struct {
			name  string
			cents int64
		}{{"balance", 1000}, {"balance_zero", 0}, {"balance_cents", 5}, {"balance_large", 123456}} {
			newClient(t, e, srv, b.cents).golden(t, b.name, "balance")
		}
	})
}

// TestGoldenJSONTypes checks the JSON types of every field explicitly, as
// strict clients parse them.
func TestGoldenJSONTypes(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 3)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)

		decode := func(r apiResp) map[string]any {
			t.Helper()
			var m map[string]any
			if err := json.Unmarshal(r.body, &m); err != nil {
				t.Fatalf("%s: %v", r.body, err)
			}
			if m["status"] != "ok" {
				t.Fatalf("not ok: %s", r.body)
			}
			return m
		}
		entries := func(m map[string]any) []map[string]any {
			t.Helper()
			arr, ok := m["message"].([]any)
			if !ok || len(arr) == 0 {
				t.Fatalf("message is not a non-empty array: %#v", m["message"])
			}
			out := make([]map[string]any, len(arr))
			for i, a := range arr {
				if out[i], ok = a.(map[string]any); !ok {
					t.Fatalf("entry %d is not an object: %#v", i, a)
				}
			}
			return out
		}
		wantTypes := func(cmd string, obj map[string]any, types map[string]string) {
			t.Helper()
			if len(obj) != len(types) {
				t.Errorf("%s: fields %v, want exactly %v", cmd, keys(obj), types)
			}
			for k, typ := range types {
				v, ok := obj[k]
				if !ok {
					t.Errorf("%s: field %s missing", cmd, k)
					continue
				}
				if got := jsonType(v); got != typ {
					t.Errorf("%s: field %s is %s (%#v), want %s", cmd, k, got, v, typ)
				}
			}
		}

		// request
		r := c.ok(t, "request", "service", "Google")
		req := entries(decode(r))[0]
		wantTypes("request", req, map[string]string{
			"id": "string", "mdn": "string", "service": "string", "status": "string", "state": "string",
			"markup": "number", "price": "number", "carrier": "string", "till_expiration": "number",
		})
		if req["id"] != "10000001" || req["price"] != 1.2 || req["till_expiration"] != 900.0 || req["markup"] != 0.0 {
			t.Errorf("request values: %v", req)
		}
		if !bytes.Contains(r.body, []byte(`"price":1.20,`)) {
			t.Errorf("price not printed with two decimals: %s", r.body)
		}

		// request_status
		st := entries(decode(c.ok(t, "request_status", "id", "10000001")))[0]
		wantTypes("request_status", st, map[string]string{
			"id": "string", "mdn": "string", "service": "string", "status": "string", "state": "string",
			"markup": "number", "carrier": "string", "till_expiration": "number",
		})

		// read_sms: one message with a PIN, one without.
		deliverSMS(t, e, "12125550000", "22000", "G-804036 is your Google verification code.")
		e.Clock.Advance(time.Second)
		deliverSMS(t, e, "12125550000", "22000", "Welcome to Google! Thanks for joining.")
		r = c.ok(t, "read_sms")
		msgs := entries(decode(r))
		if len(msgs) != 2 {
			t.Fatalf("want 2 messages, got %s", r.body)
		}
		for _, m := range msgs {
			wantTypes("read_sms", m, map[string]string{
				"timestamp": "string", "date_time": "string", "from": "string", "to": "string",
				"service": "string", "price": "number", "reply": "string", "pin": "string",
			})
		}
		if msgs[0]["pin"] != "" || msgs[1]["pin"] != "G-804036" {
			t.Errorf("pins %q %q, want \"\" and G-804036", msgs[0]["pin"], msgs[1]["pin"])
		}
		if msgs[1]["timestamp"] != strconv.FormatInt(apptest.Start.Unix(), 10) || msgs[1]["date_time"] != "2020-09-14 14:42:36 EDT" {
			t.Errorf("time fields %v %v", msgs[1]["timestamp"], msgs[1]["date_time"])
		}
		if !bytes.Contains(r.body, []byte(`"price":1.20,`)) {
			t.Errorf("price not printed with two decimals: %s", r.body)
		}

		// list_services: every value a string, with and without recommended_markup.
		svcTypes := map[string]string{
			"name": "string", "price": "string", "ltr_price": "string", "ltr_short_price": "string",
			"available": "string", "otp_available": "string", "ltr_available": "string",
		}
		for _, s := range entries(decode(c.ok(t, "list_services"))) {
			wantTypes("list_services", s, svcTypes)
		}
		svcTypes["recommended_markup"] = "string"
		one := entries(decode(c.ok(t, "list_services", "service", "Google")))[0]
		wantTypes("list_services one", one, svcTypes)
		if one["price"] != "1.20" || one["recommended_markup"] != "10" {
			t.Errorf("list_services one: %v", one)
		}

		// reject answers a string; balance a string with two decimals.
		c.ok(t, "request", "service", "Google")
		if m := decode(c.ok(t, "reject", "id", "10000002")); m["message"] != "MDN has been rejected" {
			t.Errorf("reject: %#v", m["message"])
		}
		if m := decode(c.ok(t, "balance")); m["message"] != "8.80" {
			t.Errorf("balance: %#v, want the string \"8.80\"", m["message"])
		}
	})
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
