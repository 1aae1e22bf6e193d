package cli

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"mdnhub/internal/catalog"
)

// The service-code verbs list the effective table, map, turn off and
// delete codes, and refuse what makes no sense, on both engines.
func TestServiceCodes(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		d.mustRun(t, "services", "set", "-name", "Google", "-price", "1.00")
		d.mustRun(t, "services", "set", "-name", "Other", "-price", "0.10")

		out := d.mustRun(t, "services", "codes")
		if !strings.HasPrefix(out, "code") || !regexp.MustCompile(`(?m)^go +Google +default +true$`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^wa +WhatsApp +default +false$`).MatchString(out) || strings.Contains(out, "\not ") {
			t.Fatalf("codes:\n%s", out)
		}

		if got := d.mustRun(t, "services", "code-set", "-code", "OT", "-name", "other"); got != "code OT names other\n" {
			t.Errorf("code-set: %q", got)
		}
		if got := d.mustRun(t, "services", "code-set", "-code", "go", "-off"); got != "code go turned off\n" {
			t.Errorf("code-set -off: %q", got)
		}
		if s, err := d.Catalog.ServiceByCode(ctx, "ot"); err != nil || s.Name != "Other" {
			t.Errorf("ot: %+v %v", s, err)
		}
		if _, err := d.Catalog.ServiceByCode(ctx, "go"); !errors.Is(err, catalog.ErrUnknownCode) {
			t.Errorf("go turned off: %v", err)
		}
		out = d.mustRun(t, "services", "codes")
		if !regexp.MustCompile(`(?m)^go +\(off\) +operator +false$`).MatchString(out) || !regexp.MustCompile(`(?m)^ot +Other +operator +true$`).MatchString(out) {
			t.Fatalf("codes after changes:\n%s", out)
		}

		if got := d.mustRun(t, "services", "code-delete", "-code", "go"); got != "code go deleted\n" {
			t.Errorf("code-delete: %q", got)
		}
		if s, err := d.Catalog.ServiceByCode(ctx, "go"); err != nil || s.Name != "Google" {
			t.Errorf("go back to its default: %+v %v", s, err)
		}

		for _, c := range []struct {
			args []string
			code int
			err  string
		}{
			{[]string{"services", "code-set", "-code", "go"}, 2, "exactly one of -name or -off"},
			{[]string{"services", "code-set", "-name", "Google"}, 2, "exactly one of -name or -off"},
			{[]string{"services", "code-set", "-code", "go", "-name", "Google", "-off"}, 2, "exactly one of -name or -off"},
			{[]string{"services", "code-set", "-code", "go", "-name", "Nope"}, 1, `no service "Nope"`},
			{[]string{"services", "code-set", "-code", "g o", "-name", "Google"}, 1, "a service code is 1 to 16 letters"},
			{[]string{"services", "code-delete"}, 2, "-code is required"},
			{[]string{"services", "code-delete", "-code", "go"}, 1, `the operator has not set code "go"`},
		} {
			code, _, errOut := d.run(t, c.args...)
			if code != c.code || !strings.Contains(errOut, c.err) {
				t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut, c.code, c.err)
			}
		}
	})
}
