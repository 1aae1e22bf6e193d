package e2e

// Database faults: the server keeps running and answering through a
// PostgreSQL restart under load and through a full disk under SQLite, every
// failed call gets a clear error, nothing acknowledged is lost, nothing
// refused is half-written, and service comes back by itself.

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// textUnavailable is what a client reads while the database cannot serve:
// down, restarting, or out of disk space.
const textUnavailable = "Service temporarily unavailable, please retry later"

// Limits the scenarios hold the server to.
const (
	maxCallWhileDown = 5 * time.Second  // no API call may take longer, database down or not
	maxRecovery      = 10 * time.Second // database back → calls succeed again
)

// probe is one HTTP call's outcome as the fault tests record it; nothing in
// it fails the test by itself, so it can run on any goroutine.
type probe struct {
	who, cmd     string
	began, ended time.Time
	code         int
	status       string // "ok" or "error"
	text         string // the error's message
	msg          json.RawMessage
	problem      string // transport failure or an answer that is not the envelope
}

func (p probe) took() time.Duration { return p.ended.Sub(p.began) }

func (p probe) String() string {
	s := fmt.Sprintf("%s %s at +%s took %v: ", p.who, p.cmd, p.began.Format("15:04:05.000"), p.took().Round(time.Millisecond))
	switch {
	case p.problem != "":
		return s + p.problem
	case p.status == "ok":
		return s + "ok " + string(p.msg)
	default:
		return s + fmt.Sprintf("HTTP %d error %q", p.code, p.text)
	}
}

// caller calls api_command.php as one user without failing the test.
type caller struct {
	base, user, key string
	http            *http.Client
}

func newCaller(addr, user, key string) *caller {
	return &caller{base: "http://" + addr + "/api_command.php", user: user, key: key,
		http: &http.Client{Timeout: 30 * time.Second}}
}

