package cli

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mdnhub/internal/account"
	"mdnhub/internal/app/apptest"
)

// after returns the word that follows prefix in s.
func after(t *testing.T, s, prefix string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, prefix)
	if !ok {
		t.Fatalf("%q not in %q", prefix, s)
	}
	if j := strings.IndexAny(rest, " \n"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func TestUserCreateAndKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		out := d.mustRun(t, "user", "create", "-name", "alice", "-email", "alice@example.com")
		if !strings.HasPrefix(out, "created user alice (id ") {
			t.Fatalf("create: %q", out)
		}
		first := after(t, out, "api_key: ")
		if _, err := d.Accounts.Authenticate(ctx, "alice", first); err != nil {
			t.Fatalf("the printed key does not work: %v", err)
		}
		if code, _, errOut := d.run(t, "user", "create", "-name", "alice"); code != 1 || errOut == "" {
			t.Errorf("second alice: exit %d, %q", code, errOut)
		}
		if code, _, errOut := d.run(t, "user", "create", "-email", "x@example.com"); code != 2 || errOut != "mdnhub: mdnhub user create: -name is required\n" {
			t.Errorf("no name: exit %d, %q", code, errOut)
		}

		out = d.mustRun(t, "user", "key", "-name", "alice@example.com")
		second := after(t, out, "new api_key for alice: ")
		if !strings.Contains(out, "(the previous key no longer works)") {
			t.Errorf("key: %q", out)
		}
		if _, err := d.Accounts.Authenticate(ctx, "alice", first); err == nil {
			t.Error("the old key still works")
		}
		if _, err := d.Accounts.Authenticate(ctx, "alice", second); err != nil {
			t.Errorf("the new key does not work: %v", err)
		}
		if code, _, errOut := d.run(t, "user", "key", "-name", "nobody"); code != 1 || !strings.Contains(errOut, `user "nobody"`) {
			t.Errorf("unknown user: exit %d, %q", code, errOut)
		}
	})
}

func TestUserCreditAndShow(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		u, _ := d.User(t, 0)
		out := d.mustRun(t, "user", "credit", "-name", u.Username, "-amount", "25.00", "-reason", "wire 2026-11-26")
		if out != "balance of "+u.Username+" is now $25.00\n" {
			t.Errorf("credit: %q", out)
		}
		d.mustRun(t, "user", "credit", "-name", u.Username, "-amount", "-5", "-reason", "chargeback")
		if b := d.Balance(t, u.ID); b != 2000 {
			t.Errorf("balance %d cents, want 2000", b)
		}
		code, _, errOut := d.run(t, "user", "credit", "-name", u.Username, "-amount", "-20.01", "-reason", "too much")
		if code != 1 || errOut != "mdnhub: the balance is $20.00; it cannot go below zero\n" {
			t.Errorf("below zero: exit %d, %q", code, errOut)
		}
		if code, _, errOut := d.run(t, "user", "credit", "-name", u.Username, "-amount", "ten"); code != 2 || !strings.HasPrefix(errOut, "mdnhub: mdnhub user credit: -amount: ") {
			t.Errorf("bad amount: exit %d, %q", code, errOut)
		}
		d.CheckLedger(t)

		out = d.mustRun(t, "user", "show", "-name", u.Username)
		for _, want := range []string{"user:     " + u.Username, "balance:  $20.00", "api key:  true", "suspended: false",
			"latest ledger entries:", "wire 2026-11-26", "chargeback", "-5.00"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
	})
}

func TestUserRole(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		u, _ := d.User(t, 0)
		if out := d.mustRun(t, "user", "role", "-name", u.Username, "-role", "admin"); out != u.Username+" is now admin\n" {
			t.Errorf("role: %q", out)
		}
		if got, _ := d.Accounts.Get(context.Background(), u.ID); got.Role != "admin" {
			t.Errorf("role stored %q", got.Role)
		}
		if code, _, errOut := d.run(t, "user", "role", "-name", u.Username, "-role", "boss"); code != 1 || !strings.Contains(errOut, "role must be user or admin") {
			t.Errorf("boss: exit %d, %q", code, errOut)
		}
	})
}

func TestUserSetRequestStatusFormat(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		u, _ := d.User(t, 0)
		for _, w := range []struct{ format, says, stored string }{
			{"object", "one object", "object"},
			{"ARRAY", "an array", "array"},
			{"default", "the operator's default", ""},
		} {
			out := d.mustRun(t, "user", "set", "-name", u.Username, "-request-status-format", w.format)
			if !strings.Contains(out, "request_status answers "+u.Username+" with "+w.says) {
				t.Fatalf("set %s: %q", w.format, out)
			}
			got, err := d.Accounts.Get(context.Background(), u.ID)
			if err != nil || got.RequestStatusFormat != w.stored {
				t.Fatalf("set %s: stored %q (%v)", w.format, got.RequestStatusFormat, err)
			}
		}
		if out := d.mustRun(t, "user", "show", "-name", u.Username); !strings.Contains(out, "request_status: the operator's default") {
			t.Fatalf("show: %q", out)
		}
		if code, _, errOut := d.run(t, "user", "set", "-name", u.Username, "-request-status-format", "xml"); code != 1 ||
			!strings.Contains(errOut, "request_status_format must be array, object or default") {
			t.Fatalf("xml: exit %d %q", code, errOut)
		}
		if code, _, errOut := d.run(t, "user", "set", "-name", u.Username); code != 2 || !strings.Contains(errOut, "give a setting") {
			t.Fatalf("nothing to set: exit %d %q", code, errOut)
		}
	})
}

