// Package e2e drives the real mdnhub binary from the outside: it builds it
// once, starts it as a child process on a free loopback port, and talks to it
// over HTTP exactly as a customer's client program would, and to its CLI
// exactly as an operator's script would.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mdnhub/internal/db/dbtest"
)

// binary is the mdnhub executable built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %s is not the module root: %v\n", root, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "mdnhub-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "mdnhub")
	gobin, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go tool not found:", err)
		return 1
	}
	build := exec.Command(gobin, "build", "-o", binary, "./cmd/mdnhub")
	build.Dir = root
	build.Stdout = os.Stderr
	build.Stderr = os.Stderr
	start := time.Now()
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go build failed:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: built %s in %v\n", binary, time.Since(start).Round(time.Millisecond))
	return m.Run()
}

// ---------------------------------------------------------------------------
// Child processes

// env is a set of MDNHUB_* variables for a child process.
type env map[string]string

// with returns a copy of e with the given key/value pairs added.
func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// environ is the child's whole environment: ours without any MDNHUB_*
// variable (so the developer's settings cannot leak in), plus e.
func (e env) environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MDNHUB_") {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+e[k])
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for the process's writers and our readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a running mdnhub server.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error // the Wait result, valid once done is closed
}

// start runs the binary with args in dir. The process is killed at cleanup
// if it is still running, and its output goes to the test log on failure.
func start(t *testing.T, name, dir string, e env, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Dir = dir
	p.cmd.Env = e.environ()
	p.cmd.Stdout = p.stdout
	p.cmd.Stderr = p.stderr
	orphanGuard(p.cmd)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("--- %s (%s) stdout:\n%s", p.name, strings.Join(args, " "), p.stdout.String())
			t.Logf("--- %s stderr:\n%s", p.name, p.stderr.String())
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and requires a clean exit (status 0) within limit.
func (p *proc) stop(t *testing.T, limit time.Duration) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("%s: SIGTERM: %v", p.name, err)
	}
	began := time.Now()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("%s did not exit within %v of SIGTERM", p.name, limit)
	}
	if p.err != nil {
		t.Fatalf("%s exited after SIGTERM with %v, want status 0", p.name, p.err)
	}
	t.Logf("%s stopped gracefully in %v", p.name, time.Since(began).Round(time.Millisecond))
}

