package cli

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"mdnhub/internal/catalog"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// TestSimSend names what the message reached: a request or a rental,
// whose; a repeated gateway id is stored once.
func TestSimSend(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		svc := d.Service(t, "Google", 100, 0)
		d.Numbers(t, "12125550000", "12125550001")
		u, _ := d.User(t, 10000)
		rs, err := d.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550000"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := d.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30, MDN: "12125550001"})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []struct{ to, says string }{
			{"12125550000", "delivered to request " + strconv.FormatInt(rs[0].ID, 10) + " of user " + strconv.FormatInt(u.ID, 10) + `, service Google (pin "G-123456")`},
			{"12125550001", "delivered to rental " + strconv.FormatInt(r.ID, 10)},
			{"13105550000", "stored as unowned: nobody holds 13105550000"},
		} {
			out := d.mustRun(t, "sim", "send", "-to", w.to, "-from", "22000", "-text", "G-123456 is your Google verification code.")
			if !strings.Contains(out, w.says) {
				t.Errorf("sim send to %s: %q; want %q", w.to, out, w.says)
			}
		}
		first := d.mustRun(t, "sim", "send", "-to", "12125550001", "-from", "22000", "-text", "G-654321", "-id", "gw-1")
		again := d.mustRun(t, "sim", "send", "-to", "12125550001", "-from", "22000", "-text", "G-654321", "-id", "gw-1")
		if id := after(t, first, "message "); again != "message "+id+" was already delivered\n" {
			t.Errorf("repeated id: %q after %q", again, first)
		}
		if code, _, errOut := d.run(t, "sim", "send", "-to", "12125550000", "-from", "22000"); code != 2 || errOut != "mdnhub: mdnhub sim send: -to, -from and -text are required\n" {
			t.Errorf("no text: exit %d, %q", code, errOut)
		}
	})
}
