package smpp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/gateway/smpp"
	"mdnhub/internal/inventory"
	"mdnhub/internal/request"
)

// This file runs SMSC peers that nobody here wrote (node-smpp and Perl's
// Net::SMPP) as child processes speaking JSON lines, and builds a real
// mdnhub around the gateway under test.

// unavailable skips a test whose peer cannot be installed, except in CI,
// where a missing peer is a broken installer.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("peer unavailable in CI: "+format, args...)
	}
	t.Skipf("peer unavailable: "+format, args...)
}

var (
	installMu sync.Mutex
	installed = map[string]error{}
)

// install runs scripts/install-peers.sh for a peer, once per test binary.
func install(peer string) error {
	installMu.Lock()
	defer installMu.Unlock()
	if err, done := installed[peer]; done {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", "../../../scripts/install-peers.sh", peer).CombinedOutput()
	if err != nil {
		err = fmt.Errorf("scripts/install-peers.sh %s: %v\n%s", peer, err, out)
	}
	installed[peer] = err
	return err
}

// needNode makes sure node and the pinned smpp package are there,
// installing them (npm ci) when missing.
func needNode(t testing.TB) {
	t.Helper()
	_, err := exec.LookPath("node")
	if _, serr := os.Stat("testdata/node/node_modules/smpp/package.json"); err != nil || serr != nil {
		if err := install("node"); err != nil {
			unavailable(t, "%v", err)
		}
	}
}

// needPerl makes sure Perl's Net::SMPP is there, installing Debian's
// libnet-smpp-perl when missing.
func needPerl(t testing.TB) {
	t.Helper()
	check := func() error {
		out, err := exec.Command("perl", "-MNet::SMPP", "-MJSON::PP", "-MEncode", "-e", "1").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v %s", err, out)
		}
		return nil
	}
	if check() == nil {
		return
	}
	if err := install("perl"); err != nil {
		unavailable(t, "%v", err)
	}
	if err := check(); err != nil {
		unavailable(t, "Net::SMPP still missing after install: %v", err)
	}
}

// event is one JSON line from a peer.
type event map[string]any

func (e event) str(k string) string { s, _ := e[k].(string); return s }
func (e event) num(k string) int    { f, _ := e[k].(float64); return int(f) }

// peer is a running SMSC process.
type peer struct {
	t     testing.TB
	cmd   *exec.Cmd
	stdin io.WriteCloser
	port  int

	mu     sync.Mutex
	events []event
	more   chan struct{} // signalled on each new event
	exited chan struct{}
}

// startPeer runs argv (the last argument is the port, "0" for any) and
// waits for its "listening" event.
func startPeer(t testing.TB, argv ...string) *peer {
	t.Helper()
	p := &peer{t: t, more: make(chan struct{}, 1), exited: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Stderr = &testWriter{t: t, prefix: filepath.Base(argv[1]) + ": "}
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.read(out)
	t.Cleanup(p.kill)
	ev := p.expect(10*time.Second, func(e event) bool { return e["event"] == "listening" })
	p.port = ev.num("port")
	return p
}

func (p *peer) read(out io.Reader) {
	defer close(p.exited)
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		p.mu.Lock()
		p.events = append(p.events, e)
		p.mu.Unlock()
		select {
		case p.more <- struct{}{}:
		default:
		}
	}
	_ = p.cmd.Wait()
}

func (p *peer) addr() string { return fmt.Sprintf("127.0.0.1:%d", p.port) }

// send writes one command.
func (p *peer) send(cmd any) {
	p.t.Helper()
	b, _ := json.Marshal(cmd)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		p.t.Fatalf("peer command: %v", err)
	}
}

// expect waits for, and consumes, the first event that match accepts.
func (p *peer) expect(timeout time.Duration, match func(event) bool) event {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		for i, e := range p.events {
			if match(e) {
				p.events = append(p.events[:i:i], p.events[i+1:]...)
				p.mu.Unlock()
				return e
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-p.exited:
			p.t.Fatal("peer exited")
		case <-deadline:
			p.mu.Lock()
			defer p.mu.Unlock()
			p.t.Fatalf("no expected peer event within %s; unconsumed: %v", timeout, p.events)
		}
	}
}

// collect waits for n events that match, consuming them.
func (p *peer) collect(timeout time.Duration, n int, match func(event) bool) []event {
	p.t.Helper()
	out := make([]event, 0, n)
	for range n {
		out = append(out, p.expect(timeout, match))
	}
	return out
}

func (p *peer) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	}
}

type testWriter struct {
	t      testing.TB
	prefix string
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s%s", w.prefix, b)
	return len(b), nil
}

// freePort finds a port for a peer that must come back on the same one.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// mdn is the number the peers deliver to; its request makes the messages
// someone's.
const (
	mdn    = "12125550000"
	sender = "15550001111"
	gwName = "smsc1"
)

// rig is an mdnhub with the gateway under test running against a peer.
type rig struct {
	*apptest.Env
	g    *smpp.Gateway
	user int64
	req  request.Request
	stop func()
}

// seed puts mdn on the gateway and has a new user's request hold it, so
// that its messages have an owner.
func seed(t testing.TB, e *apptest.Env) (userID int64, req request.Request) {
	t.Helper()
	ctx := context.Background()
	svc := e.Service(t, "Google", 100, 0)
	if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: mdn, Carrier: "TMobile", Gateway: gwName}}); err != nil {
		t.Fatal(err)
	}
	u, _ := e.User(t, 100000)
	rs, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, rs[0]
}

// newRig builds mdnhub on driver, holds mdn for a user, and runs the
// gateway against addr.
func newRig(t testing.TB, driver, addr string, settings map[string]string) *rig {
	t.Helper()
	e := apptest.New(t, driver, nil)
	ctx := context.Background()
	user, req := seed(t, e)
	kv := map[string]string{"addr": addr, "system_id": "mdnhub", "password": "secret",
		"enquire_link": "2s", "reconnect_min": "100ms", "reconnect_max": "1s", "submit_rate": "100"}
	for k, v := range settings {
		kv[k] = v
	}
	cfg, err := smpp.FromSettings(gwName, kv)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(&testWriter{t: t, prefix: "gateway: "}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	g := smpp.New(cfg, e.Messages, log, e.Registry)
	if err := e.Gateways.Add(g); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Run(runCtx) }()
	r := &rig{Env: e, g: g, user: user, req: req, stop: func() { cancel(); <-done }}
	t.Cleanup(r.stop)
	return r
}

// waitBound waits until the gateway is bound.
func (r *rig) waitBound(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !r.g.Healthy() {
		if time.Now().After(deadline) {
			t.Fatal("gateway did not bind")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stored is a message row as the gateway left it.
type stored struct {
	Sender, Body, GatewayID string
	UserID                  int64
}

// messages returns the inbound SMS stored from the gateway, oldest first.
func (r *rig) messages(t testing.TB) []stored { return storedMessages(t, r.Env) }

func storedMessages(t testing.TB, e *apptest.Env) []stored {
	t.Helper()
	rows, err := e.DB.R.Query(`SELECT sender, body, COALESCE(gateway_msg_id, ''), COALESCE(user_id, 0)
		FROM messages WHERE kind = 'sms' AND gateway = $1 ORDER BY id`, gwName)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []stored
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.Sender, &s.Body, &s.GatewayID, &s.UserID); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
