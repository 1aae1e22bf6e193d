package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// Over the limit: 429, Retry-After, and the usual JSON envelope; another
// user keeps its own budget.
func TestRateLimit(t *testing.T) {
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.API.RateLimit = 3 })
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	a, keyA := e.User(t, 100)
	b, keyB := e.User(t, 100)
	get := func(user, key string) *http.Response {
		resp, err := http.Get(srv.URL + "/api_command.php?" + url.Values{"cmd": {"balance"}, "user": {user}, "api_key": {key}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	limited := 0
	for i := 0; i < 10; i++ {
		resp := get(a.Username, keyA)
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			var env map[string]any
			json.NewDecoder(resp.Body).Decode(&env)
			if env["status"] != "error" || resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("429 answer: %v %v", env, resp.Header)
			}
		}
		resp.Body.Close()
	}
	if limited == 0 {
		t.Fatal("10 calls in a burst were never limited at 3 per second")
	}
	if resp := get(b.Username, keyB); resp.StatusCode != http.StatusOK {
		t.Fatalf("another user limited too: %d", resp.StatusCode)
	}
}
