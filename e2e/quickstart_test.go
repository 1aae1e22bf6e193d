package e2e

// The quick starts of docs/clients.md, run as a reader runs them: the
// ```python, ```js and curl (```sh of the "## curl" section) blocks are cut
// out of the document by their fences, written to files unchanged, and run
// with python3, node and bash against the real binary's demo, with MDN_URL,
// MDN_USER and MDN_KEY in the environment as the document says. Each must
// print the number it got; the test then texts a code to that number through
// the simulator (mdnhub sim send), and the snippet must print that code. What
// it did is then checked through api_command.php.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const clientsDoc = "../docs/clients.md"

// docBlocks returns the fenced blocks of docs/clients.md: by their fence's
// language, and the ```sh blocks of each "## " section by its title.
func docBlocks(t *testing.T) (byLang map[string][]string, shBySection map[string][]string) {
	t.Helper()
	raw, err := os.ReadFile(clientsDoc)
	if err != nil {
		t.Fatal(err)
	}
	byLang, shBySection = map[string][]string{}, map[string][]string{}
	section, lang := "", ""
	var block strings.Builder
	in := false
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case in && strings.TrimSpace(line) == "```":
			in = false
			byLang[lang] = append(byLang[lang], block.String())
			if lang == "sh" {
				shBySection[section] = append(shBySection[section], block.String())
			}
		case in:
			block.WriteString(line + "\n")
		case strings.HasPrefix(line, "```"):
			in, lang = true, strings.TrimSpace(strings.TrimPrefix(line, "```"))
			block.Reset()
		case strings.HasPrefix(line, "## "):
			section = strings.TrimSpace(strings.TrimPrefix(line, "## "))
		}
	}
	if in {
		t.Fatalf("%s: a ```%s block is not closed", clientsDoc, lang)
	}
	return byLang, shBySection
}

// oneBlock requires exactly one block and returns it.
func oneBlock(t *testing.T, blocks []string, what string) string {
	t.Helper()
	if len(blocks) != 1 {
		t.Fatalf("%s: %d %s blocks, want exactly one (the quick start this test runs)", clientsDoc, len(blocks), what)
	}
	return blocks[0]
}

// needQuickstartPeer returns the command line find finds; when it finds
// none it installs peer with scripts/install-peers.sh and looks again. It
// fails the test in CI when the peer cannot be had, and skips it elsewhere.
func needQuickstartPeer(t *testing.T, peer, what string, find func() ([]string, error)) []string {
	t.Helper()
	if argv, err := find(); err == nil {
		return argv
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", "../scripts/install-peers.sh", peer).CombinedOutput()
	var argv []string
	if err == nil {
		argv, err = find()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("peer unavailable in CI: %s: %v\n%s", what, err, out)
		}
		t.Skipf("peer unavailable: %s (scripts/install-peers.sh %s): %v\n%s", what, peer, err, out)
	}
	return argv
}

// findPython finds a python3 that imports requests: the one on PATH, else
// Debian's (which python3-requests is installed for).
func findPython() ([]string, error) {
	var last error
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(name)
		if err == nil {
			var out []byte
			if out, err = exec.Command(p, "-c", "import requests").CombinedOutput(); err != nil {
				err = fmt.Errorf("%s cannot import requests: %v %s", p, err, bytes.TrimSpace(out))
			}
		}
		if err == nil {
			// Unbuffered, so that the number shows before the code comes.
			return []string{p, "-u"}, nil
		}
		last = err
	}
	return nil, last
}

// findNode finds node 18 or later, whose fetch is built in; 18 needs the
// flag docs/clients.md gives for its global crypto.
func findNode() ([]string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(p, "--version").Output()
	if err != nil {
		return nil, err
	}
	v := strings.TrimSpace(string(out))
	major, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "v"), ".", 2)[0])
	switch {
	case err != nil:
		return nil, fmt.Errorf("node --version: %q", v)
	case major < 18:
		return nil, fmt.Errorf("node %s has no fetch: 18 or later is needed", v)
	case major == 18:
		return []string{p, "--experimental-global-webcrypto"}, nil
	}
	return []string{p}, nil
}

