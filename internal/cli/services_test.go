package cli

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/catalog"
)

func TestServicesSetAndList(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		out := d.mustRun(t, "services", "set", "-name", "Google", "-price", "1.00", "-ltr-price", "20.00", "-ltr-short-price", "5", "-lifetime", "15m")
		if out != "service Google saved\n" {
			t.Errorf("set: %q", out)
		}
		d.mustRun(t, "services", "set", "-name", "OldApp", "-price", "0.30", "-disabled")
		// -disabled hides it from customers, and from the list.
		if _, err := d.Catalog.Lookup(ctx, "oldapp"); !errors.Is(err, catalog.ErrUnknownService) {
			t.Errorf("disabled OldApp: %v", err)
		}
		out = d.mustRun(t, "services", "list")
		if strings.Contains(out, "OldApp") {
			t.Errorf("disabled OldApp listed:\n%s", out)
		}
		if !strings.Contains(out, "name") || !strings.Contains(out, "ltr_short_price") {
			t.Errorf("list header:\n%s", out)
		}
		if all := d.mustRun(t, "services", "list", "-all"); !strings.Contains(all, "hidden") || !regexp.MustCompile(`OldApp +0\.30 .* true\n`).MatchString(all) ||
			!regexp.MustCompile(`Google +1\.00 .* false\n`).MatchString(all) {
			t.Errorf("list -all:\n%s", all)
		}
		var google string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "Google ") {
				google = strings.Join(strings.Fields(l), " ")
			}
		}
		if google != "Google 1.00 20.00 5.00 15m0s" {
			t.Errorf("Google listed as %q:\n%s", google, out)
		}
		if code, _, errOut := d.run(t, "services", "set", "-name", "Free"); code != 2 || errOut != "mdnhub: mdnhub services set: a price is required\n" {
			t.Errorf("no price: exit %d, %q", code, errOut)
		}
		if code, _, errOut := d.run(t, "services", "set", "-name", "Long", "-price", "1", "-lifetime", "48h"); code != 1 || !strings.Contains(errOut, "lifetime") {
			t.Errorf("48h: exit %d, %q", code, errOut)
		}
	})
}

func TestServicesImport(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		bad := writeFile(t, "services.csv", `name,price,ltr_price,ltr_short_price,lifetime
# prices in dollars
Google,1.00,20,5,15m

Amazon,abc
Uber,0.50,,,soon
google,2.00
,1.00
Lyft,1.00,1,1,1m,extra
Ebay
"Big
Service",1.00
`)
		code, _, stderr := d.run(t, "services", "import", bad)
		want := "mdnhub: " + bad + `:5: price: invalid amount "abc": use dollars with at most two decimals
` + bad + `:6: lifetime "soon" is not a duration such as 15m
` + bad + `:7: service google is already on line 3
` + bad + `:8: name is empty
` + bad + `:9: 6 columns, want at most 5: name,price,ltr_price,ltr_short_price,lifetime
` + bad + `:10: price is empty
` + bad + `:11: name "Big\nService" has a comma, tab or line break
`
		if code != 1 || stderr != want {
			t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
		}
		if out := d.mustRun(t, "services", "list"); strings.Contains(out, "Google") {
			t.Fatalf("a line of a bad file was saved:\n%s", out)
		}
		// What only the catalog checks is reported at its line too, the
		// lines before it saved.
		long := writeFile(t, "long.csv", "# lifetimes\nGoogle,1.00\n\nAmazon,1.00,,,48h\n")
		code, _, stderr = d.run(t, "services", "import", long)
		if code != 1 || !strings.HasPrefix(stderr, "mdnhub: "+long+":4: invalid service: lifetime") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		good := writeFile(t, "good.csv", "\ufeffname,price,ltr_price,ltr_short_price,lifetime\r\nGoogle,1.50,20,5,15m\r\nAmazon,0.50\r\n")
		if out := d.mustRun(t, "services", "import", good); out != "2 services saved\n" {
			t.Errorf("good: %q", out)
		}
		s, err := d.Catalog.Lookup(context.Background(), "Google")
		if err != nil || s.PriceCents != 150 || s.LTRPriceCents != 2000 || s.LTRShortPriceCents != 500 || s.Lifetime != 15*time.Minute {
			t.Errorf("Google stored %+v (%v)", s, err)
		}
		if code, _, stderr := d.run(t, "services", "import"); code != 2 || !strings.Contains(stderr, "give a CSV file") {
			t.Errorf("no file: exit %d, %q", code, stderr)
		}
	})
}

func TestServicesRules(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.Service(t, "Google", 100, 0)
		out := d.mustRun(t, "services", "rule-add", "-name", "Google", "-sender", "22000")
		if !strings.HasPrefix(out, "rule ") || !strings.HasSuffix(out, ": Google sender \"22000\"\n") {
			t.Errorf("rule-add sender: %q", out)
		}
		id := after(t, out, "rule ")
		id = strings.TrimSuffix(id, ":")
		out = d.mustRun(t, "services", "rule-add", "-name", "Google", "-keyword", "google")
		if !strings.HasSuffix(out, ": Google keyword \"google\"\n") {
			t.Errorf("rule-add keyword: %q", out)
		}
		out = d.mustRun(t, "services", "rules")
		if !strings.HasPrefix(out, "id ") || !strings.Contains(out, "22000") || !strings.Contains(out, "google\n") {
			t.Errorf("rules:\n%s", out)
		}
		if out := d.mustRun(t, "services", "rule-delete", "-id", id); out != "rule "+id+" deleted\n" {
			t.Errorf("rule-delete: %q", out)
		}
		rules, err := d.Catalog.Rules(context.Background())
		if err != nil || len(rules) != 1 || rules[0].Kind != catalog.RuleKeyword {
			t.Errorf("rules left %+v (%v)", rules, err)
		}
		for _, bad := range [][]string{
			{"rule-add", "-name", "Google"},
			{"rule-add", "-name", "Google", "-sender", "1", "-keyword", "x"},
			{"rule-add", "-sender", "1"},
			{"rule-delete"},
		} {
			if code, _, errOut := d.run(t, append([]string{"services"}, bad...)...); code != 2 || !strings.Contains(errOut, "required") {
				t.Errorf("%v: exit %d, %q", bad, code, errOut)
			}
		}
		if code, _, _ := d.run(t, "services", "rule-delete", "-id", "99999"); code != 1 {
			t.Errorf("rule-delete of a missing rule: exit %d", code)
		}
	})
}
