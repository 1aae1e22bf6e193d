package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveUntilHealthy runs a server command until /healthz on addr answers ok,
// then cancels it and returns its exit code and output.
func serveUntilHealthy(t *testing.T, env map[string]string, addr string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		code        int
		out, errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCLIContext(ctx, env, args...)
		done <- result{code, out, errOut}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case r := <-done:
			t.Fatalf("%v ended early: exit %d\n%s%s", args, r.code, r.out, r.errOut)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.TrimSpace(string(body)) == "ok" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v: /healthz not ok within 20s", args)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case r := <-done:
		return r.code, r.out, r.errOut
	case <-time.After(20 * time.Second):
		t.Fatalf("%v did not stop within 20s of its context", args)
	}
	return 0, "", ""
}

// TestServe: serve listens on -addr, answers /healthz and stops cleanly.
func TestServe(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		addr := freeAddr(t)
		env := map[string]string{"MDNHUB_LOG_LEVEL": "error"}
		for k, v := range d.env {
			env[k] = v
		}
		if code, _, errOut := serveUntilHealthy(t, env, addr, "serve", "-addr", addr); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
	})
}

// TestDemo: the demo seeds its own SQLite file, prints its user and key,
// and serves on -addr with the proxy front beside it.
func TestDemo(t *testing.T) {
	addr := freeAddr(t)
	db := filepath.Join(t.TempDir(), "demo.db")
	// The demo runs on SQLite whatever the environment says.
	env := map[string]string{"MDNHUB_DB_DRIVER": "postgres", "MDNHUB_LOG_LEVEL": "error"}
	code, out, errOut := serveUntilHealthy(t, env, addr, "demo", "-addr", addr, "-db", db)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"mdnhub demo is running on http://" + addr + "\n", "database " + db + ", a new demo database",
		"  user:    demo\n", "  api_key: ", "Proxy front: SOCKS5 on 127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}
