package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// limitedCall sends one balance call, by GET or by POST, and returns the
// status code after checking that a 429 has Retry-After and the envelope.
func limitedCall(t *testing.T, srv *httptest.Server, post bool, v url.Values) int {
	t.Helper()
	var resp *http.Response
	var err error
	if post {
		resp, err = http.Post(srv.URL+"/api_command.php", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	} else {
		resp, err = http.Get(srv.URL + "/api_command.php?" + v.Encode())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		var env map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env["status"] != "error" ||
			env["message"] != "Too many requests, retry later" || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("429 answer: %v %v %v", env, err, resp.Header)
		}
	}
	return resp.StatusCode
}

// Successful calls are limited per account, whatever names the account: its
// user name in any case or its e-mail share one budget; another account
// keeps its own.
func TestRateLimitPerAccount(t *testing.T) {
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.API.RateLimit = 3 })
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	a, keyA := e.User(t, 100)
	b, keyB := e.User(t, 100)
	names := []string{a.Username, strings.ToUpper(a.Username), a.Email}
	limited := 0
	for i := range 12 {
		v := url.Values{"cmd": {"balance"}, "user": {names[i%len(names)]}, "api_key": {keyA}}
		if limitedCall(t, srv, i%2 == 1, v) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("12 calls of one account under three names were never limited at 3 per second")
	}
	v := url.Values{"cmd": {"balance"}, "user": {b.Username}, "api_key": {keyB}}
	if code := limitedCall(t, srv, false, v); code != http.StatusOK {
		t.Fatalf("another account limited too: %d", code)
	}
}

// Failed authentications are limited per client address: a client cycling
// user names with wrong keys, by GET and by POST, is refused once it has
// used its budget, and then so is every call from that address, a correct
// one included; the refusal costs no lookup.
func TestRateLimitAuthFailures(t *testing.T) {
	const budget = 5
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.API.AuthFailures = budget })
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	u, key := e.User(t, 100)
	good := url.Values{"cmd": {"balance"}, "user": {u.Username}, "api_key": {key}}
	// Correct calls never count against the budget.
	for range 2 * budget {
		if code := limitedCall(t, srv, false, good); code != http.StatusOK {
			t.Fatalf("correct call: %d", code)
		}
	}
	var codes []int
	for i := range budget + 3 {
		v := url.Values{"cmd": {"balance"}, "user": {fmt.Sprintf("guess%d", i)}, "api_key": {"0123456789abcdef"}}
		codes = append(codes, limitedCall(t, srv, i%2 == 0, v))
	}
	for i, code := range codes {
		want := http.StatusOK // the envelope's "Invalid user name or API key"
		if i >= budget {
			want = http.StatusTooManyRequests
		}
		if code != want {
			t.Fatalf("wrong-key calls answered %v, want %d of 200 then 429", codes, budget)
		}
	}
	if code := limitedCall(t, srv, true, good); code != http.StatusTooManyRequests {
		t.Fatalf("a correct call from the blocked address: %d, want 429", code)
	}
}

// With the limits off (api.rate_limit and api.auth_failure_limit 0) nothing
// is ever refused.
func TestRateLimitOff(t *testing.T) {
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.API.AuthFailures = 0 })
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	for i := range 100 {
		v := url.Values{"cmd": {"balance"}, "user": {fmt.Sprintf("guess%d", i)}, "api_key": {"wrong"}}
		if code := limitedCall(t, srv, false, v); code != http.StatusOK {
			t.Fatalf("call %d: %d", i, code)
		}
	}
}