// cli runs a one-shot subcommand and returns its stdout; a non-zero exit
// fails the test with the command's output.
func cli(t *testing.T, dir string, e env, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = e.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	orphanGuard(cmd)
	if err := cmd.Run(); err != nil {
		t.Fatalf("mdnhub %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitFor polls cond every interval until it returns true, failing after
// limit or as soon as p exits.
func waitFor(t *testing.T, p *proc, limit, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if cond() {
			return
		}
		if p != nil && p.exited() {
			t.Fatalf("waiting for %s: %s exited early: %v", what, p.name, p.err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(interval)
	}
}

// waitHealthy waits for GET /healthz to answer 200.
func waitHealthy(t *testing.T, p *proc, addr string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	waitFor(t, p, 15*time.Second, 100*time.Millisecond, p.name+" /healthz", func() bool {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

var apiKeyLine = regexp.MustCompile(`(?m)^\s*api_key:\s*(\S+)\s*$`)

// apiKeyFrom finds the "api_key: <key>" line in a command's output.
func apiKeyFrom(t *testing.T, out string) string {
	t.Helper()
	m := apiKeyLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no api_key line in output:\n%s", out)
	}
	return m[1]
}

// waitAPIKey waits for the demo's api_key line on stdout.
func waitAPIKey(t *testing.T, p *proc) string {
	t.Helper()
	var key string
	waitFor(t, p, 15*time.Second, 50*time.Millisecond, p.name+" api_key line", func() bool {
		if m := apiKeyLine.FindStringSubmatch(p.stdout.String()); m != nil {
			key = m[1]
			return true
		}
		return false
	})
	return key
}

// ---------------------------------------------------------------------------
// The API, as a client sees it

// client calls api_command.php as one user.
type client struct {
	t          *testing.T
	base, user string
	key        string
	http       *http.Client
}

func newClient(t *testing.T, addr, user, key string) *client {
	return &client{t: t, base: "http://" + addr + "/api_command.php", user: user, key: key, http: &http.Client{Timeout: 10 * time.Second}}
}

// answer is one decoded API envelope.
type answer struct {
	Status  string
	Message json.RawMessage
	Body    string
}

// call sends GET ?cmd=...&user=...&api_key=...&<params> and parses the
// envelope strictly: HTTP 200, application/json, exactly the keys status and
// message, status ok or error, an error's message a string, nothing after.
func (c *client) call(cmd string, params ...string) answer {
	c.t.Helper()
	q := url.Values{"cmd": {cmd}, "user": {c.user}, "api_key": {c.key}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	resp, err := c.http.Get(c.base + "?" + q.Encode())
	if err != nil {
		c.t.Fatalf("%s: %v", cmd, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatalf("%s: reading body: %v", cmd, err)
	}
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d, want 200; body %s", cmd, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Fatalf("%s: Content-Type %q, want application/json", cmd, ct)
	}
	var env struct {
		Status  *string         `json:"status"`
		Message json.RawMessage `json:"message"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		c.t.Fatalf("%s: body is not the envelope: %v\n%s", cmd, err, body)
	}
	if _, err := dec.Token(); err != io.EOF {
		c.t.Fatalf("%s: data after the envelope: %s", cmd, body)
	}
	if env.Status == nil || env.Message == nil {
		c.t.Fatalf("%s: envelope lacks status or message: %s", cmd, body)
	}
	a := answer{Status: *env.Status, Message: env.Message, Body: string(body)}
	switch a.Status {
	case "ok":
	case "error":
		var s string
		if err := json.Unmarshal(a.Message, &s); err != nil {
			c.t.Fatalf("%s: error message is not a string: %s", cmd, body)
		}
	default:
		c.t.Fatalf("%s: status %q, want ok or error: %s", cmd, a.Status, body)
	}
	return a
}

// ok calls cmd, requires status ok and decodes message into out strictly.
func (c *client) ok(out any, cmd string, params ...string) answer {
	c.t.Helper()
	a := c.call(cmd, params...)
	if a.Status != "ok" {
		c.t.Fatalf("%s %v: want ok, got %s", cmd, params, a.Body)
	}
	if out != nil {
		strictDecode(c.t, a.Message, out)
	}
	return a
}

// fail calls cmd and requires status error with exactly the text want.
func (c *client) fail(want, cmd string, params ...string) {
	c.t.Helper()
	a := c.call(cmd, params...)
	var got string
	json.Unmarshal(a.Message, &got)
	if a.Status != "error" || got != want {
		c.t.Fatalf("%s %v: want error %q, got %s", cmd, params, want, a.Body)
	}
}

// strictDecode decodes raw into out, refusing unknown fields, wrong types
// and trailing data.
func strictDecode(t *testing.T, raw json.RawMessage, out any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("decoding %s into %T: %v", raw, out, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("trailing data in %s", raw)
	}
}

// requireKeys checks that every object of a JSON array has exactly keys.
func requireKeys(t *testing.T, raw json.RawMessage, keys ...string) {
	t.Helper()
	var objs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &objs); err != nil {
		t.Fatalf("%s is not an array of objects: %v", raw, err)
	}
	want := append([]string(nil), keys...)
	sort.Strings(want)
	for _, o := range objs {
		got := make([]string, 0, len(o))
		for k := range o {
			got = append(got, k)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("object keys %v, want %v: %s", got, want, raw)
		}
	}
}

// The answers' shapes (SPEC 1): the Go types are the JSON types, so a
// wrong type fails the strict decode.
type requestEntry struct {
	ID             string  `json:"id"`
	MDN            string  `json:"mdn"`
	Service        string  `json:"service"`
	Status         string  `json:"status"`
	State          string  `json:"state"`
	Markup         float64 `json:"markup"`
	Price          float64 `json:"price"`
	Carrier        string  `json:"carrier"`
	TillExpiration float64 `json:"till_expiration"`
}

var requestKeys = []string{"id", "mdn", "service", "status", "state", "markup", "price", "carrier", "till_expiration"}

type statusEntry struct {
	ID             string  `json:"id"`
	MDN            string  `json:"mdn"`
	Service        string  `json:"service"`
	Status         string  `json:"status"`
	State          string  `json:"state"`
	Markup         float64 `json:"markup"`
	Carrier        string  `json:"carrier"`
	TillExpiration float64 `json:"till_expiration"`
}

var statusKeys = []string{"id", "mdn", "service", "status", "state", "markup", "carrier", "till_expiration"}

type smsEntry struct {
	Timestamp string  `json:"timestamp"`
	DateTime  string  `json:"date_time"`
	From      string  `json:"from"`
	To        string  `json:"to"`
	Service   string  `json:"service"`
	Price     float64 `json:"price"`
	Reply     string  `json:"reply"`
	PIN       string  `json:"pin"`
}

var smsKeys = []string{"timestamp", "date_time", "from", "to", "service", "price", "reply", "pin"}

type serviceEntry struct {
	Name              string `json:"name"`
	Price             string `json:"price"`
	LTRPrice          string `json:"ltr_price"`
	LTRShortPrice     string `json:"ltr_short_price"`
	Available         string `json:"available"`
	OTPAvailable      string `json:"otp_available"`
	LTRAvailable      string `json:"ltr_available"`
	RecommendedMarkup string `json:"recommended_markup"`
}

var (
	mdnRE      = regexp.MustCompile(`^1[2-9][0-9]{2}[2-9][0-9]{6}$`)
	digitsRE   = regexp.MustCompile(`^[0-9]+$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} E[SD]T$`)
	moneyRE    = regexp.MustCompile(`^\d+\.\d{2}$`)
)

func (c *client) balance() string {
	c.t.Helper()
	var b string
	c.ok(&b, "balance")
	if !moneyRE.MatchString(b) {
		c.t.Fatalf("balance %q is not dollars with two decimals", b)
	}
	return b
}

func (c *client) wantBalance(want string) {
	c.t.Helper()
	if got := c.balance(); got != want {
		c.t.Fatalf("balance = %q, want %q", got, want)
	}
}

// request creates a one-time request for service (as the client spells it)
// and checks the answer's shape and its canonical service name.
func (c *client) request(service, canonical string) requestEntry {
	c.t.Helper()
	var rs []requestEntry
	a := c.ok(&rs, "request", "service", service)
	requireKeys(c.t, a.Message, requestKeys...)
	if len(rs) != 1 {
		c.t.Fatalf("request: %d entries, want 1: %s", len(rs), a.Body)
	}
	r := rs[0]
	if r.Status != "Reserved" || !mdnRE.MatchString(r.MDN) || r.Service != canonical || !digitsRE.MatchString(r.ID) || r.TillExpiration <= 0 {
		c.t.Fatalf("request: unexpected entry %+v in %s", r, a.Body)
	}
	return r
}

// status returns a request's status entry.
func (c *client) status(id string) statusEntry {
	c.t.Helper()
	var rs []statusEntry
	a := c.ok(&rs, "request_status", "id", id)
	requireKeys(c.t, a.Message, statusKeys...)
	if len(rs) != 1 || rs[0].ID != id {
		c.t.Fatalf("request_status %s: %s", id, a.Body)
	}
	return rs[0]
}

// waitStatus polls request_status every 500 ms until want, failing after
// limit or on any other final status.
func (c *client) waitStatus(p *proc, id, want string, limit time.Duration) statusEntry {
	c.t.Helper()
	var last statusEntry
	began := time.Now()
	waitFor(c.t, p, limit, 500*time.Millisecond, fmt.Sprintf("request %s to be %s", id, want), func() bool {
		last = c.status(id)
		switch last.Status {
		case want:
			return true
		case "Reserved", "Awaiting MDN":
			return false
		}
		c.t.Fatalf("request %s became %q while waiting for %q", id, last.Status, want)
		return false
	})
	c.t.Logf("request %s reached %s after %v", id, want, time.Since(began).Round(time.Millisecond))
	return last
}

// readOne reads the messages of request id and requires exactly one.
func (c *client) readOne(id string) smsEntry {
	c.t.Helper()
	var ms []smsEntry
	a := c.ok(&ms, "read_sms", "id", id)
	requireKeys(c.t, a.Message, smsKeys...)
	if len(ms) != 1 {
		c.t.Fatalf("read_sms id=%s: %d messages, want 1: %s", id, len(ms), a.Body)
	}
	m := ms[0]
	if !digitsRE.MatchString(m.Timestamp) {
		c.t.Errorf("timestamp %q is not a string of digits", m.Timestamp)
	}
	if !dateTimeRE.MatchString(m.DateTime) {
		c.t.Errorf("date_time %q is not YYYY-MM-DD HH:MM:SS EST|EDT", m.DateTime)
	}
	return m
}

// ---------------------------------------------------------------------------
// Scenario A: mdnhub demo

func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "demo.db")
	// The proxy front, which the demo runs too, listens on free ports by
	// default, so nothing but -addr is needed to run demos side by side.
	e := env{"MDNHUB_SIM_MIN_DELAY": "1s", "MDNHUB_SIM_MAX_DELAY": "2s"}
	addr := freeAddr(t)

	demo := start(t, "demo", dir, e, "demo", "-addr", addr, "-db", dbPath)
	key := waitAPIKey(t, demo)
	waitHealthy(t, demo, addr)
	c := newClient(t, addr, "demo", key)

	c.wantBalance("100.00")

	var services []serviceEntry
	a := c.ok(&services, "list_services")
	requireKeys(t, a.Message, "name", "price", "ltr_price", "ltr_short_price", "available", "otp_available", "ltr_available")
	var google *serviceEntry
	for i := range services {
		if services[i].Name == "Google" {
			google = &services[i]
		}
	}
	if google == nil {
		t.Fatalf("list_services has no Google: %s", a.Body)
	}
	if google.Price != "1.00" || !moneyRE.MatchString(google.LTRPrice) || !moneyRE.MatchString(google.LTRShortPrice) ||
		!digitsRE.MatchString(google.Available) || google.OTPAvailable != google.Available || !digitsRE.MatchString(google.LTRAvailable) {
		t.Fatalf("list_services Google entry %+v", *google)
	}

	var one []serviceEntry
	a = c.ok(&one, "list_services", "service", "google")
	requireKeys(t, a.Message, "name", "price", "ltr_price", "ltr_short_price", "available", "otp_available", "ltr_available", "recommended_markup")
	if len(one) != 1 || one[0].Name != "Google" || !digitsRE.MatchString(one[0].RecommendedMarkup) {
		t.Fatalf("list_services service=google: %s", a.Body)
	}

	a = c.call("request", "service", "Google")
	if !strings.Contains(a.Body, `"price":1.00`) {
		t.Fatalf("request answer does not carry \"price\":1.00 verbatim: %s", a.Body)
	}
	var rs []requestEntry
	strictDecode(t, a.Message, &rs)
	requireKeys(t, a.Message, requestKeys...)
	if len(rs) != 1 {
		t.Fatalf("request: %s", a.Body)
	}
	r := rs[0]
	if r.Status != "Reserved" || !mdnRE.MatchString(r.MDN) || r.Service != "Google" || r.Price != 1.00 || !digitsRE.MatchString(r.ID) {
		t.Fatalf("request: unexpected entry %+v", r)
	}
	if r.TillExpiration < 890 || r.TillExpiration > 900 {
		t.Errorf("till_expiration = %v, want about 900 (the default lifetime)", r.TillExpiration)
	}

	st := c.waitStatus(demo, r.ID, "Completed", 20*time.Second)
	if st.MDN != r.MDN || st.Service != "Google" {
		t.Errorf("request_status after completion: %+v, want mdn %s service Google", st, r.MDN)
	}

	m := c.readOne(r.ID)
	if m.PIN == "" || !strings.Contains(m.Reply, m.PIN) {
		t.Errorf("pin %q is empty or not in reply %q", m.PIN, m.Reply)
	}
	if m.To != r.MDN || m.Service != "Google" {
		t.Errorf("message to %q service %q, want %q Google", m.To, m.Service, r.MDN)
	}
	c.wantBalance("99.00")

	demo.stop(t, 15*time.Second)

	// A second run on the same file keeps the data and the key, and says so.
	addr2 := freeAddr(t)
	demo2 := start(t, "demo (restart)", dir, e, "demo", "-addr", addr2, "-db", dbPath)
	key2 := waitAPIKey(t, demo2)
	waitHealthy(t, demo2, addr2)
	if key2 != key {
		t.Fatalf("restart printed another API key %s, want the kept %s", key2, key)
	}
	if out := demo2.stdout.String(); !strings.Contains(out, "kept from an earlier run") || !strings.Contains(out, "$99.00") {
		t.Errorf("restart does not say the data is kept:\n%s", out)
	}
	c2 := newClient(t, addr2, "demo", key)
	c2.wantBalance("99.00")
	m2 := c2.readOne(r.ID)
	if m2.PIN != m.PIN {
		t.Errorf("after restart the message's pin is %q, want %q", m2.PIN, m.PIN)
	}

	// A second demo beside it, on its own file, needs only -addr: every
	// listener moves, and its proxy answers name the ports it listens on.
	addr3 := freeAddr(t)
	demo3 := start(t, "demo (beside)", dir, e, "demo", "-addr", addr3, "-db", filepath.Join(dir, "other.db"))
	key3 := waitAPIKey(t, demo3)
	waitHealthy(t, demo3, addr3)
	c3 := newClient(t, addr3, "demo", key3)
	c3.wantBalance("100.00")
	c2.wantBalance("99.00")
	for _, d := range []struct {
		p *proc
		c *client
	}{{demo2, c2}, {demo3, c3}} {
		var rent map[string]any
		d.c.ok(&rent, "proxy_rent", "service", "Tour", "duration", "60")
		socks, _ := rent["proxy_socks_port"].(float64)
		httpPort, _ := rent["proxy_http_port"].(float64)
		out := d.p.stdout.String()
		if socks == 0 || httpPort == 0 || !strings.Contains(out, fmt.Sprintf("SOCKS5 on 127.0.0.1:%d", int(socks))) ||
			!strings.Contains(out, fmt.Sprintf("HTTP on 127.0.0.1:%d", int(httpPort))) {
			t.Errorf("%s: proxy_rent %v, not the listeners it printed:\n%s", d.p.name, rent, out)
		}
	}
	demo3.stop(t, 15*time.Second)
	demo2.stop(t, 15*time.Second)
}

// ---------------------------------------------------------------------------
// Scenarios B and C: an operator's CLI and mdnhub serve

func TestOperatorSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	operatorFlow(t, dir, env{"MDNHUB_DB_PATH": filepath.Join(dir, "ops.db")})
}

func TestOperatorPostgres(t *testing.T) {
	t.Parallel()
	dsn := dbtest.PostgresDSN(t, "e2e")
	operatorFlow(t, t.TempDir(), env{"MDNHUB_DB_DRIVER": "postgres", "MDNHUB_DB_DSN": dsn})
}

// operatorFlow sets up a service, numbers and a customer with the CLI, then
// serves the API and walks one request to each end state. e selects the
// database; dir is the working directory of every process.
func operatorFlow(t *testing.T, dir string, e env) {
	// config: the effective settings, never a DSN password.
	out := cli(t, dir, e.with("MDNHUB_DB_DSN", "postgres://u:topsecret@h/db", "MDNHUB_DB_DRIVER", "sqlite",
		"MDNHUB_DB_PATH", filepath.Join(dir, "cfg.db")), "config")
	if !strings.Contains(out, "db.path = "+filepath.Join(dir, "cfg.db")) {
		t.Errorf("config does not print db.path:\n%s", out)
	}
	if strings.Contains(out, "topsecret") {
		t.Errorf("config prints the DSN password:\n%s", out)
	}
	out = cli(t, dir, e, "config")
	if !strings.Contains(out, "db.path = ") {
		t.Errorf("config does not print db.path:\n%s", out)
	}
	if dsn := e["MDNHUB_DB_DSN"]; dsn != "" && strings.Contains(out, dsn) {
		t.Errorf("config prints the DSN:\n%s", out)
	}

	out = cli(t, dir, e, "services", "set", "-name", "Lab", "-price", "0.50", "-lifetime", "4s")
	if !strings.Contains(out, "Lab") {
		t.Errorf("services set output: %q", out)
	}
	csvPath := filepath.Join(dir, "numbers.csv")
	csv := "mdn,carrier,state,gateway,short_rental\n" +
		"12125550101,TMobile,NY,lab,false\n" +
		"13105550102,ATT,,lab,true\n" +
		"17135550103,Verizon,TX,lab,\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out = cli(t, dir, e, "numbers", "import", csvPath)
	if !strings.Contains(out, "imported 3 numbers") {
		t.Errorf("numbers import output: %q", out)
	}
	key := apiKeyFrom(t, cli(t, dir, e, "user", "create", "-name", "alice", "-email", "alice@example.com"))
	out = cli(t, dir, e, "user", "credit", "-name", "alice", "-amount", "2.00", "-reason", "test")
	if !strings.Contains(out, "2.00") {
		t.Errorf("user credit output: %q", out)
	}

	addr := freeAddr(t)
	srv := start(t, "serve", dir, e, "serve", "-addr", addr)
	waitHealthy(t, srv, addr)
	c := newClient(t, addr, "alice", key)
	c.wantBalance("2.00")
	newClient(t, addr, "alice", key+"x").fail("Invalid user name or API key", "balance")
	// user accepts the e-mail address too, case-insensitively.
	newClient(t, addr, "Alice@Example.com", key).wantBalance("2.00")

	// (1) request, reject: refunded.
	r1 := c.request("Lab", "Lab")
	if r1.Price != 0.50 || r1.TillExpiration < 1 || r1.TillExpiration > 4 {
		t.Errorf("request: price %v till_expiration %v, want 0.50 and at most 4", r1.Price, r1.TillExpiration)
	}
	c.wantBalance("1.50")
	var text string
	c.ok(&text, "reject", "id", r1.ID)
	if text != "MDN has been rejected" {
		t.Fatalf("reject answered %q", text)
	}
	if st := c.status(r1.ID); st.Status != "Rejected" {
		t.Errorf("after reject, status %q", st.Status)
	}
	c.wantBalance("2.00")
	c.fail("No messages", "read_sms", "id", r1.ID)

	// (2) request, nothing arrives: timed out by the durable expiry job, refunded.
	r2 := c.request("lab", "Lab") // matched case-insensitively, echoed canonically
	if r2.MDN == r1.MDN {
		t.Errorf("request got %s, the number alice rejected", r2.MDN)
	}
	c.wantBalance("1.50")
	c.waitStatus(srv, r2.ID, "Timed Out", 25*time.Second)
	c.wantBalance("2.00")

	// (3) request, an SMS injected by a separate CLI process: completed, charged.
	r3 := c.request("Lab", "Lab")
	r3at := time.Now()
	if r3.MDN == r1.MDN {
		t.Errorf("request got %s, the number alice rejected", r3.MDN)
	}
	out = cli(t, dir, e, "sim", "send", "-to", r3.MDN, "-from", "22000", "-text", "G-112233 is your Google verification code.")
	if !strings.Contains(out, "delivered to request "+r3.ID) {
		t.Errorf("sim send output: %q, want delivery to request %s", out, r3.ID)
	}
	c.waitStatus(srv, r3.ID, "Completed", 10*time.Second)
	m := c.readOne(r3.ID)
	if m.PIN != "G-112233" || m.From != "22000" || m.To != r3.MDN || m.Service != "Lab" ||
		m.Reply != "G-112233 is your Google verification code." {
		t.Errorf("read_sms: %+v", m)
	}
	c.fail("Unable to reject an MDN that already received a message", "reject", "id", r3.ID)
	c.fail("Unable to reject an MDN with status Rejected", "reject", "id", r1.ID)
	c.fail("Unable to reject an MDN with status Timed Out", "reject", "id", r2.ID)
	c.wantBalance("1.50")

	// A later SMS on the completed request still reaches alice and costs nothing.
	out = cli(t, dir, e, "sim", "send", "-to", r3.MDN, "-from", "22000", "-text", "Your code is 445566")
	if !strings.Contains(out, "delivered to request "+r3.ID) {
		t.Errorf("second sim send output: %q, want delivery to request %s", out, r3.ID)
	}
	var ms []smsEntry
	a := c.ok(&ms, "read_sms", "id", r3.ID)
	requireKeys(t, a.Message, smsKeys...)
	if len(ms) != 2 || ms[0].PIN != "445566" || ms[1].PIN != "G-112233" {
		t.Errorf("read_sms after a second SMS: want 445566 then G-112233 (newest first): %s", a.Body)
	}
	c.wantBalance("1.50")

	// Eligibility: 12125550101 was rejected by alice and 17135550103 is burnt
	// for Lab, so the only number left for her is 13105550102.
	r4 := c.request("Lab", "Lab")
	if r4.MDN != r2.MDN {
		t.Errorf("request got %s, want %s (the only number neither rejected by alice nor burnt for Lab)", r4.MDN, r2.MDN)
	}
	c.wantBalance("1.00")
	c.fail("No numbers available, retry later", "request", "service", "Lab")
	c.wantBalance("1.00")
	c.ok(nil, "reject", "id", r4.ID)
	c.wantBalance("1.50")

	// At the end of its lifetime the completed request keeps its status and
	// its charge, and its number goes back to the pool: an SMS to it is unowned.
	time.Sleep(time.Until(r3at.Add(time.Duration(r3.TillExpiration)*time.Second + time.Second)))
	waitFor(t, srv, 20*time.Second, 500*time.Millisecond, "the completed request's number to be released", func() bool {
		out = cli(t, dir, e, "sim", "send", "-to", r3.MDN, "-from", "22000", "-text", "late 778899")
		return strings.Contains(out, "unowned")
	})
	if st := c.status(r3.ID); st.Status != "Completed" {
		t.Errorf("after expiry the completed request is %q, want Completed", st.Status)
	}
	c.fail("No numbers available, retry later", "request", "service", "Lab")
	c.wantBalance("1.50")

	// (4) the operator sees the balance and the ledger.
	out = cli(t, dir, e, "user", "show", "-name", "alice")
	if !regexp.MustCompile(`(?m)^balance:\s+\$1\.50$`).MatchString(out) {
		t.Errorf("user show does not print balance $1.50:\n%s", out)
	}
	ledger := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(f[0]) {
			ledger[f[2]+" "+f[4]]++
		}
	}
	// credit 2.00; four debits of 0.50, three refunds.
	want := map[string]int{"2.00 credit": 1, "-0.50 request": 4, "0.50 refund": 3}
	if fmt.Sprint(ledger) != fmt.Sprint(want) {
		t.Errorf("user show ledger entries %v, want %v:\n%s", ledger, want, out)
	}
	if !strings.Contains(out, "test") {
		t.Errorf("user show does not show the credit's reason:\n%s", out)
	}

	// The operator changes the balance and the inventory from other
	// processes; the running server sees both at once.
	cli(t, dir, e, "user", "credit", "-name", "alice", "-amount", "-1.20", "-reason", "adjustment")
	c.wantBalance("0.30")
	c.fail("Insufficient funds. Your balance is $0.30", "request", "service", "Lab")
	if err := os.WriteFile(csvPath, []byte("19175550104,TMobile,,lab,false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, dir, e, "numbers", "import", csvPath)
	cli(t, dir, e, "user", "credit", "-name", "alice", "-amount", "0.20", "-reason", "top-up")
	r5 := c.request("Lab", "Lab")
	if r5.MDN != "19175550104" {
		t.Errorf("request got %s, want the newly imported 19175550104", r5.MDN)
	}
	c.wantBalance("0.00")
	c.fail("Insufficient funds. Your balance is $0.00", "request", "service", "Lab")

	srv.stop(t, 15*time.Second)
}
