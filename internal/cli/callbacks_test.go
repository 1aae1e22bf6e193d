package cli

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// TestCallbacks: set turns a user's callbacks on (with a generated secret)
// and off; log lists the events recorded; redeliver queues one again.
func TestCallbacks(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		u, _ := d.User(t, 1000)
		out := d.mustRun(t, "callbacks", "set", "-name", u.Username, "-url", "https://hooks.example.com/mdnhub")
		if !strings.HasPrefix(out, "callbacks of "+u.Username+" go to https://hooks.example.com/mdnhub\nsigning secret: ") {
			t.Fatalf("set: %q", out)
		}
		secret := after(t, out, "signing secret: ")
		s, err := d.Accounts.Callback(ctx, u.ID)
		if err != nil || s.URL != "https://hooks.example.com/mdnhub" || s.Secret != secret || len(secret) < 16 {
			t.Errorf("stored %+v (%v), printed secret %q", s, err, secret)
		}
		if code, _, errOut := d.run(t, "callbacks", "set", "-name", u.Username, "-url", "ftp://x"); code != 1 || errOut == "" {
			t.Errorf("ftp URL: exit %d, %q", code, errOut)
		}

		// An incoming message is an event.
		svc := d.Service(t, "Google", 100, 0)
		d.Numbers(t, "12125550000")
		if _, err := d.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}); err != nil {
			t.Fatal(err)
		}
		d.mustRun(t, "sim", "send", "-to", "12125550000", "-from", "22000", "-text", "G-123456 is your Google verification code.")
		ds, err := d.Callbacks.Log(ctx, u.ID, 10)
		if err != nil || len(ds) == 0 {
			t.Fatalf("no events: %v", err)
		}
		id := strconv.FormatInt(ds[0].ID, 10)
		out = d.mustRun(t, "callbacks", "log", "-name", u.Username)
		if !strings.HasPrefix(out, "id ") || !strings.Contains(out, "\n"+id+" ") || !strings.Contains(out, ds[0].Event) {
			t.Errorf("log:\n%s", out)
		}
		if out := d.mustRun(t, "callbacks", "log", "-name", u.Username, "-limit", "0"); strings.Count(out, "\n") != 1 {
			t.Errorf("log -limit 0:\n%s", out)
		}
		if out := d.mustRun(t, "callbacks", "redeliver", "-id", id); out != "event "+id+" will be delivered again by the running server\n" {
			t.Errorf("redeliver: %q", out)
		}
		if code, _, errOut := d.run(t, "callbacks", "redeliver", "-id", "99999"); code != 1 || !strings.Contains(errOut, "event 99999") {
			t.Errorf("redeliver of a missing event: exit %d, %q", code, errOut)
		}
		if code, _, errOut := d.run(t, "callbacks", "redeliver"); code != 2 || !strings.Contains(errOut, "-id is required") {
			t.Errorf("redeliver without -id: exit %d, %q", code, errOut)
		}

		if out := d.mustRun(t, "callbacks", "set", "-name", u.Username, "-url", ""); out != "callbacks of "+u.Username+" are off\n" {
			t.Errorf("off: %q", out)
		}
		for _, verb := range []string{"set", "log"} {
			if code, _, errOut := d.run(t, "callbacks", verb); code != 2 || errOut != "mdnhub: mdnhub callbacks "+verb+": -name is required\n" {
				t.Errorf("%s without -name: exit %d, %q", verb, code, errOut)
			}
		}
	})
}

// TestCallbacksList: every account's deliveries, failed ones first.
func TestCallbacksList(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		svc := d.Service(t, "Google", 100, 0)
		d.Numbers(t, "12125550100", "12125550101")
		var users []string
		for _, mdn := range []string{"12125550100", "12125550101"} {
			u, _ := d.User(t, 1000)
			users = append(users, u.Username)
			d.WithCallback(t, u.ID)
			if _, err := d.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: mdn}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: mdn, From: "22000", Text: "code 123456"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.DB.W.ExecContext(ctx, `UPDATE callback_events SET status = 'failed' WHERE id = (SELECT MIN(id) FROM callback_events)`); err != nil {
			t.Fatal(err)
		}
		out := d.mustRun(t, "callbacks", "list")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || !strings.Contains(lines[1], "failed") || !strings.Contains(lines[2], "pending") {
			t.Errorf("list:\n%s", out)
		}
		if out := d.mustRun(t, "callbacks", "list", "-limit", "1"); strings.Count(out, "\n") != 2 {
			t.Errorf("list -limit 1:\n%s", out)
		}
	})
}