// TestUserSuspend: a suspension by the command takes effect at once in a
// server on the same database (its key cache included), and so does lifting
// it.
func TestUserSuspend(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		u, key := d.User(t, 100)
		srv := d.Server(t)
		balance := func() string {
			_, body := apptest.Call(t, srv, url.Values{"cmd": {"balance"}, "user": {u.Username}, "api_key": {key}})
			return body
		}
		if b := balance(); !strings.Contains(b, `"ok"`) {
			t.Fatalf("before: %s", b)
		}
		if out := d.mustRun(t, "user", "suspend", "-name", u.Username); out != u.Username+" is suspended: every API call answers Account suspended\n" {
			t.Errorf("suspend: %q", out)
		}
		if got, _ := d.Accounts.Get(context.Background(), u.ID); !got.Suspended {
			t.Error("not stored as suspended")
		}
		if b := balance(); !strings.Contains(b, "Account suspended") {
			t.Errorf("suspended: %s", b)
		}
		if _, err := d.Accounts.Authenticate(context.Background(), u.Username, key); !errors.Is(err, account.ErrSuspended) {
			t.Errorf("Authenticate: %v", err)
		}
		if out := d.mustRun(t, "user", "show", "-name", u.Username); !strings.Contains(out, "suspended: true") {
			t.Errorf("show: %s", out)
		}
		if out := d.mustRun(t, "user", "unsuspend", "-name", u.Username); out != u.Username+" is no longer suspended\n" {
			t.Errorf("unsuspend: %q", out)
		}
		if b := balance(); !strings.Contains(b, `"ok"`) {
			t.Errorf("after: %s", b)
		}
		for _, verb := range []string{"suspend", "unsuspend"} {
			if code, _, errOut := d.run(t, "user", verb); code != 2 || errOut != "mdnhub: mdnhub user "+verb+": -name is required\n" {
				t.Errorf("%s without -name: exit %d, %q", verb, code, errOut)
			}
			if code, _, errOut := d.run(t, "user", verb, "-name", "nobody"); code != 1 || !strings.Contains(errOut, `user "nobody"`) {
				t.Errorf("%s nobody: exit %d, %q", verb, code, errOut)
			}
		}
	})
}

// TestUserKeyRevoke: the key stops working at once; the user has none.
func TestUserKeyRevoke(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		u, key := d.User(t, 0)
		out := d.mustRun(t, "user", "key-revoke", "-name", u.Username)
		if !strings.HasPrefix(out, "the API key of "+u.Username+" is revoked: calls with it answer Invalid user name or API key\n") {
			t.Errorf("key-revoke: %q", out)
		}
		if _, err := d.Accounts.Authenticate(ctx, u.Username, key); !errors.Is(err, account.ErrUnauthorized) {
			t.Errorf("the revoked key: %v", err)
		}
		if got, _ := d.Accounts.Get(ctx, u.ID); got.HasAPIKey {
			t.Error("the user still has a key")
		}
		if code, _, errOut := d.run(t, "user", "key-revoke"); code != 2 || errOut != "mdnhub: mdnhub user key-revoke: -name is required\n" {
			t.Errorf("no name: exit %d, %q", code, errOut)
		}
	})
}

// TestUserList: every user, or those matching -q, paged with -after.
func TestUserList(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		a, _ := d.User(t, 1234)
		b, _ := d.User(t, 0)
		out := d.mustRun(t, "user", "list")
		if !strings.HasPrefix(out, "id") || !strings.Contains(out, a.Username) || !strings.Contains(out, b.Username) || !strings.Contains(out, "12.34") {
			t.Errorf("list: %q", out)
		}
		out = d.mustRun(t, "user", "list", "-q", strings.ToUpper(b.Email))
		if strings.Contains(out, a.Username+" ") || !strings.Contains(out, b.Username) {
			t.Errorf("list -q: %q", out)
		}
		out = d.mustRun(t, "user", "list", "-after", strconv.FormatInt(a.ID, 10), "-limit", "1")
		if strings.Contains(out, a.Username+" ") || !strings.Contains(out, b.Username) {
			t.Errorf("list -after: %q", out)
		}
	})
}
