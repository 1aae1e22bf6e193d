package smsactivate_test

// The rate limits are one budget for both protocols: a call of an account
// counts the same at handler_api.php and at api_command.php, and so does a
// failed authentication from an address.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// limitedGet calls handler_api.php by GET and returns the status code after
// checking the answer of a call over a limit: 429, Retry-After, and the
// protocol's text (BAD_KEY for a blocked address, ERROR_SQL for an account
// over its calls per second).
func limitedGet(t *testing.T, c client, v url.Values) (int, string) {
	t.Helper()
	r := get(t, c.srv, v)
	if r.code == http.StatusTooManyRequests {
		if b := string(r.body); (b != "BAD_KEY" && b != "ERROR_SQL") || r.header.Get("Retry-After") == "" ||
			r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Fatalf("429 answer: %q %v", r.body, r.header)
		}
	}
	return r.code, string(r.body)
}

// apiCall calls api_command.php's balance as the account of c and returns
// the status code.
func apiCall(t *testing.T, c client, user, key string) int {
	t.Helper()
	v := url.Values{"cmd": {"balance"}, "user": {user}, "api_key": {key}}
	r := do(t, c.srv, http.MethodGet, "/api_command.php?"+v.Encode(), "", nil)
	if r.code == http.StatusTooManyRequests && !strings.Contains(string(r.body), "Too many requests, retry later") {
		t.Fatalf("429 answer of api_command.php: %s", r.body)
	}
	return r.code
}

// An account's calls per second are one budget at both endpoints: once one
// endpoint refuses the account, the other refuses it too, although the
// other alone has had far fewer calls than the budget. Over the budget,
// handler_api.php answers 429 with Retry-After and ERROR_SQL.
func TestRateLimitAccountAcrossProtocols(t *testing.T) {
	const budget = 10
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.API.RateLimit = budget })
	srv := e.Server(t)
	u, key := e.User(t, 100)
	c := client{srv: srv, key: key}
	balance := url.Values{"api_key": {key}, "action": {"getBalance"}}
	for _, dir := range []struct {
		name          string
		hammer, probe func() int
	}{
		{"api_command.php, then handler_api.php",
			func() int { return apiCall(t, c, u.Username, key) },
			func() int { code, _ := limitedGet(t, c, balance); return code }},
		{"handler_api.php, then api_command.php",
			func() int { code, _ := limitedGet(t, c, balance); return code },
			func() int { return apiCall(t, c, u.Username, key) }},
	} {
		// Each round calls one endpoint until it refuses, then the other
		// once: the other's own calls stay below the budget, so only a
		// shared budget refuses it. A round can straddle the start of a
		// new second, so one refusal in a few rounds is the proof.
		refused := false
		for round := 0; round < budget/2 && !refused; round++ {
			for i := 0; ; i++ {
				if i == 4*budget {
					t.Fatalf("%s: %d quick calls never refused at %d per second", dir.name, i, budget)
				}
				if dir.hammer() == http.StatusTooManyRequests {
					break
				}
			}
			refused = dir.probe() == http.StatusTooManyRequests
		}
		if !refused {
			t.Errorf("%s: the second endpoint never refused an account the first had refused", dir.name)
		}
	}
	// The limit is the account's: another one is served.
	_, other := e.User(t, 100)
	if code, body := limitedGet(t, c, url.Values{"api_key": {other}, "action": {"getBalance"}}); code != http.StatusOK {
		t.Fatalf("another account: HTTP %d %s", code, body)
	}
}

// Failed authentications from an address are one budget at both endpoints:
// 3 wrong keys here and 2 wrong passwords at api_command.php use up a
// budget of 5, and then every call from the address is refused at both,
// a correct key included; handler_api.php answers 429 with BAD_KEY without
// looking the key up.
func TestRateLimitAuthFailuresAcrossProtocols(t *testing.T) {
	const budget = 5
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.API.AuthFailures = budget })
	srv := e.Server(t)
	u, key := e.User(t, 100)
	c := client{srv: srv, key: key}
	good := url.Values{"api_key": {key}, "action": {"getBalance"}}
	// Correct calls never count.
	for range 2 * budget {
		if code, body := limitedGet(t, c, good); code != http.StatusOK || body != "ACCESS_BALANCE:1.00" {
			t.Fatalf("correct call: HTTP %d %s", code, body)
		}
	}
	for i := range 3 {
		v := url.Values{"api_key": {strings.Repeat("0", 31) + string(rune('a'+i))}, "action": {"getBalance"}}
		if code, body := limitedGet(t, c, v); code != http.StatusOK || body != "BAD_KEY" {
			t.Fatalf("wrong key %d: HTTP %d %s", i, code, body)
		}
	}
	for i := range 2 {
		if code := apiCall(t, c, u.Username, "wrong"+string(rune('a'+i))); code != http.StatusOK {
			t.Fatalf("wrong key %d at api_command.php: HTTP %d", i, code)
		}
	}
	if code, body := limitedGet(t, c, good); code != http.StatusTooManyRequests || body != "BAD_KEY" {
		t.Fatalf("a correct key from the blocked address: HTTP %d %s, want 429 BAD_KEY", code, body)
	}
	if code := apiCall(t, c, u.Username, key); code != http.StatusTooManyRequests {
		t.Fatalf("a correct call at api_command.php from the blocked address: HTTP %d, want 429", code)
	}
	// What is decided before the key still answers as usual.
	if code, body := limitedGet(t, c, url.Values{"api_key": {key}, "action": {"nope"}}); code != http.StatusOK || body != "BAD_ACTION" {
		t.Fatalf("unknown action from the blocked address: HTTP %d %s", code, body)
	}
}
