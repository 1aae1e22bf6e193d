package smpp_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// TestCrashRecovery runs the gateway and the real message service in a
// child process (testdata/crashesme) on a SQLite file while the node SMSC
// delivers 1,000 SMS from its store, and kills the child twice: once right
// after a commit and before its responses (the SMSC must resend SMS that
// are already stored), once by SIGKILL from here at a random moment. The
// SMSC redelivers whatever got no response, as SMSCs do. In the end every
// SMS is stored exactly once.
func TestCrashRecovery(t *testing.T) {
	const n = 1000
	needNode(t)
	bin := filepath.Join(t.TempDir(), "crashesme")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/crashesme").CombinedOutput(); err != nil {
		t.Fatalf("build crashesme: %v\n%s", err, out)
	}
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.DB.Path = dbPath })
	user, _ := seed(t, e)

	p := nodeSMSC(t, 0)
	p.send(map[string]any{"cmd": "store", "id": "crash", "n": n, "from": sender, "to": mdn,
		"prefix": "Crash test SMS", "window": 100, "timeout_ms": 3000})

	child := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"-db", dbPath, "-smsc", p.addr(),
			"-now", strconv.FormatInt(apptest.Start.Unix(), 10)}, args...)...)
		cmd.Stderr = &testWriter{t: t, prefix: "crashesme: "}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	// 1. Dies by itself after its third commit, before answering it.
	c := child("-die-after-commit", "3")
	if err := c.Wait(); err == nil || c.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("crashesme should have killed itself: %v", err)
	}
	afterFirst := len(storedMessages(t, e))
	if afterFirst == 0 {
		t.Fatal("nothing stored before the first crash")
	}

	// 2. Killed from outside once a few hundred SMS are acknowledged.
	c = child()
	p.expect(20*time.Second, func(e event) bool { return e["event"] == "store_progress" && e.num("acked") >= 400 })
	_ = c.Process.Signal(syscall.SIGKILL)
	_ = c.Wait()

	// 3. Runs until the SMSC has every SMS acknowledged.
	c = child()
	done := p.expect(20*time.Second, func(e event) bool { return e["event"] == "store_done" })
	_ = c.Process.Signal(syscall.SIGTERM)
	_ = c.Wait()

	count := map[string]int{}
	stored := storedMessages(t, e)
	for _, m := range stored {
		count[m.Body]++
		if m.UserID != user {
			t.Fatalf("message without its owner: %+v", m)
		}
	}
	for i := range n {
		if body := fmt.Sprintf("Crash test SMS %d", i); count[body] != 1 {
			t.Errorf("%q stored %d times", body, count[body])
		}
	}
	if len(stored) != n {
		t.Errorf("%d rows for %d SMS", len(stored), n)
	}
	t.Logf("stored before the first crash: %d; SMSC resends: %d", afterFirst, done.num("resent"))
	if done.num("resent") == 0 {
		t.Error("no resends: the crashes did not interrupt anything")
	}
}
