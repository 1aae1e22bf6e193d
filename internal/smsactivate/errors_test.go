package smsactivate_test

// Bad inputs through the real HTTP handler on both engines: each answers the
// protocol's exact text with HTTP 200, by GET, by POST (urlencoded,
// multipart, and parameters in the query string alone) and at the path
// without .php alike, and changes nothing at all.

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// fixture is one shared world for the error table:
//
//	a      10.00, nothing open
//	poor    0.50
//	busy   10.00, 2 open requests (the cap): 10000001, 10000002
//	done   10.00, 10000003 completed by a message (still open), 10000004
//	       cancelled, 10000005 completed and finished
//	susp   10.00, suspended
//
// Services Google (go, 1.20), Amazon (am, 0.50), OldApp (hidden, code old),
// Yahoo (mb turned off by the operator).
type fixture struct {
	e     *apptest.Env
	srv   *httptest.Server
	users map[string]fixtureUser
}

type fixtureUser struct {
	id  int64
	key string
}

const nextID = "10000006"

func newFixture(t *testing.T, e *apptest.Env) *fixture {
	t.Helper()
	e.Service(t, "Google", 120, 0)
	e.Service(t, "Amazon", 50, 0)
	e.Service(t, "Yahoo", 30, 0)
	if _, err := e.Catalog.Put(ctx, catalogService("OldApp", 30)); err != nil {
		t.Fatal(err)
	}
	if err := e.Catalog.SetServiceCode(ctx, "old", "OldApp"); err != nil {
		t.Fatal(err)
	}
	if err := e.Catalog.SetServiceCode(ctx, "mb", ""); err != nil {
		t.Fatal(err)
	}
	e.Numbers(t, apptest.Seq("212", 8)...)
	srv := e.Server(t)
	f := &fixture{e: e, srv: srv, users: map[string]fixtureUser{}}
	for _, u := range []struct {
		name  string
		cents int64
	}{{"a", 1000}, {"poor", 50}, {"busy", 1000}, {"done", 1000}, {"susp", 1000}} {
		usr, key := e.User(t, u.cents)
		f.users[u.name] = fixtureUser{id: usr.ID, key: key}
	}
	busy, done := f.as("busy"), f.as("done")
	busy.want(t, "ACCESS_NUMBER:10000001:12125550000", "getNumber", "service", "go")
	busy.want(t, "ACCESS_NUMBER:10000002:12125550001", "getNumber", "service", "go")
	done.want(t, "ACCESS_NUMBER:10000003:12125550002", "getNumber", "service", "go")
	deliver(t, e, "12125550002", "22000", "G-804036 is your Google verification code.")
	done.want(t, "ACCESS_NUMBER:10000004:12125550003", "getNumber", "service", "go")
	done.want(t, "ACCESS_CANCEL", "setStatus", "id", "10000004", "status", "8")
	done.want(t, "ACCESS_NUMBER:10000005:12125550004", "getNumber", "service", "am")
	deliver(t, e, "12125550004", "262966", "Your Amazon OTP is 333333.")
	done.want(t, "ACCESS_ACTIVATION", "setStatus", "id", "10000005", "status", "6")
	if _, err := e.DB.W.ExecContext(ctx, `UPDATE users SET suspended = TRUE WHERE id = $1`, f.users["susp"].id); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) as(name string) client { return client{srv: f.srv, key: f.users[name].key} }

// snapshot is every row a call could change, as text.
func (f *fixture) snapshot(t *testing.T) string { return f.e.Snapshot(t) }

// errCase is one bad input. kv are the parameters; when as names a user,
// its api_key is added. want is the exact body.
type errCase struct {
	name string
	as   string
	kv   []string
	want string
}

var (
	huge      = strings.Repeat("g", 10<<10)
	hugeDigit = strings.Repeat("7", 10<<10)
)

