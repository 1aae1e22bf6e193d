package account

import (
	"context"

	"mdnhub/internal/db"
)

// LedgerPage asks for one page of a user's ledger, keyed by entry id.
type LedgerPage struct {
	UserID int64
	db.Keyset
}

// Ledger is one page of ledger entries, newest first.
type Ledger = db.Page[Entry]

// LedgerEntries returns one page of the user's ledger, newest first, from
// the index on (user_id, id) at the cursor.
func (s *Service) LedgerEntries(ctx context.Context, p LedgerPage) (Ledger, error) {
	a := s.db.NewArgs()
	return db.KeysetPage(ctx, s.db.R,
		`SELECT id, user_id, amount_cents, balance_cents, kind, reason, COALESCE(ref_id, 0), created_at FROM ledger`,
		`user_id = `+a.Add(p.UserID), a, "id", p.Keyset,
		func(r db.Row) (e Entry, err error) {
			return e, r.Scan(&e.ID, &e.UserID, &e.AmountCents, &e.BalanceCents, &e.Kind, &e.Reason, &e.RefID, &e.CreatedAt)
		}, func(e Entry) int64 { return e.ID })
}
