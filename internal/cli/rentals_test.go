package cli

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"mdnhub/internal/rental"
)

// TestRentals: list shows a user's rentals; reports lists the problems
// reported, resolve settles one, and reports -all still shows it.
func TestRentals(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		svc := d.Service(t, "Google", 100, 0)
		d.Numbers(t, "12125550000", "12125550001")
		u, _ := d.User(t, 10000)
		r, err := d.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30, MDN: "12125550000"})
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(r.ID, 10)
		out := d.mustRun(t, "rentals", "list", "-name", u.Username)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "id ") || !strings.HasPrefix(lines[1], id+" ") ||
			!strings.Contains(lines[1], " 12125550000 ") || !strings.Contains(lines[1], " Google ") || !strings.Contains(lines[1], " 20.00 ") {
			t.Errorf("list:\n%s", out)
		}
		if out := d.mustRun(t, "rentals", "list", "-name", u.Username, "-limit", "0"); strings.Contains(out, "12125550000") {
			t.Errorf("-limit 0:\n%s", out)
		}
		if code, _, errOut := d.run(t, "rentals", "list"); code != 2 || errOut != "mdnhub: mdnhub rentals list: -name is required\n" {
			t.Errorf("list without -name: exit %d, %q", code, errOut)
		}

		if out := d.mustRun(t, "rentals", "reports"); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "report ") {
			t.Errorf("no reports yet:\n%s", out)
		}
		if err := d.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: r.ID}); err != nil {
			t.Fatal(err)
		}
		reps, err := d.Rentals.Reports(ctx, false)
		if err != nil || len(reps) != 1 {
			t.Fatalf("reports %+v (%v)", reps, err)
		}
		rep := strconv.FormatInt(reps[0].ID, 10)
		out = d.mustRun(t, "rentals", "reports")
		if !strings.Contains(out, "\n"+rep+" ") || !strings.Contains(out, " "+id+" ") || !strings.Contains(out, " pending ") {
			t.Errorf("reports:\n%s", out)
		}
		if code, _, errOut := d.run(t, "rentals", "resolve", "-replace"); code != 2 || !strings.Contains(errOut, "-id is required") {
			t.Errorf("resolve without -id: exit %d, %q", code, errOut)
		}
		if out := d.mustRun(t, "rentals", "resolve", "-id", rep, "-replace"); out != "report "+rep+": replaced with 12125550001\n" {
			t.Errorf("resolve: %q", out)
		}
		if out := d.mustRun(t, "rentals", "reports"); strings.Contains(out, "\n"+rep+" ") {
			t.Errorf("a resolved report is still listed:\n%s", out)
		}
		if out := d.mustRun(t, "rentals", "reports", "-all"); !strings.Contains(out, "replaced with 12125550001") {
			t.Errorf("reports -all:\n%s", out)
		}
		if code, _, _ := d.run(t, "rentals", "resolve", "-id", rep, "-refund"); code != 1 {
			t.Errorf("resolving twice: exit %d", code)
		}
		d.CheckLedger(t)
	})
}
