package ratelimit_test

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/ratelimit"
)

// What Authenticate counts and refuses: failed authentications per address,
// nothing looked up once the address is blocked, other errors never
// counted, successful calls per account. All of it runs within the first
// second of the limiter, one window of both budgets.
func TestAuthenticate(t *testing.T) {
	l := ratelimit.New(3, 2)
	r1 := httptest.NewRequest("GET", "/", nil)
	r1.RemoteAddr = "192.0.2.1:1000"
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.RemoteAddr = "192.0.2.2:1000"

	calls := 0
	fail := func(err error) func() (account.Principal, error) {
		return func() (account.Principal, error) { calls++; return account.Principal{}, err }
	}
	user := func(id int64) func() (account.Principal, error) {
		return func() (account.Principal, error) { calls++; return account.Principal{UserID: id}, nil }
	}

	// Suspended accounts and other errors are not failed guesses.
	for range 5 {
		if _, err := l.Authenticate(r1, fail(account.ErrSuspended)); !errors.Is(err, account.ErrSuspended) {
			t.Fatalf("suspended: %v", err)
		}
	}
	for range 2 {
		if _, err := l.Authenticate(r1, fail(account.ErrUnauthorized)); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("wrong key: %v", err)
		}
	}
	calls = 0
	_, err := l.Authenticate(r1, user(1))
	var limited *ratelimit.Limited
	if !errors.As(err, &limited) || !limited.Blocked || limited.RetryAfter != ratelimit.FailureWindow || calls != 0 {
		t.Fatalf("blocked address: %v (%+v), %d lookups", err, limited, calls)
	}
	// Another address is not blocked; its account's calls are counted
	// whatever address they come from.
	for i := range 3 {
		if p, err := l.Authenticate(r2, user(7)); err != nil || p.UserID != 7 {
			t.Fatalf("call %d: %+v %v", i, p, err)
		}
	}
	_, err = l.Authenticate(r2, user(7))
	if !errors.As(err, &limited) || limited.Blocked || limited.RetryAfter != time.Second {
		t.Fatalf("fourth call in a second: %v", err)
	}
	if _, err := l.Authenticate(r2, user(8)); err != nil {
		t.Fatalf("another account: %v", err)
	}
}

// A Limiter with both budgets off, or none at all, only authenticates.
func TestOff(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	for _, l := range []*ratelimit.Limiter{ratelimit.New(0, 0), nil} {
		for range 100 {
			if _, err := l.Authenticate(r, func() (account.Principal, error) { return account.Principal{}, account.ErrUnauthorized }); !errors.Is(err, account.ErrUnauthorized) {
				t.Fatal(err)
			}
			if _, err := l.Authenticate(r, func() (account.Principal, error) { return account.Principal{UserID: 1}, nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
}
