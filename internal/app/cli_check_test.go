package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/request"
)

func TestCheckCommand(t *testing.T) {
	ctx := context.Background()
	e := apptest.New(t, "sqlite", nil)
	e.Clock.Set(time.Now()) // the CLI runs on the real clock
	svc := e.Service(t, "Google", 100, 0)
	e.Numbers(t, "12125550000")
	u, _ := e.User(t, 1000)
	if _, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, e, "check")
	if code != 0 || !strings.Contains(out, "every invariant holds") || !strings.Contains(out, "holders") {
		t.Fatalf("healthy: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := e.DB.W.ExecContext(ctx, `UPDATE users SET balance_cents = balance_cents + 5`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cli(t, e, "check")
	if code != 1 || !strings.Contains(out, "1 violations") || !strings.Contains(errOut, "ledger: user") {
		t.Fatalf("corrupt: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := cli(t, e, "check", "extra"); code != 2 {
		t.Fatalf("stray argument: exit %d", code)
	}
}
