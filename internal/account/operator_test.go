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

// The operator's user list: search by name or address (LIKE's own
// characters taken literally), paged by id; the total of balances; the
// ledger paged; an API key revoked at once.
func TestOperatorQueries(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := account.NewService(d, clock.NewFake(time.Unix(1000, 0)), time.Minute, 100)
		alice, _ := s.Create(ctx, "alice", "alice@example.com")
		bob, _ := s.Create(ctx, "bob", "bob@Shop.example")
		alex, _ := s.Create(ctx, "al_ex", "alex@x.example")
		names := func(query string, after int64, limit int) []string {
			t.Helper()
			us, err := s.Search(ctx, query, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, u := range us {
				out = append(out, u.Username)
			}
			return out
		}
		for _, c := range []struct {
			query string
			after int64
			limit int
			want  []string
		}{
			{"", 0, 10, []string{"alice", "bob", "al_ex"}},
			{"AL", 0, 10, []string{"alice", "al_ex"}},
			{"l_", 0, 10, []string{"al_ex"}}, // not "alice"
			{"%", 0, 10, nil},
			{"shop", 0, 10, []string{"bob"}},
			{"", alice.ID, 1, []string{"bob"}},
			{"", bob.ID, 10, []string{"al_ex"}},
			{"", alex.ID, 10, nil},
		} {
			if got := names(c.query, c.after, c.limit); !equal(got, c.want) {
				t.Errorf("Search(%q, %d, %d) = %v, want %v", c.query, c.after, c.limit, got, c.want)
			}
		}

		if ns, err := s.Names(ctx, []int64{bob.ID, alex.ID, 999, bob.ID}); err != nil || len(ns) != 2 || ns[bob.ID] != "bob" || ns[alex.ID] != "al_ex" {
			t.Fatalf("names %v, %v", ns, err)
		}
		if ns, err := s.Names(ctx, nil); err != nil || len(ns) != 0 {
			t.Fatalf("no names %v, %v", ns, err)
		}

		for _, amount := range []int64{500, 250, 125} {
			if _, err := s.Credit(ctx, alice.ID, amount, "wire"); err != nil {
				t.Fatal(err)
			}
		}
		s.Credit(ctx, bob.ID, 100, "wire")
		if sum, err := s.TotalBalance(ctx); err != nil || sum != 975 {
			t.Fatalf("total balance %d, %v", sum, err)
		}
		page, err := s.LedgerEntries(ctx, account.LedgerPage{UserID: alice.ID, Keyset: db.Keyset{Limit: 2}})
		if err != nil || len(page.Rows) != 2 || page.Rows[0].AmountCents != 125 || page.Rows[1].AmountCents != 250 || !page.HasOlder {
			t.Fatalf("first page %+v, %v", page, err)
		}
		page, err = s.LedgerEntries(ctx, account.LedgerPage{UserID: alice.ID, Keyset: db.Keyset{Before: page.Older, Limit: 2}})
		if err != nil || len(page.Rows) != 1 || page.Rows[0].AmountCents != 500 || page.HasOlder {
			t.Fatalf("second page %+v, %v", page, err)
		}

		key, err := s.GenerateKey(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "alice", key); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeKey(ctx, alice.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "alice", key); !errors.Is(err, account.ErrUnauthorized) {
			t.Fatalf("a revoked key: %v", err)
		}
		if u, _ := s.Get(ctx, alice.ID); u.HasAPIKey {
			t.Fatal("the user still has a key")
		}
		if err := s.RevokeKey(ctx, 999); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
