package account_test

import (
	"fmt"
	"testing"

	"mdnhub/internal/account"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/db"
)

// The ledger pages by entry id, newest first, both ways, and only the
// user's own entries.
func TestLedgerEntriesPages(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		u, _ := e.User(t, 0)
		v, _ := e.User(t, 500)
		for i := 1; i <= 5; i++ {
			if _, err := e.Accounts.Credit(ctx, u.ID, int64(i*100), fmt.Sprintf("credit %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		p1, err := e.Accounts.LedgerEntries(ctx, account.LedgerPage{UserID: u.ID, Keyset: db.Keyset{Limit: 2}})
		if err != nil || len(p1.Rows) != 2 || p1.Rows[0].Reason != "credit 5" || p1.Rows[0].BalanceCents != 1500 || p1.HasNewer || !p1.HasOlder {
			t.Fatalf("first page %+v %v", p1, err)
		}
		p2, _ := e.Accounts.LedgerEntries(ctx, account.LedgerPage{UserID: u.ID, Keyset: db.Keyset{Limit: 2, Before: p1.Older}})
		p3, _ := e.Accounts.LedgerEntries(ctx, account.LedgerPage{UserID: u.ID, Keyset: db.Keyset{Limit: 2, Before: p2.Older}})
		if len(p2.Rows) != 2 || p2.Rows[0].Reason != "credit 3" || !p2.HasNewer || !p2.HasOlder ||
			len(p3.Rows) != 1 || p3.Rows[0].Reason != "credit 1" || p3.HasOlder {
			t.Fatalf("pages %+v %+v", p2, p3)
		}
		back, _ := e.Accounts.LedgerEntries(ctx, account.LedgerPage{UserID: u.ID, Keyset: db.Keyset{Limit: 2, After: p2.Newer}})
		if len(back.Rows) != 2 || back.Rows[0].Reason != "credit 5" || back.HasNewer {
			t.Fatalf("back %+v", back)
		}
		for _, p := range []account.Ledger{p1, p2, p3} {
			for _, x := range p.Rows {
				if x.UserID != u.ID {
					t.Fatalf("entry of user %d", x.UserID)
				}
			}
		}
		_ = v
	})
}
