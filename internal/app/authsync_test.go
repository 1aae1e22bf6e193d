package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app"
	"mdnhub/internal/cli"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/db/dbtest"
)

// A running server and the operator's commands are separate processes on one
// database: every change of what authenticates a caller, made by the command,
// takes effect in the server at once, although the server had just cached the
// caller (api.auth_cache_ttl is long here). On PostgreSQL the change reaches
// the server by notification, so the server is given up to a second.
func TestAuthChangesReachRunningServer(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			cfg := config.Default()
			cfg.DB.Driver = driver
			env := map[string]string{"MDNHUB_DB_DRIVER": driver}
			if driver == "postgres" {
				cfg.DB.DSN = dbtest.PostgresDSN(t, "authsync")
				env["MDNHUB_DB_DSN"] = cfg.DB.DSN
			} else {
				cfg.DB.Path = filepath.Join(t.TempDir(), "mdnhub.db")
				env["MDNHUB_DB_PATH"] = cfg.DB.Path
			}
			cfg.HTTP.Addr = "127.0.0.1:0"
			cfg.API.AuthCacheTTL = time.Hour
			cfg.Log.Level = "error"
			op := operator{t: t, env: env}
			csv := filepath.Join(t.TempDir(), "numbers.csv")
			if err := os.WriteFile(csv, []byte("12125550100\n12125550101\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			op.run("services", "set", "-name", "Google", "-price", "1.00", "-ltr-price", "20.00", "-ltr-short-price", "5.00")
			op.run("numbers", "import", csv)
			out := op.run("user", "create", "-name", "alice", "-email", "alice@example.com")
			key1 := after(t, out, "api_key: ")
			op.run("user", "credit", "-name", "alice", "-amount", "10.00", "-reason", "test")

			srv := startServer(t, cfg)
			if driver == "postgres" {
				// The notification path, not the fallback of checking
				// every call while the listener is not yet up.
				for deadline := time.Now().Add(10 * time.Second); !srv.a.Accounts.Listening(); time.Sleep(5 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatal("the server does not listen for auth changes")
					}
				}
			}
			mustOK(t, srv.call(t, "alice", key1, "balance")) // cached now
			mustOK(t, srv.call(t, "alice", key1, "balance")) // from the cache

			// A new key: the old one is refused at once, the new one works.
			out = op.run("user", "key", "-name", "alice")
			key2 := after(t, out, "new api_key for alice: ")
			srv.eventually(t, driver, "old key refused after user key", func() bool {
				return srv.call(t, "alice", key1, "balance").text() == "Invalid user name or API key"
			})
			mustOK(t, srv.call(t, "alice", key2, "balance"))

			// The shape of request_status follows the account's setting.
			req := srv.call(t, "alice", key2, "request", "service", "Google")
			mustOK(t, req)
			var rs []struct{ ID string }
			if err := json.Unmarshal(req.Message, &rs); err != nil || len(rs) != 1 {
				t.Fatalf("request: %s", req.raw)
			}
			if st := srv.call(t, "alice", key2, "request_status", "id", rs[0].ID); !strings.HasPrefix(string(st.Message), "[") {
				t.Fatalf("request_status before the setting: %s", st.raw)
			}
			op.run("user", "set", "-name", "alice", "-request-status-format", "object")
			srv.eventually(t, driver, "request_status_format", func() bool {
				return strings.HasPrefix(string(srv.call(t, "alice", key2, "request_status", "id", rs[0].ID).Message), "{")
			})

			// A suspension made by hand in SQL.
			if _, err := srv.a.DB.W.ExecContext(context.Background(), `UPDATE users SET suspended = TRUE WHERE login = 'alice'`); err != nil {
				t.Fatal(err)
			}
			srv.eventually(t, driver, "suspension", func() bool {
				return srv.call(t, "alice", key2, "balance").text() == "Account suspended"
			})
		})
	}
}

// server is an app serving on a loopback port.
type server struct {
	a    *app.App
	base string
}

func startServer(t *testing.T, cfg config.Config) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg.Log, io.Discard), clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { ready <- addr }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		a.Close()
	})
	select {
	case addr := <-ready:
		return &server{a: a, base: "http://" + addr + "/api_command.php"}
	case err := <-done:
		t.Fatal(err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	return nil
}

type envelope struct {
	Status  string          `json:"status"`
	Message json.RawMessage `json:"message"`
	raw     string
}

func (e envelope) text() string {
	var s string
	json.Unmarshal(e.Message, &s)
	return s
}

func (s *server) call(t *testing.T, user, key, cmd string, kv ...string) envelope {
	t.Helper()
	v := url.Values{"user": {user}, "api_key": {key}, "cmd": {cmd}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	resp, err := http.Get(s.base + "?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %q", cmd, b)
	}
	e.raw = string(b)
	return e
}

// eventually checks cond at once on SQLite (the server checks the database
// on every call), and for up to a second on PostgreSQL (the notification
// travels through the database server).
func (s *server) eventually(t *testing.T, driver, what string, cond func() bool) {
	t.Helper()
	if driver == "sqlite" {
		if !cond() {
			t.Fatalf("%s: not at once", what)
		}
		return
	}
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a second", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustOK(t *testing.T, e envelope) {
	t.Helper()
	if e.Status != "ok" {
		t.Fatalf("want ok, got %s", e.raw)
	}
}

// operator runs CLI commands as a separate process would: its own App on the
// same database, opened and closed per command.
type operator struct {
	t   *testing.T
	env map[string]string
}

func (o operator) run(args ...string) string {
	o.t.Helper()
	var out, errOut bytes.Buffer
	c := &cli.CLI{Stdout: &out, Stderr: &errOut,
		Env: func(k string) (string, bool) { v, ok := o.env[k]; return v, ok },
		Environ: func() []string {
			var vs []string
			for k, v := range o.env {
				vs = append(vs, k+"="+v)
			}
			return vs
		}}
	if code := c.Run(context.Background(), args); code != 0 {
		o.t.Fatalf("mdnhub %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

func after(t *testing.T, s, prefix string) string {
	t.Helper()
	i := strings.Index(s, prefix)
	if i < 0 {
		t.Fatalf("%q not in %q", prefix, s)
	}
	rest := s[i+len(prefix):]
	if j := strings.IndexAny(rest, " \n"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
