package e2e

// A public SMS-Activate client library, the npm package "sms-activate"
// (pinned by testdata/sms-activate/package-lock.json, installed by
// scripts/install-peers.sh smsactivate), run unchanged but for its base URL
// against the real binary: it gets a number, receives the code the demo's
// simulator texts, completes it, and cancels another with refund. What it
// did is then checked through api_command.php, which sees the same requests,
// messages and balance.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const smsActivatePeer = "testdata/sms-activate"

// needSMSActivatePeer makes sure node and the pinned package are there,
// installing them when missing; it fails the test in CI when they cannot
// be had, and skips it elsewhere.
func needSMSActivatePeer(t *testing.T) {
	t.Helper()
	have := func() error {
		if _, err := exec.LookPath("node"); err != nil {
			return err
		}
		_, err := os.Stat(filepath.Join(smsActivatePeer, "node_modules", "sms-activate", "package.json"))
		return err
	}
	if have() == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", "../scripts/install-peers.sh", "smsactivate").CombinedOutput()
	if err == nil {
		err = have()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("peer unavailable in CI: the npm package sms-activate: %v\n%s", err, out)
		}
		t.Skipf("peer unavailable: the npm package sms-activate (scripts/install-peers.sh smsactivate): %v\n%s", err, out)
	}
}

// step is one line the driver prints.
type step struct {
	Step    string `json:"step"`
	Service string `json:"service"`
	ID      int64  `json:"id"`
	Number  int64  `json:"number"`
	Answer  string `json:"answer"`
	Status  string `json:"status"`
	Code    string `json:"code"`
	Balance *int64 `json:"balance"`
	What    string `json:"what"`
	Error   string `json:"error"`
}

func TestSMSActivateClientLibrary(t *testing.T) {
	t.Parallel()
	needSMSActivatePeer(t)
	dir := t.TempDir()
	e := env{"MDNHUB_SIM_MIN_DELAY": "1s", "MDNHUB_SIM_MAX_DELAY": "2s"}
	addr := freeAddr(t)
	demo := start(t, "demo", dir, e, "demo", "-addr", addr, "-db", filepath.Join(dir, "demo.db"))
	key := waitAPIKey(t, demo)
	waitHealthy(t, demo, addr)
	api := newClient(t, addr, "demo", key)
	api.wantBalance("100.00")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "client.js", "http://"+addr, key)
	cmd.Dir = smsActivatePeer
	// The library's HTTP client honours proxy variables: none, to reach
	// the loopback server directly.
	for _, kv := range os.Environ() {
		if !strings.HasSuffix(strings.ToLower(strings.SplitN(kv, "=", 2)[0]), "_proxy") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	t.Logf("sms-activate client:\n%s", stdout.String())
	if runErr != nil {
		t.Fatalf("node client.js: %v\nstderr:\n%s", runErr, stderr.String())
	}
	var steps []step
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var s step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("driver line %q: %v", sc.Text(), err)
		}
		steps = append(steps, s)
	}
	want := []string{"balance", "number", "cancel", "status", "number", "ready", "code", "complete", "status", "refused", "refused", "done"}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %v", len(steps), want)
	}
	for i, s := range steps {
		if s.Step != want[i] {
			t.Fatalf("step %d is %q, want %q", i, s.Step, want[i])
		}
	}
	// The library reads the balance with parseInt: whole dollars.
	if b := steps[0].Balance; b == nil || *b != 100 {
		t.Errorf("balance %v, want 100", b)
	}
	cancelled, got := steps[1], steps[4]
	for _, s := range []step{cancelled, got} {
		if s.ID <= 0 || !mdnRE.MatchString(strconv.FormatInt(s.Number, 10)) {
			t.Errorf("number %+v", s)
		}
	}
	if cancelled.Service != "am" || steps[2].Answer != "ACCESS_CANCEL" || steps[3].Status != "STATUS_CANCEL" {
		t.Errorf("cancel: %+v %+v %+v", cancelled, steps[2], steps[3])
	}
	if got.Service != "go" || steps[5].Answer != "ACCESS_READY" || steps[6].Code == "" || steps[7].Answer != "ACCESS_ACTIVATION" || steps[8].Status != "STATUS_OK" {
		t.Errorf("activation: %+v %+v %+v %+v %+v", got, steps[5], steps[6], steps[7], steps[8])
	}
	if steps[9].What != "bad service" || steps[9].Error != "BadService" || steps[10].What != "no activation" || steps[10].Error != "InvalidActivation" {
		t.Errorf("the library's errors: %+v %+v", steps[9], steps[10])
	}

	// The same requests, message and balance through api_command.php.
	id := func(s step) string { return strconv.FormatInt(s.ID, 10) }
	if st := api.status(id(cancelled)); st.Status != "Rejected" || st.Service != "Amazon" || st.MDN != strconv.FormatInt(cancelled.Number, 10) {
		t.Errorf("the cancelled activation: %+v", st)
	}
	if st := api.status(id(got)); st.Status != "Completed" || st.Service != "Google" || st.TillExpiration != 0 {
		t.Errorf("the completed activation: %+v", st)
	}
	var msgs []smsEntry
	api.ok(&msgs, "read_sms", "id", id(got))
	if len(msgs) == 0 || msgs[0].PIN != steps[6].Code || msgs[0].To != strconv.FormatInt(got.Number, 10) {
		t.Errorf("read_sms %+v, want the PIN %q the library read", msgs, steps[6].Code)
	}
	// Google (1.00) charged, Amazon refunded.
	api.wantBalance(fmt.Sprintf("%.2f", 100.00-1.00))
}
