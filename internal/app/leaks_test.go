package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// A path with empty or dot segments is answered where it is, never with a
// redirect whose Location would repeat the query string and its API key.
func TestUncleanPathsAreNotRedirected(t *testing.T) {
	e := apptest.New(t, "sqlite", nil)
	u, key := e.User(t, 1234)
	srv := e.Server(t)
	q := url.Values{"cmd": {"balance"}, "user": {u.Username}, "api_key": {key}}.Encode()
	for _, p := range []string{
		"//api_command.php", "///api_command.php", "/./api_command.php", "/sims//api_command.php",
		"/sims/./api_command.php", "//sims/api_command.php", "/%2Fapi_command.php",
		"/x/../api_command.php", "/sims/../sims/api_command.php",
	} {
		for _, method := range []string{"GET", "POST"} {
			var req *http.Request
			var err error
			if method == "GET" {
				req, err = http.NewRequest("GET", srv.URL+p+"?"+q, nil)
			} else {
				req, err = http.NewRequest("POST", srv.URL+p, strings.NewReader(q))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := noRedirects.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var env struct{ Status, Message string }
			json.Unmarshal(b, &env)
			if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || env.Status != "ok" || env.Message != "12.34" {
				t.Errorf("%s %s: %d Location %q %s", method, p, resp.StatusCode, resp.Header.Get("Location"), b)
			}
		}
	}
	// Paths that lead nowhere are not found, wherever they would clean to
	// (an escaped slash inside a segment separates nothing).
	for _, p := range []string{"//nowhere", "/nowhere//", "/./nowhere/", "/api_command.php/", "//api_command.php/", "/../",
		"/sims%2Fapi_command.php"} {
		resp, err := noRedirects.Get(srv.URL + p + "?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 == 3 || resp.Header.Get("Location") != "" {
			t.Errorf("GET %s: %d Location %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func get(t *testing.T, target, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /metrics is not on the public address unless a token guards it.
func TestMetricsOffThePublicAddress(t *testing.T) {
	e := apptest.New(t, "sqlite", nil)
	srv := e.Server(t)
	if code, _ := get(t, srv.URL+"/metrics", ""); code != http.StatusNotFound {
		t.Fatalf("/metrics on the public address without a token: %d", code)
	}
	if code, body := get(t, srv.URL+"/healthz", ""); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}

	const token = "0123456789abcdef-metrics"
	e = apptest.New(t, "sqlite", func(c *config.Config) { c.HTTP.MetricsToken = token })
	srv = e.Server(t)
	for _, auth := range []string{"", "Bearer wrong-token-wrong-token", "Basic " + token, token, "Bearer " + token + "x"} {
		if code, _ := get(t, srv.URL+"/metrics", auth); code != http.StatusUnauthorized {
			t.Errorf("/metrics with %q: %d", auth, code)
		}
	}
	if code, body := get(t, srv.URL+"/metrics", "Bearer "+token); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics with the token: %d", code)
	}
}

// http.metrics_addr serves /metrics alone on a listener of its own.
func TestMetricsListener(t *testing.T) {
	cfg := config.Default()
	cfg.DB.Path = filepath.Join(t.TempDir(), "mdnhub.db")
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.MetricsAddr = "127.0.0.1:0"
	cfg.Log.Level = "error"
	srv := startServer(t, cfg)
	m := "http://" + srv.a.MetricsAddr()
	if srv.a.MetricsAddr() == "" {
		t.Fatal("no metrics listener")
	}
	if code, body := get(t, m+"/metrics", ""); code != 200 || !strings.Contains(body, "mdnhub_numbers") {
		t.Fatalf("metrics listener: %d", code)
	}
	public := strings.TrimSuffix(srv.base, "/api_command.php")
	if code, _ := get(t, public+"/metrics", ""); code != http.StatusNotFound {
		t.Fatalf("/metrics on the public address: %d", code)
	}
	for _, p := range []string{"/api_command.php?cmd=balance", "/healthz"} {
		if code, _ := get(t, m+p, ""); code != http.StatusNotFound {
			t.Fatalf("%s on the metrics listener: %d", p, code)
		}
	}
}