// findCurl finds bash and curl.
func findCurl() ([]string, error) {
	if _, err := exec.LookPath("curl"); err != nil {
		return nil, err
	}
	p, err := exec.LookPath("bash")
	if err != nil {
		return nil, err
	}
	return []string{p}, nil
}

// quickstart is one snippet's run against the demo.
type quickstart struct {
	t      *testing.T
	demo   *proc
	dir    string // the demo's working directory
	dbPath string // the demo's database, for mdnhub sim send
	vars   []string
}

// run writes src to file in a folder of its own, runs argv with it, waits
// until its output so far shows the number it got (numberRE's first group),
// texts "<code> is your Google verification code." to that number through
// the simulator, and returns the whole output and the request the message
// was delivered to.
func (q *quickstart) run(argv []string, file, src string, numberRE *regexp.Regexp, code string) (out, mdn, requestID string) {
	t := q.t
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], file)...)
	cmd.Dir = dir
	// The reader's environment: the credentials, and no proxy variables
	// (requests and curl honour them) that would take the loopback server
	// elsewhere.
	for _, kv := range os.Environ() {
		name := strings.SplitN(kv, "=", 2)[0]
		if !strings.HasSuffix(strings.ToLower(name), "_proxy") && !strings.HasPrefix(name, "MDN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, q.vars...)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	orphanGuard(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	fail := func(format string, args ...any) {
		t.Helper()
		cmd.Process.Kill()
		t.Fatalf("%s: %s\nstdout:\n%s\nstderr:\n%s", file, fmt.Sprintf(format, args...), stdout.String(), stderr.String())
	}

	// The number it got.
	for {
		if m := numberRE.FindStringSubmatch(stdout.String()); m != nil {
			mdn = m[1]
			break
		}
		select {
		case err := <-done:
			fail("ended (%v) before printing its number", err)
		case <-ctx.Done():
			fail("printed no number within 90 s")
		case <-time.After(100 * time.Millisecond):
		}
		if q.demo.exited() {
			fail("the demo exited: %v", q.demo.err)
		}
	}
	// Its code, through the simulator.
	sent := cli(t, q.dir, env{"MDNHUB_DB_PATH": q.dbPath}, "sim", "send", "-to", mdn, "-from", "22000",
		"-text", code+" is your Google verification code.")
	m := regexp.MustCompile(`delivered to request (\d+) of user \d+, service Google \(pin "` + regexp.QuoteMeta(code) + `"\)`).FindStringSubmatch(sent)
	if m == nil {
		fail("sim send to %s: %q, want a delivery to a Google request with the pin %s", mdn, sent, code)
	}
	requestID = m[1]
	select {
	case err := <-done:
		if err != nil {
			fail("%v", err)
		}
	case <-ctx.Done():
		fail("did not end within 90 s")
	}
	t.Logf("%s printed:\n%s", file, stdout.String())
	return stdout.String(), mdn, requestID
}

// checkQuickstart requires, through api_command.php, that request id holds number
// mdn, completed with code as its one message, and that it cost the demo
// user one Google (1.00) since the balance before.
func checkQuickstart(t *testing.T, api *client, before, id, mdn, code string) {
	t.Helper()
	if st := api.status(id); st.Status != "Completed" || st.Service != "Google" || st.MDN != mdn {
		t.Errorf("request %s: %+v, want Completed Google on %s", id, st, mdn)
	}
	if m := api.readOne(id); m.PIN != code || m.To != mdn {
		t.Errorf("read_sms id=%s: %+v, want the pin %s to %s", id, m, code, mdn)
	}
	b, err := strconv.ParseFloat(before, 64)
	if err != nil {
		t.Fatal(err)
	}
	api.wantBalance(fmt.Sprintf("%.2f", b-1.00))
}

