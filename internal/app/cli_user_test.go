package app_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// cli runs one command on the Env's SQLite file, with an empty environment.
func cli(t *testing.T, e *apptest.Env, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &app.CLI{Stdout: &out, Stderr: &errOut,
		Env:     func(string) (string, bool) { return "", false },
		Environ: func() []string { return nil }}
	code := c.Run(context.Background(), append(args, "-db", e.Config.DB.Path))
	return code, out.String(), errOut.String()
}

func TestUserSetRequestStatusFormat(t *testing.T) {
	e := apptest.New(t, "sqlite", nil)
	u, _ := e.User(t, 0)
	for _, w := range []struct{ format, says, stored string }{
		{"object", "one object", "object"},
		{"ARRAY", "an array", "array"},
		{"default", "the operator's default", ""},
	} {
		code, out, errOut := cli(t, e, "user", "set", "-name", u.Username, "-request-status-format", w.format)
		if code != 0 || !strings.Contains(out, "request_status answers "+u.Username+" with "+w.says) {
			t.Fatalf("set %s: exit %d, %q %q", w.format, code, out, errOut)
		}
		got, err := e.Accounts.Get(context.Background(), u.ID)
		if err != nil || got.RequestStatusFormat != w.stored {
			t.Fatalf("set %s: stored %q (%v)", w.format, got.RequestStatusFormat, err)
		}
	}
	if code, out, _ := cli(t, e, "user", "show", "-name", u.Username); code != 0 || !strings.Contains(out, "request_status: the operator's default") {
		t.Fatalf("show: exit %d %q", code, out)
	}
	if code, _, errOut := cli(t, e, "user", "set", "-name", u.Username, "-request-status-format", "xml"); code != 1 ||
		!strings.Contains(errOut, "request_status_format must be array, object or default") {
		t.Fatalf("xml: exit %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, e, "user", "set", "-name", u.Username); code != 2 || !strings.Contains(errOut, "give a setting") {
		t.Fatalf("nothing to set: exit %d %q", code, errOut)
	}
}

// sim send names what the message reached: a request or a rental, whose.
func TestSimSendSaysWhere(t *testing.T) {
	e := apptest.New(t, "sqlite", nil)
	e.Clock.Set(time.Now()) // the CLI runs on the real clock
	ctx := context.Background()
	svc := e.Service(t, "Google", 100, 0)
	e.Numbers(t, "12125550000", "12125550001")
	u, _ := e.User(t, 10000)
	rs, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550000"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30, MDN: "12125550001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ to, says string }{
		{"12125550000", "delivered to request " + strconv.FormatInt(rs[0].ID, 10)},
		{"12125550001", "delivered to rental " + strconv.FormatInt(r.ID, 10)},
		{"13105550000", "stored as unowned"},
	} {
		code, out, errOut := cli(t, e, "sim", "send", "-to", w.to, "-from", "22000", "-text", "G-123456 is your Google verification code.")
		if code != 0 || !strings.Contains(out, w.says) {
			t.Fatalf("sim send to %s: exit %d, %q %q; want %q", w.to, code, out, errOut, w.says)
		}
	}
}
