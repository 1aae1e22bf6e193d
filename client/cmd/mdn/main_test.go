package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The end-to-end test against the demo is e2e/mdn_test.go in the main
// module; these check the command line itself against a fake server.

func fakeServer(t *testing.T, answers map[string]string) (*httptest.Server, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		seen = append(seen, r.PostForm.Encode())
		if r.PostForm.Get("api_key") != "good" {
			w.Write([]byte(`{"status":"error","message":"Invalid user name or API key"}`))
			return
		}
		a, ok := answers[r.PostForm.Get("cmd")]
		if !ok {
			a = `{"status":"error","message":"Unknown command ` + r.PostForm.Get("cmd") + `"}`
		}
		w.Write([]byte(a))
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func runMDN(env map[string]string, args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

func TestCommandLine(t *testing.T) {
	srv, seen := fakeServer(t, map[string]string{
		"balance":  `{"status":"ok","message":"10.00"}`,
		"request":  `{"status":"ok","message":[{"id":"10000001","mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":0,"price":1.20,"carrier":"TMobile","till_expiration":900}]}`,
		"read_sms": `{"status":"ok","message":[{"timestamp":"1600108956","date_time":"2020-09-14 14:42:36 EDT","from":"22000","to":"12125550000","service":"Google","price":1.20,"reply":"G-804036 is your Google verification code.","pin":"G-804036"}]}`,
	})
	env := map[string]string{"MDN_URL": srv.URL, "MDN_USER": "alice", "MDN_KEY": "good", "HOME": t.TempDir()}

	if out, _, code := runMDN(env, "balance"); code != 0 || out != "10.00\n" {
		t.Fatalf("balance: %d %q", code, out)
	}
	if out, _, code := runMDN(env, "--json", "balance"); code != 0 || out != `{"balance":10.00}`+"\n" {
		t.Fatalf("balance --json: %d %q", code, out)
	}
	// Flags after the positional argument; --wait prints the code after the number.
	out, errOut, code := runMDN(env, "request", "Google", "--areacode", "212", "--wait")
	if code != 0 || !strings.Contains(out, "number      12125550000") || !strings.Contains(out, "code  G-804036") ||
		strings.Index(out, "number") > strings.Index(out, "code") || !strings.Contains(errOut, "waiting for the code") {
		t.Fatalf("request --wait: %d\n%s\n%s", code, out, errOut)
	}
	if req := (*seen)[len(*seen)-2]; !strings.Contains(req, "areacode=212") || !strings.Contains(req, "service=Google") || !strings.Contains(req, "idempotency_key=") {
		t.Fatalf("request form %q", req)
	}
	// Errors: the server's text and exit 1; usage mistakes exit 2.
	if _, errOut, code := runMDN(env, "--key", "bad", "balance"); code != 1 || errOut != "mdn balance: Invalid user name or API key\n" {
		t.Fatalf("bad key: %d %q", code, errOut)
	}
	if _, _, code := runMDN(env, "request"); code != 2 {
		t.Fatalf("request without a service: %d", code)
	}
	if _, _, code := runMDN(env, "fly"); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
	if _, errOut, code := runMDN(map[string]string{"HOME": t.TempDir()}, "balance"); code != 2 || !strings.Contains(errOut, "MDN_URL") {
		t.Fatalf("no credentials: %d %q", code, errOut)
	}
}

func TestConfigPrecedence(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, ".config", "mdn", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("# comment\nurl = http://file\nuser = \"filer\"\nkey = filekey\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "MDN_USER": "envuser"}
	getenv := func(k string) string { return env[k] }
	if got := configPath(getenv); got != path {
		t.Fatalf("config path %q", got)
	}
	s, err := resolve(settings{Key: "flagkey"}, getenv, path)
	if err != nil || s != (settings{URL: "http://file", User: "envuser", Key: "flagkey"}) {
		t.Fatalf("resolve: %+v %v", s, err)
	}
	env["XDG_CONFIG_HOME"] = "/x"
	if got := configPath(getenv); got != "/x/mdn/config" {
		t.Fatalf("XDG path %q", got)
	}
	if err := os.WriteFile(path, []byte("password = x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readConfig(path); err == nil {
		t.Fatal("an unknown setting was accepted")
	}
}
