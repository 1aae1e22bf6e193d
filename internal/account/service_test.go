package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

var ctx = context.Background()

func TestAuthenticate(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := account.NewService(d, clock.NewFake(time.Unix(1000, 0)), time.Minute, 100)
		u, err := s.Create(ctx, "Alice", "Alice@Example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "alice", "anything"); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("user without a key: %v", err)
		}
		key, err := s.GenerateKey(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{"alice", "ALICE", "Alice", "alice@example.com", "ALICE@EXAMPLE.COM"} {
			p, err := s.Authenticate(ctx, login, key)
			if err != nil || p.UserID != u.ID || p.Username != "Alice" {
				t.Fatalf("%s: %+v %v", login, p, err)
			}
		}
		for _, c := range []struct{ login, key string }{
			{"alice", key + "x"}, {"alice", ""}, {"", key}, {"bob", key}, {"alice", "0123456789"},
		} {
			if _, err := s.Authenticate(ctx, c.login, c.key); !errors.Is(err, account.ErrUnauthorized) {
				t.Errorf("%q/%q: %v", c.login, c.key, err)
			}
		}
		// A new key works at once and the old one (cached a moment ago) stops.
		key2, err := s.GenerateKey(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "alice", key); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("old key still works: %v", err)
		}
		if _, err := s.Authenticate(ctx, "alice", key2); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCreateValidates(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := account.NewService(d, clock.Real{}, 0, 0)
		if _, err := s.Create(ctx, "bob", "bob@example.com"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, email string }{
			{"b", "b@example.com"}, {"bad name", "x@example.com"}, {"carol", "not-an-email"},
		} {
			if _, err := s.Create(ctx, c.name, c.email); !errors.Is(err, account.ErrInvalid) {
				t.Errorf("%q %q: %v", c.name, c.email, err)
			}
		}
		if _, err := s.Create(ctx, "BOB", "other@example.com"); !errors.Is(err, db.ErrConflict) {
			t.Errorf("duplicate name: %v", err)
		}
		if _, err := s.Create(ctx, "dave", "BOB@example.com"); !errors.Is(err, db.ErrConflict) {
			t.Errorf("duplicate e-mail: %v", err)
		}
	})
}

func TestCreditAndLedger(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := account.NewService(d, clock.Real{}, 0, 0)
		u, _ := s.Create(ctx, "erin", "erin@example.com")
		if _, err := s.Credit(ctx, u.ID, 1000, ""); !errors.Is(err, account.ErrInvalid) {
			t.Fatalf("credit without reason: %v", err)
		}
		if b, err := s.Credit(ctx, u.ID, 1000, "wire transfer"); err != nil || b != 1000 {
			t.Fatalf("credit: %d %v", b, err)
		}
		if b, err := s.Credit(ctx, u.ID, -250, "correction"); err != nil || b != 750 {
			t.Fatalf("debit: %d %v", b, err)
		}
		var funds *account.InsufficientFundsError
		if _, err := s.Credit(ctx, u.ID, -751, "too much"); !errors.As(err, &funds) || funds.BalanceCents != 750 {
			t.Fatalf("overdraft: %v", err)
		}
		es, err := s.Entries(ctx, u.ID, 10)
		if err != nil || len(es) != 2 || es[0].Reason != "correction" || es[0].BalanceCents != 750 {
			t.Fatalf("entries %+v %v", es, err)
		}
		if err := account.CheckLedger(ctx, d.R); err != nil {
			t.Fatal(err)
		}
	})
}