func errCases() []errCase {
	cases := []errCase{
		// The action, before the key.
		{"no action", "a", nil, "BAD_ACTION"},
		{"no action, no key", "", nil, "BAD_ACTION"},
		{"unknown action", "a", []string{"action", "getNumbers"}, "BAD_ACTION"},
		{"unknown action, bad key", "", []string{"action", "nope", "api_key", "x"}, "BAD_ACTION"},
		{"action in lower case", "a", []string{"action", "getbalance"}, "BAD_ACTION"},
		{"blank action", "a", []string{"action", "  "}, "BAD_ACTION"},
		{"huge action", "a", []string{"action", huge}, "BAD_ACTION"},
		{"rent action", "a", []string{"action", "getRentNumber", "service", "go"}, "BAD_ACTION"},

		// The key.
		{"no key", "", []string{"action", "getBalance"}, "BAD_KEY"},
		{"empty key", "", []string{"action", "getBalance", "api_key", ""}, "BAD_KEY"},
		{"wrong key", "", []string{"action", "getBalance", "api_key", "0123456789abcdef0123456789abcdef"}, "BAD_KEY"},
		{"huge key", "", []string{"action", "getBalance", "api_key", huge}, "BAD_KEY"},
		{"suspended", "susp", []string{"action", "getBalance"}, "BAD_KEY"},
		{"suspended getNumber", "susp", []string{"action", "getNumber", "service", "go"}, "BAD_KEY"},
		{"bad key before the service", "", []string{"action", "getNumber", "api_key", "x", "service", "zz"}, "BAD_KEY"},
	}
	for _, act := range []string{"getNumber", "getNumberV2"} {
		cases = append(cases, []errCase{
			{act + " no service", "a", []string{"action", act}, "BAD_SERVICE"},
			{act + " empty service", "a", []string{"action", act, "service", " "}, "BAD_SERVICE"},
			{act + " unknown code", "a", []string{"action", act, "service", "zz"}, "BAD_SERVICE"},
			{act + " a service's name", "a", []string{"action", act, "service", "Google"}, "BAD_SERVICE"},
			{act + " code of a hidden service", "a", []string{"action", act, "service", "old"}, "BAD_SERVICE"},
			{act + " code turned off", "a", []string{"action", act, "service", "mb"}, "BAD_SERVICE"},
			{act + " default without its service", "a", []string{"action", act, "service", "wa"}, "BAD_SERVICE"},
			{act + " huge service", "a", []string{"action", act, "service", huge}, "BAD_SERVICE"},
			{act + " other country", "a", []string{"action", act, "service", "go", "country", "0"}, "NO_NUMBERS"},
			{act + " USA virtual", "a", []string{"action", act, "service", "go", "country", "12"}, "NO_NUMBERS"},
			{act + " huge country", "a", []string{"action", act, "service", "go", "country", "99999999999999999999"}, "BAD_COUNTRY"},
			{act + " country word", "a", []string{"action", act, "service", "go", "country", "usa"}, "BAD_COUNTRY"},
			{act + " country negative", "a", []string{"action", act, "service", "go", "country", "-1"}, "BAD_COUNTRY"},
			{act + " country fraction", "a", []string{"action", act, "service", "go", "country", "187.5"}, "BAD_COUNTRY"},
			{act + " forward", "a", []string{"action", act, "service", "go", "forward", "1"}, "BAD_FORWARD"},
			{act + " forward word", "a", []string{"action", act, "service", "go", "forward", "yes"}, "BAD_FORWARD"},
			{act + " max price low", "a", []string{"action", act, "service", "go", "maxPrice", "1.19"}, "WRONG_MAX_PRICE:1.20"},
			{act + " max price zero", "a", []string{"action", act, "service", "am", "maxPrice", "0"}, "WRONG_MAX_PRICE:0.50"},
			{act + " max price word", "a", []string{"action", act, "service", "go", "maxPrice", "cheap"}, "WRONG_MAX_PRICE:1.20"},
			{act + " max price negative", "a", []string{"action", act, "service", "go", "maxPrice", "-5"}, "WRONG_MAX_PRICE:1.20"},
			{act + " max price NaN", "a", []string{"action", act, "service", "go", "maxPrice", "NaN"}, "WRONG_MAX_PRICE:1.20"},
			{act + " max price huge", "a", []string{"action", act, "service", "go", "maxPrice", hugeDigit}, "WRONG_MAX_PRICE:1.20"},
			{act + " no balance", "poor", []string{"action", act, "service", "go"}, "NO_BALANCE"},
			{act + " open requests capped", "busy", []string{"action", act, "service", "am"}, "NO_NUMBERS"},
		}...)
	}
	for _, id := range []string{"", " ", "10000001", nextID, "abc", "-1", "0", "1.5", "0x10", "99999999999999999999", hugeDigit} {
		cases = append(cases,
			errCase{"getStatus id " + id[:min(len(id), 20)], "a", []string{"action", "getStatus", "id", id}, "NO_ACTIVATION"},
			errCase{"setStatus 8 id " + id[:min(len(id), 20)], "a", []string{"action", "setStatus", "status", "8", "id", id}, "NO_ACTIVATION"},
			errCase{"setStatus 1 id " + id[:min(len(id), 20)], "a", []string{"action", "setStatus", "status", "1", "id", id}, "NO_ACTIVATION"})
	}
	for _, st := range []string{"", "0", "2", "4", "5", "7", "9", "-2", "x", "8.0", "1e1", hugeDigit} {
		cases = append(cases, errCase{"setStatus status " + st[:min(len(st), 20)], "busy", []string{"action", "setStatus", "id", "10000001", "status", st}, "BAD_STATUS"})
	}
	cases = append(cases, []errCase{
		{"getStatus without id", "a", []string{"action", "getStatus"}, "NO_ACTIVATION"},
		{"setStatus without id", "a", []string{"action", "setStatus", "status", "6"}, "NO_ACTIVATION"},
		{"setStatus without anything", "a", []string{"action", "setStatus"}, "BAD_STATUS"},
		{"setStatus foreign, bad status", "a", []string{"action", "setStatus", "id", "10000001", "status", "5"}, "BAD_STATUS"},
		// Statuses an activation cannot take now.
		{"another code before any", "busy", []string{"action", "setStatus", "id", "10000001", "status", "3"}, "BAD_STATUS"},
		{"complete before a code", "busy", []string{"action", "setStatus", "id", "10000001", "status", "6"}, "BAD_STATUS"},
		{"cancel after a code", "done", []string{"action", "setStatus", "id", "10000003", "status", "8"}, "BAD_STATUS"},
		{"old cancel after a code", "done", []string{"action", "setStatus", "id", "10000003", "status", "-1"}, "BAD_STATUS"},
		{"ready after cancel", "done", []string{"action", "setStatus", "id", "10000004", "status", "1"}, "BAD_STATUS"},
		{"another code after cancel", "done", []string{"action", "setStatus", "id", "10000004", "status", "3"}, "BAD_STATUS"},
		{"complete after cancel", "done", []string{"action", "setStatus", "id", "10000004", "status", "6"}, "BAD_STATUS"},
		{"cancel after complete", "done", []string{"action", "setStatus", "id", "10000005", "status", "8"}, "BAD_STATUS"},
		{"another code after complete", "done", []string{"action", "setStatus", "id", "10000005", "status", "3"}, "BAD_STATUS"},
		// Answers that change nothing.
		{"cancel again", "done", []string{"action", "setStatus", "id", "10000004", "status", "8"}, "ACCESS_CANCEL"},
		{"complete again", "done", []string{"action", "setStatus", "id", "10000005", "status", "6"}, "ACCESS_ACTIVATION"},
		{"ready", "busy", []string{"action", "setStatus", "id", "10000001", "status", "1"}, "ACCESS_READY"},
		{"status of the cancelled", "done", []string{"action", "getStatus", "id", "10000004"}, "STATUS_CANCEL"},
		{"status of the completed", "done", []string{"action", "getStatus", "id", "10000005"}, "STATUS_OK:333333"},
		{"balance of busy", "busy", []string{"action", "getBalance", "service", "zz", "id", "x"}, "ACCESS_BALANCE:7.60"},
		{"active of a", "a", []string{"action", "getActiveActivations"}, `{"status":"error","error":"NO_ACTIVATIONS"}`},

		// Listings.
		{"getPrices unknown code", "a", []string{"action", "getPrices", "service", "zz"}, "BAD_SERVICE"},
		{"getPrices code turned off", "a", []string{"action", "getPrices", "service", "mb"}, "BAD_SERVICE"},
		{"getPrices bad country", "a", []string{"action", "getPrices", "country", "x"}, "BAD_COUNTRY"},
		{"getPrices other country, unknown code", "a", []string{"action", "getPrices", "country", "0", "service", "zz"}, "{}"},
		{"getNumbersStatus unknown code", "a", []string{"action", "getNumbersStatus", "service", "zz"}, "BAD_SERVICE"},
		{"getNumbersStatus bad country", "a", []string{"action", "getNumbersStatus", "country", "-3"}, "BAD_COUNTRY"},
	}...)
	return cases
}