func TestQuickstarts(t *testing.T) {
	t.Parallel()
	byLang, shBySection := docBlocks(t)
	python := oneBlock(t, byLang["python"], "```python")
	js := oneBlock(t, byLang["js"], "```js")
	curl := oneBlock(t, shBySection["curl"], "```sh in the curl section")

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "demo.db")
	// The simulator's own texts off: the test sends each code itself.
	addr := freeAddr(t)
	demo := start(t, "demo", dir, env{"MDNHUB_SIM_ENABLED": "false"}, "demo", "-addr", addr, "-db", dbPath)
	key := waitAPIKey(t, demo)
	waitHealthy(t, demo, addr)
	vars := []string{"MDN_URL=http://" + addr, "MDN_USER=demo", "MDN_KEY=" + key}
	newQuickstart := func(t *testing.T) *quickstart {
		return &quickstart{t: t, demo: demo, dir: dir, dbPath: dbPath, vars: vars}
	}

	// curl first: its snippet reads request 10000001, the first request of
	// a fresh demo, as a reader who just started one would.
	t.Run("curl", func(t *testing.T) {
		bash := needQuickstartPeer(t, "curl", "curl", findCurl)
		api := newClient(t, addr, "demo", key)
		before := api.balance()
		const code = "G-310001"
		out, mdn, id := newQuickstart(t).run(append(bash, "-e"), "quickstart.sh", curl,
			regexp.MustCompile(`"mdn":"(1\d{10})"`), code)
		// Four answers, one after the other: balance, request, read_sms,
		// request_status.
		type envelope struct {
			Status  string          `json:"status"`
			Message json.RawMessage `json:"message"`
		}
		var answers []envelope
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var a envelope
			if err := dec.Decode(&a); err != nil {
				t.Fatalf("curl output is not a series of answers: %v\n%s", err, out)
			}
			answers = append(answers, a)
		}
		if len(answers) != 4 {
			t.Fatalf("%d answers, want 4:\n%s", len(answers), out)
		}
		for _, a := range answers {
			if a.Status != "ok" {
				t.Fatalf("an error answer: %s\n%s", a.Message, out)
			}
		}
		var bal string
		var req []requestEntry
		var msgs []smsEntry
		var st []statusEntry
		for i, v := range []any{&bal, &req, &msgs, &st} {
			strictDecode(t, answers[i].Message, v)
		}
		if bal != before || len(req) != 1 || req[0].ID != "10000001" || req[0].ID != id || req[0].MDN != mdn ||
			len(msgs) != 1 || msgs[0].PIN != code || len(st) != 1 || st[0].Status != "Completed" {
			t.Fatalf("curl answers: balance %q, request %+v, read_sms %+v, request_status %+v", bal, req, msgs, st)
		}
		checkQuickstart(t, api, before, id, mdn, code)
	})

	t.Run("python", func(t *testing.T) {
		py := needQuickstartPeer(t, "python", "python3 with requests", findPython)
		api := newClient(t, addr, "demo", key)
		before := api.balance()
		const code = "G-310002"
		out, mdn, id := newQuickstart(t).run(py, "quickstart.py", python,
			regexp.MustCompile(`(?m)^number (1\d{10}) request \d+$`), code)
		m := regexp.MustCompile(`^number (1\d{10}) request (\d+)\ncode (\S+)\n$`).FindStringSubmatch(out)
		if m == nil || m[1] != mdn || m[2] != id || m[3] != code {
			t.Fatalf("printed %q, want number %s request %s, then code %s", out, mdn, id, code)
		}
		checkQuickstart(t, api, before, id, mdn, code)
	})

	t.Run("js", func(t *testing.T) {
		node := needQuickstartPeer(t, "smsactivate", "node 18 or later", findNode)
		api := newClient(t, addr, "demo", key)
		before := api.balance()
		const code = "G-310003"
		// docs/clients.md: "Save as example.mjs for top-level await."
		out, mdn, id := newQuickstart(t).run(node, "example.mjs", js,
			regexp.MustCompile(`(?m)^number (1\d{10})$`), code)
		if want := "number " + mdn + "\ncode " + code + "\n"; out != want {
			t.Fatalf("printed %q, want %q", out, want)
		}
		checkQuickstart(t, api, before, id, mdn, code)
	})
}
