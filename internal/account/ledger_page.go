package account

import (
	"context"
	"slices"

	"mdnhub/internal/db"
)

// LedgerPage asks for one page of a user's ledger, keyed by entry id:
// Before gives the entries older than that id, After the ones newer (the
// way back), neither the newest.
type LedgerPage struct {
	UserID        int64
	Before, After int64
	Limit         int // default 50, at most 500
}

// Ledger is one page of ledger entries, newest first, with the ids that
// name the neighbouring pages.
type Ledger struct {
	Entries            []Entry
	Newer, Older       int64
	HasNewer, HasOlder bool
}

// LedgerEntries returns one page of the user's ledger, newest first, read
// from the index on (user_id, id) at the cursor, so a deep page costs what
// the first one does.
func (s *Service) LedgerEntries(ctx context.Context, p LedgerPage) (Ledger, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	q := `SELECT id, user_id, amount_cents, balance_cents, kind, reason, COALESCE(ref_id, 0), created_at FROM ledger WHERE user_id = $1`
	args := []any{p.UserID}
	backwards := p.After != 0
	switch {
	case backwards:
		q += ` AND id > $2 ORDER BY id LIMIT $3`
		args = append(args, p.After, limit+1)
	case p.Before != 0:
		q += ` AND id < $2 ORDER BY id DESC LIMIT $3`
		args = append(args, p.Before, limit+1)
	default:
		q += ` ORDER BY id DESC LIMIT $2`
		args = append(args, limit+1)
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return Ledger{}, err
	}
	es, err := db.Collect(rows, func(r db.Row) (e Entry, err error) {
		return e, r.Scan(&e.ID, &e.UserID, &e.AmountCents, &e.BalanceCents, &e.Kind, &e.Reason, &e.RefID, &e.CreatedAt)
	})
	if err != nil {
		return Ledger{}, err
	}
	var l Ledger
	more := len(es) > limit
	if more {
		es = es[:limit]
	}
	if backwards {
		slices.Reverse(es)
		l.HasNewer, l.HasOlder = more, true
	} else {
		l.HasNewer, l.HasOlder = p.Before != 0, more
	}
	if l.Entries = es; len(es) == 0 {
		l.HasNewer, l.HasOlder = false, false
		return l, nil
	}
	l.Newer, l.Older = es[0].ID, es[len(es)-1].ID
	return l, nil
}
