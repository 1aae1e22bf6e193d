package cli

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"mdnhub/internal/proxy"
)

// TestProxy: port-set saves a port that ports lists; port-disable and
// port-enable switch it; rentals and redials list what customers did.
func TestProxy(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		out := d.mustRun(t, "proxy", "port-set", "-id", "50001", "-location", "NJ", "-carrier", "TMobile", "-upstream", "direct",
			"-redial", "0", "-capacity", "3", "-redial-action", "true", "-redial-timeout", "30s")
		if out != "port 50001 saved\n" {
			t.Errorf("port-set: %q", out)
		}
		p, err := d.Proxies.Port(ctx, "50001")
		if err != nil || p.Location != "NJ" || p.Carrier != "TMobile" || p.Capacity != 3 || p.RedialMinutes != 0 ||
			!p.ExclusiveAllowed || p.RedialAction != "true" || p.RedialTimeout.Seconds() != 30 || !p.Enabled {
			t.Errorf("stored %+v (%v)", p, err)
		}
		if code, _, errOut := d.run(t, "proxy", "port-set", "-id", "50002"); code != 1 || !strings.Contains(errOut, "upstream") {
			t.Errorf("no upstream: exit %d, %q", code, errOut)
		}
		row := func() string {
			t.Helper()
			for _, l := range strings.Split(d.mustRun(t, "proxy", "ports"), "\n") {
				if strings.HasPrefix(l, "50001 ") {
					return strings.Join(strings.Fields(l), " ")
				}
			}
			t.Fatal("port 50001 not listed")
			return ""
		}
		if got := row(); got != "50001 NJ TMobile 0m 3 0 false true direct" {
			t.Errorf("ports: %q", got)
		}
		if out := d.mustRun(t, "proxy", "port-disable", "-id", "50001"); out != "port 50001 disabled\n" {
			t.Errorf("port-disable: %q", out)
		}
		if got := row(); !strings.Contains(got, " false false direct") {
			t.Errorf("disabled: %q", got)
		}
		if out := d.mustRun(t, "proxy", "port-enable", "-id", "50001"); out != "port 50001 enabled\n" {
			t.Errorf("port-enable: %q", out)
		}
		for _, verb := range []string{"port-enable", "port-disable"} {
			if code, _, errOut := d.run(t, "proxy", verb, "-id", "nope"); code != 1 || !strings.Contains(errOut, `port "nope"`) {
				t.Errorf("%s nope: exit %d, %q", verb, code, errOut)
			}
			if code, _, errOut := d.run(t, "proxy", verb); code != 2 || !strings.Contains(errOut, "-id is required") {
				t.Errorf("%s without -id: exit %d, %q", verb, code, errOut)
			}
		}

		u, _ := d.User(t, 100000)
		r, err := d.Proxies.Rent(ctx, proxy.RentAsk{UserID: u.ID, Username: u.Username, Port: "50001", Service: "Google", Minutes: 60, Exclusive: true})
		if err != nil {
			t.Fatal(err)
		}
		out = d.mustRun(t, "proxy", "rentals", "-name", u.Username)
		if !strings.Contains(out, "\n"+strconv.FormatInt(r.ID, 10)+" ") || !strings.Contains(out, r.ProxyUser) || !strings.Contains(out, " active ") {
			t.Errorf("rentals:\n%s", out)
		}
		if code, _, errOut := d.run(t, "proxy", "rentals"); code != 2 || !strings.Contains(errOut, "-name is required") {
			t.Errorf("rentals without -name: exit %d, %q", code, errOut)
		}
		if err := d.Proxies.RequestRedial(ctx, u.ID, proxy.Ref{ID: r.ID}); err != nil {
			t.Fatal(err)
		}
		out = d.mustRun(t, "proxy", "redials")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "id ") || !strings.Contains(lines[1], " 50001 ") ||
			!strings.Contains(lines[1], " "+strconv.FormatInt(u.ID, 10)+" ") {
			t.Errorf("redials:\n%s", out)
		}
		if out := d.mustRun(t, "proxy", "redials", "-limit", "0"); strings.Count(out, "\n") != 1 {
			t.Errorf("redials -limit 0:\n%s", out)
		}
	})
}