func (f *fixture) values(c errCase) url.Values {
	v := url.Values{}
	if c.as != "" {
		v.Set("api_key", f.users[c.as].key)
	}
	for i := 0; i+1 < len(c.kv); i += 2 {
		v.Set(c.kv[i], c.kv[i+1])
	}
	return v
}

// fixtureMaxOpen caps open requests at 2, so that busy is at the cap.
func fixtureMaxOpen(c *config.Config) { c.Requests.MaxOpen = 2 }

func forEachDBWith(t *testing.T, adjust func(*config.Config), fn func(t *testing.T, e *apptest.Env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, apptest.New(t, "sqlite", adjust)) })
	t.Run("postgres", func(t *testing.T) { fn(t, apptest.New(t, "postgres", adjust)) })
}

func TestErrorsTable(t *testing.T) {
	forEachDBWith(t, fixtureMaxOpen, func(t *testing.T, e *apptest.Env) {
		f := newFixture(t, e)
		for _, c := range errCases() {
			t.Run(c.name, func(t *testing.T) {
				before := f.snapshot(t)
				v := f.values(c)
				for _, how := range []struct {
					name string
					r    resp
				}{
					{"GET", get(t, f.srv, v)},
					{"GET without .php", do(t, f.srv, http.MethodGet, "/stubs/handler_api?"+v.Encode(), "", nil)},
					{"POST urlencoded", postForm(t, f.srv, v)},
					{"POST multipart", postMultipart(t, f.srv, v)},
					{"POST query", postQuery(t, f.srv, v)},
				} {
					r := how.r
					if r.code != http.StatusOK || string(r.body) != c.want {
						t.Errorf("%s: HTTP %d %q, want 200 %q", how.name, r.code, r.body, c.want)
					}
					ct := "text/plain; charset=utf-8"
					if strings.HasPrefix(c.want, "{") {
						ct = "application/json"
					}
					if got := r.header.Get("Content-Type"); got != ct {
						t.Errorf("%s: Content-Type %q, want %q", how.name, got, ct)
					}
				}
				if after := f.snapshot(t); after != before {
					t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				e.CheckLedger(t)
			})
		}
		// And no request was created by any of them.
		if got := f.as("a").call(t, "getStatus", "id", nextID); got != "NO_ACTIVATION" {
			t.Errorf("request %s exists: %s", nextID, got)
		}
	})
}

// TestErrorsHTTP covers what is decided before an action runs: methods,
// body size and encoding; none is a 5xx and none changes anything.
func TestErrorsHTTP(t *testing.T) {
	forEachDBWith(t, func(c *config.Config) {
		fixtureMaxOpen(c)
		c.HTTP.MaxBodyBytes = 1 << 20
	}, func(t *testing.T, e *apptest.Env) {
		f := newFixture(t, e)
		before := f.snapshot(t)
		auth := url.Values{"action": {"getBalance"}, "api_key": {f.users["a"].key}}
		check := func(name string, r resp, code int, want string) {
			t.Helper()
			if r.code != code || string(r.body) != want {
				t.Errorf("%s: HTTP %d %q, want %d %q", name, r.code, r.body, code, want)
			}
		}
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
			r := do(t, f.srv, m, path+"?"+auth.Encode(), "application/x-www-form-urlencoded", strings.NewReader(auth.Encode()))
			check(m, r, http.StatusMethodNotAllowed, "BAD_ACTION")
			if allow := r.header.Get("Allow"); allow != "GET, POST" {
				t.Errorf("%s: Allow %q", m, allow)
			}
		}
		check("body over 1 MiB", do(t, f.srv, http.MethodPost, path, "application/x-www-form-urlencoded",
			strings.NewReader(auth.Encode()+"&pad="+strings.Repeat("x", 1<<20))), http.StatusOK, "BAD_ACTION")
		check("multipart over 1 MiB", postMultipart(t, f.srv, url.Values{"action": auth["action"], "api_key": auth["api_key"],
			"pad": {strings.Repeat("x", 1<<20)}}), http.StatusOK, "BAD_ACTION")
		check("malformed urlencoded body", do(t, f.srv, http.MethodPost, path, "application/x-www-form-urlencoded",
			strings.NewReader(auth.Encode()+"&x=%zz")), http.StatusOK, "BAD_ACTION")
		check("malformed multipart body", do(t, f.srv, http.MethodPost, path, "multipart/form-data; boundary=XYZ",
			strings.NewReader("--XYZ\r\nbroken")), http.StatusOK, "BAD_ACTION")
		check("malformed query", do(t, f.srv, http.MethodGet, path+"?"+auth.Encode()+"&x=%zz", "", nil), http.StatusOK, "BAD_ACTION")
		check("POST split between query and body", do(t, f.srv, http.MethodPost, path+"?action=getBalance", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"api_key": auth["api_key"]}.Encode())), http.StatusOK, "ACCESS_BALANCE:10.00")
		check("POST JSON body, parameters in the query", do(t, f.srv, http.MethodPost, path+"?"+auth.Encode(), "application/json",
			strings.NewReader(`{"action":"getNumber"}`)), http.StatusOK, "ACCESS_BALANCE:10.00")
		check("clean path", do(t, f.srv, http.MethodGet, "/stubs//handler_api.php?"+auth.Encode(), "", nil), http.StatusOK, "ACCESS_BALANCE:10.00")
		if after := f.snapshot(t); after != before {
			t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}