// call sends one command and checks the envelope as client.call does.
func (c *caller) call(cmd string, params ...string) probe {
	q := url.Values{"cmd": {cmd}, "user": {c.user}, "api_key": {c.key}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	p := probe{who: c.user, cmd: cmd, began: time.Now()}
	defer func() { p.ended = time.Now() }()
	resp, err := c.http.Get(c.base + "?" + q.Encode())
	if err != nil {
		p.problem = err.Error()
		p.ended = time.Now()
		return p
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	p.ended = time.Now()
	p.code = resp.StatusCode
	if err != nil {
		p.problem = "reading body: " + err.Error()
		return p
	}
	if resp.StatusCode != http.StatusOK {
		p.problem = fmt.Sprintf("HTTP %d, want 200: %s", resp.StatusCode, body)
		return p
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		p.problem = fmt.Sprintf("Content-Type %q: %s", ct, body)
		return p
	}
	var env struct {
		Status  *string         `json:"status"`
		Message json.RawMessage `json:"message"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil || env.Status == nil || env.Message == nil {
		p.problem = fmt.Sprintf("not the envelope (%v): %s", err, body)
		return p
	}
	p.status, p.msg = *env.Status, env.Message
	switch p.status {
	case "ok":
	case "error":
		if err := json.Unmarshal(env.Message, &p.text); err != nil {
			p.problem = "error message is not a string: " + string(body)
		}
	default:
		p.problem = "status is neither ok nor error: " + string(body)
	}
	return p
}

// requestID returns the id of a request answer's first entry.
func (p probe) requestID() string {
	var rs []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(p.msg, &rs) != nil || len(rs) == 0 {
		return ""
	}
	return rs[0].ID
}

// healthz is GET /healthz's status code and how long it took (0 and the
// error on a transport failure).
func healthz(addr string) (int, time.Duration, error) {
	code, _, took, err := healthzBody(addr)
	return code, took, err
}

func healthzBody(addr string) (int, string, time.Duration, error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	began := time.Now()
	resp, err := hc.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, "", time.Since(began), err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(body), time.Since(began), nil
}

// window is a span of time during which the database was down.
type window struct{ from, to time.Time }

func (w window) holds(p probe) bool { return !p.began.Before(w.from) && !p.ended.After(w.to) }

// noPanic fails the test if the server process ended or reported a panic.
func noPanic(t *testing.T, p *proc) {
	t.Helper()
	if p.exited() {
		t.Fatalf("%s exited: %v", p.name, p.err)
	}
	if s := p.stderr.String(); strings.Contains(s, "panic") || strings.Contains(s, "fatal error") {
		t.Fatalf("%s reported a panic:\n%s", p.name, s)
	}
}

// ---------------------------------------------------------------------------
// PostgreSQL restarted under load

// pgLoad is one client of the load: it cycles balance, request, read_sms and
// reject, retrying rejects that did not get through.
type pgLoad struct {
	c      *caller
	probes []probe
	// okRequests are the ids of every request answered ok; rejected those
	// whose reject was answered ok.
	okRequests []string
	rejected   map[string]bool
	pending    []string
}

func (l *pgLoad) run(stop <-chan struct{}) {
	l.rejected = map[string]bool{}
	for {
		select {
		case <-stop:
			return
		default:
		}
		l.probes = append(l.probes, l.c.call("balance"))
		if len(l.pending) < 5 {
			p := l.c.call("request", "service", "Lab")
			l.probes = append(l.probes, p)
			if p.status == "ok" {
				if id := p.requestID(); id != "" {
					l.okRequests = append(l.okRequests, id)
					l.pending = append(l.pending, id)
				}
			}
		}
		if len(l.pending) > 0 {
			id := l.pending[0]
			l.probes = append(l.probes, l.c.call("read_sms", "id", id))
			p := l.c.call("reject", "id", id)
			l.probes = append(l.probes, p)
			switch {
			case p.status == "ok":
				l.rejected[id] = true
				l.pending = l.pending[1:]
			case p.text == "Unable to reject an MDN with status Rejected":
				// An earlier reject committed but its answer was lost.
				l.pending = l.pending[1:]
			}
		}
		if p := l.probes[len(l.probes)-1]; p.status != "ok" {
			time.Sleep(20 * time.Millisecond) // errors come fast; don't spin
		}
	}
}

// loadErrors are the error texts a load client may see besides
// textUnavailable.
var loadErrors = map[string]bool{
	"No messages":                                  true,
	"No numbers available, retry later":            true,
	"Too many open requests":                       true,
	"Unable to reject an MDN with status Rejected": true,
}

func TestPostgresRestartUnderLoad(t *testing.T) {
	t.Parallel()
	pg := startPostgres(t)
	dir := t.TempDir()
	e := env{"MDNHUB_DB_DRIVER": "postgres", "MDNHUB_DB_DSN": pg.DSN, "MDNHUB_LOG_LEVEL": "warn"}

	cli(t, dir, e, "services", "set", "-name", "Lab", "-price", "0.10", "-lifetime", "30m")
	cli(t, dir, e, "services", "set", "-name", "Short", "-price", "0.25", "-lifetime", "4s")
	var csv strings.Builder
	csv.WriteString("mdn,carrier,state,gateway,short_rental\n")
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&csv, "1%03d555%04d,TMobile,,lab,false\n", 201+i/1000, i%1000)
	}
	csvPath := filepath.Join(dir, "numbers.csv")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, dir, e, "numbers", "import", csvPath)
	const workers = 4
	keys := map[string]string{}
	for i := 0; i < workers; i++ {
		name := fmt.Sprintf("load%d", i)
		keys[name] = apiKeyFrom(t, cli(t, dir, e, "user", "create", "-name", name, "-email", name+"@example.com"))
		cli(t, dir, e, "user", "credit", "-name", name, "-amount", "1000.00", "-reason", "test")
	}
	keys["joe"] = apiKeyFrom(t, cli(t, dir, e, "user", "create", "-name", "joe", "-email", "joe@example.com"))
	cli(t, dir, e, "user", "credit", "-name", "joe", "-amount", "5.00", "-reason", "test")

	addr := freeAddr(t)
	srv := start(t, "serve", dir, e, "serve", "-addr", addr)
	waitHealthy(t, srv, addr)
	joe := newClient(t, addr, "joe", keys["joe"])
	joe.wantBalance("5.00")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	loads := make([]*pgLoad, workers)
	for i := range loads {
		name := fmt.Sprintf("load%d", i)
		loads[i] = &pgLoad{c: newCaller(addr, name, keys[name])}
		wg.Add(1)
		go func() { defer wg.Done(); loads[i].run(stop) }()
	}
	stopped := false
	stopLoad := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer stopLoad()

	var downs []window
	var health []string
	probeBal := newCaller(addr, "joe", keys["joe"])
	for round, mode := range []string{"fast", "immediate"} {
		time.Sleep(2 * time.Second)
		// A request whose expiry job falls due while the database is down
		// (the first round) or right after it is back (the second).
		short := joe.request("Short", "Short")
		began := time.Now()
		pg.Stop(t, mode)
		w := window{from: time.Now()}
		t.Logf("round %d: pg_ctl stop -m %s took %v", round+1, mode, w.from.Sub(began).Round(time.Millisecond))

		// While it is down: /healthz says 503 and calls answer at once.
		var downCalls []probe
		for time.Since(w.from) < 4*time.Second {
			code, took, err := healthz(addr)
			health = append(health, fmt.Sprintf("round %d down: healthz %d in %v (%v)", round+1, code, took.Round(time.Millisecond), err))
			if code != http.StatusServiceUnavailable || took > 3*time.Second {
				t.Errorf("round %d: /healthz while PostgreSQL is down: %d in %v (%v), want 503 within 3s", round+1, code, took, err)
			}
			downCalls = append(downCalls, probeBal.call("balance"))
			time.Sleep(250 * time.Millisecond)
		}
		w.to = time.Now()
		downs = append(downs, w)
		for _, p := range downCalls {
			if p.problem != "" || p.status != "error" || p.text != textUnavailable {
				t.Errorf("round %d: balance while PostgreSQL is down: %s, want error %q", round+1, p, textUnavailable)
			}
		}

		pg.Start(t)
		up := time.Now()
		var back time.Duration
		for {
			p := probeBal.call("balance")
			if p.status == "ok" {
				back = time.Since(up)
				break
			}
			if time.Since(up) > maxRecovery {
				t.Fatalf("round %d: the API has not recovered %v after PostgreSQL came back: %s", round+1, maxRecovery, p)
			}
			time.Sleep(100 * time.Millisecond)
		}
		var healthBack time.Duration
		for {
			code, _, _ := healthz(addr)
			if code == http.StatusOK {
				healthBack = time.Since(up)
				break
			}
			if time.Since(up) > maxRecovery {
				t.Fatalf("round %d: /healthz still %d %v after PostgreSQL came back", round+1, code, maxRecovery)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("round %d: down for %v; API back %v after pg_ctl start returned, /healthz %v",
			round+1, w.to.Sub(w.from).Round(time.Millisecond), back.Round(time.Millisecond), healthBack.Round(time.Millisecond))

		// The durable expiry job still runs: the request times out and is refunded.
		joe.waitStatus(srv, short.ID, "Timed Out", 20*time.Second)
		joe.wantBalance("5.00")
		noPanic(t, srv)
	}
	time.Sleep(2 * time.Second)
	stopLoad()
	for _, h := range health {
		t.Log(h)
	}

	// Every answer: HTTP 200, the envelope, no internal error, prompt; while
	// the database was down, the unavailable text.
	var total, down, okCount, unavailable int
	var slowest probe
	bad := 0
	for _, l := range loads {
		for _, p := range l.probes {
			total++
			if p.took() > slowest.took() {
				slowest = p
			}
			var why string
			inDown := false
			for _, w := range downs {
				inDown = inDown || w.holds(p)
			}
			switch {
			case p.problem != "":
				why = "not a proper answer"
			case p.took() > maxCallWhileDown:
				why = "too slow"
			case inDown && (p.status != "error" || p.text != textUnavailable):
				why = "while the database was down, want " + textUnavailable
			case p.status == "error" && p.text != textUnavailable && !loadErrors[p.text]:
				why = "unexpected error"
			}
			if inDown {
				down++
			}
			switch {
			case p.status == "ok":
				okCount++
			case p.text == textUnavailable:
				unavailable++
			}
			if why != "" {
				bad++
				if bad <= 20 {
					t.Errorf("%s: %s", why, p)
				}
			}
		}
	}
	t.Logf("load: %d calls (%d ok, %d %q), %d entirely while the database was down; slowest: %s",
		total, okCount, unavailable, textUnavailable, down, slowest)
	if bad > 20 {
		t.Errorf("... and %d more bad answers", bad-20)
	}
	if down == 0 {
		t.Errorf("no load call fell entirely within an outage: the load did not run through it")
	}

	// No acknowledged write is lost: every request answered ok exists, and
	// every reject answered ok left it Rejected.
	for _, l := range loads {
		c := newClient(t, addr, l.c.user, l.c.key)
		for _, id := range l.okRequests {
			st := c.status(id)
			if l.rejected[id] && st.Status != "Rejected" {
				t.Errorf("%s: request %s was rejected (ok) but is %q", l.c.user, id, st.Status)
			}
		}
		t.Logf("%s: %d requests answered ok, %d rejects answered ok, all found", l.c.user, len(l.okRequests), len(l.rejected))
	}

	// A job scheduled after the outages runs too.
	short := joe.request("Short", "Short")
	joe.waitStatus(srv, short.ID, "Timed Out", 20*time.Second)
	joe.wantBalance("5.00")

	noPanic(t, srv)
	out := cli(t, dir, e, "check")
	t.Logf("mdnhub check:\n%s", out)
	srv.stop(t, 20*time.Second)
	logSummary(t, srv)
}

// ---------------------------------------------------------------------------
// SQLite on a full disk

func TestSQLiteDiskFull(t *testing.T) {
	t.Parallel()
	mnt := mountTmpfs(t, 8<<20)
	dir := t.TempDir()
	dbPath := filepath.Join(mnt, "mdnhub.db")
	const pushToken = "push-token-0123456789abcdef"
	e := env{"MDNHUB_DB_PATH": dbPath, "MDNHUB_LOG_LEVEL": "warn",
		"MDNHUB_GATEWAY__PUSH1__KIND": "httppush", "MDNHUB_GATEWAY__PUSH1__TOKEN": pushToken,
		"MDNHUB_REQUESTS_MAX_OPEN": "1000"}

	cli(t, dir, e, "services", "set", "-name", "Lab", "-price", "0.10", "-lifetime", "30m")
	cli(t, dir, e, "services", "set", "-name", "Short", "-price", "0.25", "-lifetime", "3s")
	var csv strings.Builder
	csv.WriteString("mdn,carrier,state,gateway,short_rental\n")
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&csv, "1212555%04d,TMobile,,push1,false\n", i)
	}
	csvPath := filepath.Join(dir, "numbers.csv")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, dir, e, "numbers", "import", csvPath)
	key := apiKeyFrom(t, cli(t, dir, e, "user", "create", "-name", "alice", "-email", "alice@example.com"))
	cli(t, dir, e, "user", "credit", "-name", "alice", "-amount", "100.00", "-reason", "test")
	bobKey := apiKeyFrom(t, cli(t, dir, e, "user", "create", "-name", "bob", "-email", "bob@example.com"))
	cli(t, dir, e, "user", "credit", "-name", "bob", "-amount", "1.00", "-reason", "test")

	addr := freeAddr(t)
	srv := start(t, "serve", dir, e, "serve", "-addr", addr)
	waitHealthy(t, srv, addr)
	c := newClient(t, addr, "alice", key)
	cl := newCaller(addr, "alice", key)
	pushURL := "http://" + addr + "/gateway/push1/inbound"
	hc := &http.Client{Timeout: 30 * time.Second}

	// The model of what must be in the database: balance, requests and their
	// state, messages by gateway id.
	balance := int64(10000)
	const price = 10
	status := map[string]string{} // request id → Reserved or Rejected
	var open []string
	pushedOK := map[string]bool{}   // gateway ids answered 200
	pushedFail := map[string]bool{} // gateway ids answered 503
	var writeOK, writeFail int
	var slowest probe
	seq := 0

	push := func() (int, time.Duration) {
		seq++
		gid := fmt.Sprintf("full-%d", seq)
		body := fmt.Sprintf(`{"id":%q,"to":"1646555%04d","from":"22000","text":%q}`, gid, seq%10000,
			fmt.Sprintf("Your verification code is %06d. %s", seq, strings.Repeat("x", 100)))
		req, _ := http.NewRequest(http.MethodPost, pushURL, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+pushToken)
		req.Header.Set("Content-Type", "application/json")
		began := time.Now()
		resp, err := hc.Do(req)
		took := time.Since(began)
		if err != nil {
			t.Fatalf("push %s: %v", gid, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			pushedOK[gid] = true
		case http.StatusServiceUnavailable:
			pushedFail[gid] = true
		default:
			t.Fatalf("push %s: HTTP %d %s, want 200 or 503", gid, resp.StatusCode, b)
		}
		return resp.StatusCode, took
	}
	check := func(p probe, what string) {
		t.Helper()
		if p.problem != "" {
			t.Fatalf("%s: %s", what, p)
		}
		if p.took() > slowest.took() {
			slowest = p
		}
		if p.took() > maxCallWhileDown {
			t.Errorf("%s: too slow: %s", what, p)
		}
	}
	readsOK := func(when string) {
		t.Helper()
		p := cl.call("balance")
		check(p, when+": balance")
		var got string
		json.Unmarshal(p.msg, &got)
		if want := fmt.Sprintf("%d.%02d", balance/100, balance%100); p.status != "ok" || got != want {
			t.Fatalf("%s: balance answered %s, want ok %q", when, p, want)
		}
		if len(status) > 0 {
			var any string
			for id := range status {
				any = id
				break
			}
			p = cl.call("request_status", "id", any)
			check(p, when+": request_status")
			if p.status != "ok" {
				t.Fatalf("%s: request_status %s answered %s", when, any, p)
			}
			p = cl.call("read_sms", "id", any)
			check(p, when+": read_sms")
			if p.status != "ok" && p.text != "No messages" {
				t.Fatalf("%s: read_sms answered %s", when, p)
			}
		}
	}
	// One round of writes: a request, a push, and a reject of an older
	// request; each failure must be the unavailable text and leave nothing.
	round := func() (fails int) {
		p := cl.call("request", "service", "Lab")
		check(p, "request")
		if p.status == "ok" {
			id := p.requestID()
			status[id] = "Reserved"
			open = append(open, id)
			balance -= price
			writeOK++
		} else {
			if p.text != textUnavailable {
				t.Fatalf("request on a full disk: %s, want error %q", p, textUnavailable)
			}
			fails++
		}
		if code, took := push(); code != http.StatusOK {
			fails++
			if took > maxCallWhileDown {
				t.Errorf("push on a full disk took %v", took)
			}
		} else {
			writeOK++
		}
		if len(open) > 3 {
			id := open[0]
			p := cl.call("reject", "id", id)
			check(p, "reject")
			if p.status == "ok" {
				status[id] = "Rejected"
				open = open[1:]
				balance += price
				writeOK++
			} else {
				if p.text != textUnavailable {
					t.Fatalf("reject on a full disk: %s, want error %q", p, textUnavailable)
				}
				fails++
			}
		}
		writeFail += fails
		return fails
	}

	for i := 0; i < 3; i++ {
		if round() != 0 {
			t.Fatalf("a write failed before the disk was filled")
		}
	}
	readsOK("before the disk is full")

	// Bob's request falls due while the disk is full: its expiry job must
	// still run once space returns.
	bob := newClient(t, addr, "bob", bobKey)
	short := bob.request("Short", "Short")
	due := time.Now().Add(3 * time.Second)

	fillDisk(t, filepath.Join(mnt, "filler"), 1<<20)
	began := time.Now()
	var fullAt time.Time
	rounds, fullSince := 0, -1
	for ; rounds < 3000 && time.Since(began) < 30*time.Second; rounds++ {
		f := round()
		readsOK(fmt.Sprintf("round %d on a nearly full disk", rounds))
		if f == 0 {
			fullSince = -1
		} else if fullSince < 0 {
			fullSince, fullAt = rounds, time.Now()
		}
		// Full for a while, and long enough past bob's expiry that the
		// job runner has tried it.
		if fullSince >= 0 && rounds-fullSince >= 10 && time.Since(fullAt) > 2*time.Second && time.Since(due) > 3*time.Second {
			break
		}
		if fullSince >= 0 {
			time.Sleep(50 * time.Millisecond)
		}
		noPanic(t, srv)
	}
	t.Logf("disk full after %d rounds in %v: %d writes ok, %d refused; slowest call %s",
		fullSince, time.Since(began).Round(time.Millisecond), writeOK, writeFail, slowest)
	if fullSince < 0 {
		t.Fatalf("writes never failed: the disk did not fill")
	}
	// Reads are still served, so /healthz says ok, and why writes fail.
	if code, body, _, err := healthzBody(addr); code != http.StatusOK || !strings.Contains(body, "storage full") {
		t.Errorf("/healthz on a full disk: %d %q (%v), want 200 saying the storage is full", code, body, err)
	}

	// Space returns: writes succeed again without a restart.
	if !fullAt.Before(due) {
		t.Fatalf("the disk filled only at %v, after bob's request fell due (%v)", fullAt, due)
	}
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	for round() != 0 {
		if time.Since(freed) > maxRecovery {
			t.Fatalf("writes still fail %v after space returned", maxRecovery)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("writes succeed again %v after space returned", time.Since(freed).Round(time.Millisecond))
	if code, body, _, err := healthzBody(addr); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz after space returned: %d %q (%v), want 200 ok", code, body, err)
	}
	for i := 0; i < 5; i++ {
		if round() != 0 {
			t.Fatalf("a write failed after space returned")
		}
	}
	readsOK("after space returned")
	bob.waitStatus(srv, short.ID, "Timed Out", 20*time.Second)
	bob.wantBalance("1.00")
	noPanic(t, srv)

	// Nothing half-written, nothing acknowledged lost: the database holds
	// exactly the model.
	sdb, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var integrity string
	if err := sdb.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("PRAGMA integrity_check: %q %v", integrity, err)
	}
	rows, err := sdb.Query(`SELECT r.id, r.status FROM requests r JOIN users u ON u.id = r.user_id WHERE u.username = 'alice'`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			t.Fatal(err)
		}
		got[fmt.Sprint(id)] = st
	}
	rows.Close()
	if fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(status)) {
		t.Errorf("requests in the database differ from those answered ok:\n got %v\nwant %v", sortedMap(got), sortedMap(status))
	}
	rows, err = sdb.Query(`SELECT gateway_msg_id FROM messages WHERE gateway = 'push1'`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var gid string
		rows.Scan(&gid)
		stored[gid] = true
	}
	rows.Close()
	for gid := range pushedOK {
		if !stored[gid] {
			t.Errorf("message %s was acknowledged but is not stored", gid)
		}
	}
	for gid := range pushedFail {
		if stored[gid] {
			t.Errorf("message %s was refused (503) but is stored", gid)
		}
	}
	if len(stored) != len(pushedOK) {
		t.Errorf("%d messages stored, %d acknowledged", len(stored), len(pushedOK))
	}
	c.wantBalance(fmt.Sprintf("%d.%02d", balance/100, balance%100))

	out := cli(t, dir, e, "check")
	t.Logf("mdnhub check:\n%s", out)
	noPanic(t, srv)
	srv.stop(t, 20*time.Second)
	logSummary(t, srv)
}

// logSummary logs what the server wrote to its log, one line per message
// with a count: what an operator saw during the fault.
func logSummary(t *testing.T, p *proc) {
	t.Helper()
	counts := map[string]int{}
	var order []string
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		level, msg := "", ""
		if i := strings.Index(line, "level="); i >= 0 {
			level, _, _ = strings.Cut(line[i+len("level="):], " ")
		}
		if i := strings.Index(line, "msg="); i >= 0 {
			msg = line[i+len("msg="):]
			if strings.HasPrefix(msg, `"`) {
				if j := strings.Index(msg[1:], `"`); j >= 0 {
					msg = msg[:j+2]
				}
			} else {
				msg, _, _ = strings.Cut(msg, " ")
			}
		}
		if msg == "" {
			continue
		}
		k := level + " " + msg
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	var b strings.Builder
	for _, k := range order {
		fmt.Fprintf(&b, "\n  %5d × %s", counts[k], k)
	}
	t.Logf("%s log:%s", p.name, b.String())
}

func sortedMap(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
