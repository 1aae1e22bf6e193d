package account_test

import (
	"errors"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// AuthenticateKey finds the account by its key alone and answers as
// Authenticate does, in this process at once.
func TestAuthenticateKey(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := account.NewService(d, clock.NewFake(time.Unix(1000, 0)), time.Minute, 100)
		alice, err := s.Create(ctx, "Alice", "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		bob, err := s.Create(ctx, "bob", "bob@example.com")
		if err != nil {
			t.Fatal(err)
		}
		ka, err := s.GenerateKey(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := s.GenerateKey(ctx, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second one from the cache
			p, err := s.AuthenticateKey(ctx, ka)
			if err != nil || p.UserID != alice.ID || p.Username != "Alice" {
				t.Fatalf("alice's key: %+v %v", p, err)
			}
			if p, err := s.AuthenticateKey(ctx, kb); err != nil || p.UserID != bob.ID {
				t.Fatalf("bob's key: %+v %v", p, err)
			}
		}
		// A key is not a login: Authenticate's cache and this one never mix.
		if _, err := s.Authenticate(ctx, "bob", ka); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("alice's key for bob: %v", err)
		}
		for _, k := range []string{"", "x", ka + "x", ka[:len(ka)-1], string(make([]byte, 300))} {
			if _, err := s.AuthenticateKey(ctx, k); !errors.Is(err, account.ErrUnauthorized) {
				t.Fatalf("key %q: %v", k, err)
			}
		}

		// A new key: the old one stops at once.
		ka2, err := s.GenerateKey(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateKey(ctx, ka); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("rotated key: %v", err)
		}
		if p, err := s.AuthenticateKey(ctx, ka2); err != nil || p.UserID != alice.ID {
			t.Fatalf("new key: %+v %v", p, err)
		}
		if err := s.SetSuspended(ctx, alice.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateKey(ctx, ka2); !errors.Is(err, account.ErrSuspended) {
			t.Fatalf("suspended: %v", err)
		}
		if err := s.SetSuspended(ctx, alice.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateKey(ctx, ka2); err != nil {
			t.Fatalf("suspension lifted: %v", err)
		}
		if err := s.RevokeKey(ctx, alice.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateKey(ctx, ka2); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("revoked key: %v", err)
		}
		if _, err := s.AuthenticateKey(ctx, kb); err != nil {
			t.Fatalf("bob's key after alice's changes: %v", err)
		}
	})
}

// A key rotated, suspended or revoked by another process (an operator's
// command, another node) stops at once in a server that has it cached.
func TestAuthenticateKeyChangesReachOtherProcess(t *testing.T) {
	withAlice(t, func(t *testing.T, p *twoProcesses, u account.User, key1 string) {
		auth := func(key string) (account.Principal, error) { return p.server.AuthenticateKey(ctx, key) }
		refused := func(key string, want error) func() bool { return answers(auth, key, want) }
		for range 2 {
			if _, err := p.server.AuthenticateKey(ctx, key1); err != nil {
				t.Fatal(err)
			}
		}
		key2, err := p.op.GenerateKey(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.wait(t, "old key refused after a new key", refused(key1, account.ErrUnauthorized))
		p.wait(t, "new key", refused(key2, nil))
		if _, err := p.opDB.W.ExecContext(ctx, `UPDATE users SET suspended = TRUE WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "suspension by hand in SQL", refused(key2, account.ErrSuspended))
		if err := p.op.SetSuspended(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "suspension lifted", refused(key2, nil))
		if err := p.op.RevokeKey(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		p.wait(t, "revoked key", refused(key2, account.ErrUnauthorized))
	})
}
