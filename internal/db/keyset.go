package db

import (
	"context"
	"slices"
)

// Keyset names one page of a list ordered newest first by an increasing id:
// Before gives the rows older than that id, After the ones newer (the way
// back), neither the newest page.
type Keyset struct {
	Before, After int64
	Limit         int // default 50, at most 500
}

// Page is one page of rows, newest first, with the ids that name the
// neighbouring pages (Before: Older, After: Newer).
type Page[T any] struct {
	Rows               []T
	Newer, Older       int64
	HasNewer, HasOlder bool
}

// KeysetPage reads one page of the rows of where (a condition whose
// placeholders are in a), ordered by idCol newest first. It reads the index
// from the cursor on, so a deep page costs what the first one does; one row
// more than the page tells whether there is another.
func KeysetPage[T any](ctx context.Context, q Querier, selectFrom, where string, a *Args, idCol string, k Keyset,
	scan func(Row) (T, error), id func(T) int64) (Page[T], error) {
	limit := k.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	query := selectFrom + ` WHERE ` + where
	backwards := k.After != 0
	switch {
	case backwards:
		query += ` AND ` + idCol + ` > ` + a.Add(k.After) + ` ORDER BY ` + idCol
	case k.Before != 0:
		query += ` AND ` + idCol + ` < ` + a.Add(k.Before) + ` ORDER BY ` + idCol + ` DESC`
	default:
		query += ` ORDER BY ` + idCol + ` DESC`
	}
	rows, err := q.QueryContext(ctx, query+` LIMIT `+a.Add(limit+1), a.List()...)
	if err != nil {
		return Page[T]{}, err
	}
	got, err := Collect(rows, scan)
	if err != nil {
		return Page[T]{}, err
	}
	var p Page[T]
	more := len(got) > limit
	if more {
		got = got[:limit]
	}
	if backwards {
		slices.Reverse(got)
		p.HasNewer, p.HasOlder = more, true
	} else {
		p.HasNewer, p.HasOlder = k.Before != 0, more
	}
	if p.Rows = got; len(got) == 0 {
		p.HasNewer, p.HasOlder = false, false
		return p, nil
	}
	p.Newer, p.Older = id(got[0]), id(got[len(got)-1])
	return p, nil
}
