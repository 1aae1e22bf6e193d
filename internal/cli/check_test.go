package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"mdnhub/internal/catalog"
	"mdnhub/internal/request"
)

// TestCheck: a healthy database passes (exit 0), a corrupt one is exit 1
// with the violation on stderr.
func TestCheck(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		svc := d.Service(t, "Google", 100, 0)
		d.Numbers(t, "12125550000")
		u, _ := d.User(t, 1000)
		if _, err := d.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := d.run(t, "check")
		if code != 0 || !strings.Contains(out, "every invariant holds") || !strings.Contains(out, "holders") {
			t.Fatalf("healthy: exit %d\n%s%s", code, out, errOut)
		}
		if _, err := d.DB.W.ExecContext(ctx, `UPDATE users SET balance_cents = balance_cents + 5`); err != nil {
			t.Fatal(err)
		}
		code, out, errOut = d.run(t, "check")
		if code != 1 || !strings.Contains(out, "1 violations") || !strings.Contains(errOut, "ledger: user") {
			t.Fatalf("corrupt: exit %d\n%s%s", code, out, errOut)
		}
	})
}

// TestMigrate: migrate prints the schema version of an up-to-date database,
// an existing one or a new SQLite file.
func TestMigrate(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		v, err := d.DB.Version(context.Background())
		if err != nil || v == 0 {
			t.Fatalf("version %d (%v)", v, err)
		}
		want := "database is at schema version " + itoa(v) + "\n"
		if out := d.mustRun(t, "migrate"); out != want {
			t.Errorf("migrate: %q, want %q", out, want)
		}
	})
	fresh := filepath.Join(t.TempDir(), "new.db")
	if code, out, errOut := runCLI(t, nil, "migrate", "-db", fresh); code != 0 || !strings.HasPrefix(out, "database is at schema version ") {
		t.Errorf("new file: exit %d, %q %q", code, out, errOut)
	}
}
