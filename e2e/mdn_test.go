package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The mdn command-line client (client/cmd/mdn, built from its own module)
// against the demo, as a customer would use it.

var (
	mdnOnce   sync.Once
	mdnBinary string
	mdnErr    error
)

// buildMDN builds the mdn binary once for the package's tests.
func buildMDN(t *testing.T) string {
	t.Helper()
	mdnOnce.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			mdnErr = err
			return
		}
		// Beside the mdnhub binary, in the folder TestMain removes.
		mdnBinary = filepath.Join(filepath.Dir(binary), "mdn")
		build := exec.Command("go", "build", "-o", mdnBinary, "./cmd/mdn")
		build.Dir = filepath.Join(root, "client")
		if out, err := build.CombinedOutput(); err != nil {
			mdnErr = errors.New("go build ./cmd/mdn: " + err.Error() + "\n" + string(out))
		}
	})
	if mdnErr != nil {
		t.Fatal(mdnErr)
	}
	return mdnBinary
}

// mdnRun runs mdn with env (the whole environment: nothing of ours leaks
// in but PATH) and returns stdout, stderr and the exit code.
func mdnRun(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, buildMDN(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	orphanGuard(cmd)
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("mdn %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), code
}

func mdnOK(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := mdnRun(t, env, args...)
	if code != 0 {
		t.Fatalf("mdn %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestMDNCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freeAddr(t)
	demo := start(t, "demo", dir, env{"MDNHUB_SIM_MIN_DELAY": "1s", "MDNHUB_SIM_MAX_DELAY": "2s"},
		"demo", "-addr", addr, "-db", filepath.Join(dir, "demo.db"))
	key := waitAPIKey(t, demo)
	waitHealthy(t, demo, addr)
	home := t.TempDir()
	vars := []string{"HOME=" + home, "MDN_URL=http://" + addr, "MDN_USER=demo", "MDN_KEY=" + key}

	if out := mdnOK(t, vars, "balance"); out != "100.00\n" {
		t.Fatalf("balance: %q", out)
	}
	if out := mdnOK(t, vars, "services"); !regexp.MustCompile(`(?m)^Google\s+1\.00\s+\d+`).MatchString(out) {
		t.Fatalf("services:\n%s", out)
	}

	// The number, then the code the simulator sends to it.
	out := mdnOK(t, vars, "request", "Google", "--wait", "--timeout", "60s")
	number := regexp.MustCompile(`(?m)^number\s+(1\d{10})$`).FindStringSubmatch(out)
	id := regexp.MustCompile(`(?m)^id\s+(\d+)$`).FindStringSubmatch(out)
	code := regexp.MustCompile(`(?m)^code\s+(\S+)$`).FindStringSubmatch(out)
	if number == nil || id == nil || code == nil || strings.Index(out, "number") > strings.Index(out, "code") {
		t.Fatalf("request --wait printed:\n%s", out)
	}
	// The same message through sms --json.
	var m struct {
		To, PIN string
		Reply   string `json:"reply"`
	}
	if err := json.Unmarshal([]byte(mdnOK(t, vars, "--json", "sms", id[1])), &m); err != nil || m.PIN != code[1] || m.To != number[1] {
		t.Fatalf("sms --json: %+v %v (want code %s to %s)", m, err, code[1], number[1])
	}

	// --json request, then reject it.
	var r struct{ ID, MDN, Status string }
	if err := json.Unmarshal([]byte(mdnOK(t, vars, "--json", "request", "Amazon")), &r); err != nil || r.Status != "Reserved" || r.MDN == "" {
		t.Fatalf("request --json: %+v %v", r, err)
	}
	if out := mdnOK(t, vars, "reject", r.ID); !strings.Contains(out, "rejected") {
		t.Fatalf("reject: %q", out)
	}
	if out := mdnOK(t, vars, "status", r.ID); !regexp.MustCompile(`(?m)^status\s+Rejected$`).MatchString(out) {
		t.Fatalf("status:\n%s", out)
	}

	// A long-term rental.
	out = mdnOK(t, vars, "rent", "Google")
	if !regexp.MustCompile(`(?m)^rental id\s+\d+$`).MatchString(out) || !regexp.MustCompile(`(?m)^number\s+1\d{10}$`).MatchString(out) {
		t.Fatalf("rent:\n%s", out)
	}
	var bal struct{ Balance float64 }
	if err := json.Unmarshal([]byte(mdnOK(t, vars, "--json", "balance")), &bal); err != nil || bal.Balance >= 99 {
		t.Fatalf("balance --json after the rental: %+v %v", bal, err)
	}

	// The config file instead of the environment; a flag wins over it.
	cfg := filepath.Join(home, ".config", "mdn", "config")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("# mdn\nurl = http://"+addr+"\nuser = demo\nkey = "+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fileOnly := []string{"HOME=" + home}
	if out := mdnOK(t, fileOnly, "balance"); !regexp.MustCompile(`^\d+\.\d\d\n$`).MatchString(out) {
		t.Fatalf("balance from the config file: %q", out)
	}
	if _, errOut, code := mdnRun(t, fileOnly, "--key", "wrong", "balance"); code != 1 || !strings.Contains(errOut, "Invalid user name or API key") {
		t.Fatalf("wrong key: exit %d, %q", code, errOut)
	}
	if _, errOut, code := mdnRun(t, []string{"HOME=" + t.TempDir()}, "balance"); code != 2 || !strings.Contains(errOut, "MDN_URL") {
		t.Fatalf("no credentials: exit %d, %q", code, errOut)
	}
	if _, errOut, code := mdnRun(t, vars, "request", "Goooooogle"); code != 1 || !strings.Contains(errOut, "Invalid service name Goooooogle") {
		t.Fatalf("unknown service: exit %d, %q", code, errOut)
	}
	demo.stop(t, 15*time.Second)
}
