package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mdnhub/internal/bench"
)

// TestBench runs every scenario of mdnhub bench at a tiny size, servers in
// the test process, and checks the report's shape: every row is there,
// nothing failed, and no number was allocated twice. It asserts nothing
// about speed.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and loads them")
	}
	report := filepath.Join(t.TempDir(), "bench.json")
	code, out, errOut := runCLI(t, nil, "bench", "-inprocess", "-dir", t.TempDir(), "-scales", "1,2",
		"-duration", "150ms", "-rounds", "1", "-conns", "4", "-waiters", "10", "-open", "20", "-history", "50",
		"-push-rate", "50", "-json", report)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	want := []string{"trivial net/http", "balance", "request_status", "read_sms (half empty)", "raw insert+update tx",
		"request+reject", "push, stored", "push to visible in read_sms", "10 waiters, 20 open requests"}
	if len(rep.Rows) != 2*len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rep.Rows), 2*len(want), out)
	}
	for i, r := range rep.Rows {
		if r.Name != want[i%len(want)] || r.Scale != 1+i/len(want) || r.Engine != "sqlite" {
			t.Errorf("row %d: %s ×%d on %s, want %s", i, r.Name, r.Scale, r.Engine, want[i%len(want)])
		}
		if r.Errors != 0 || r.Rate <= 0 {
			t.Errorf("%s ×%d: rate %v, %d errors (%s)", r.Name, r.Scale, r.Rate, r.Errors, r.Note)
		}
		if r.Name == "request+reject" && r.Note != "double allocations: 0" {
			t.Errorf("request+reject: %s", r.Note)
		}
	}
	if !strings.Contains(out, "vs baseline") {
		t.Errorf("no table:\n%s", out)
	}
}
