package request

import (
	"context"
	"slices"

	"mdnhub/internal/db"
)

// Refunded reports whether the request's charge was given back: it ended
// Rejected or Timed Out without any message (see close).
func (r Request) Refunded() bool {
	return !r.Open() && r.Messages == 0 && r.PriceCents > 0 && (r.Status == StatusRejected || r.Status == StatusTimedOut)
}

// Open returns the user's open requests (holding a number or bidding),
// newest first.
func (s *Service) Open(ctx context.Context, userID int64) ([]Request, error) {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT `+requestColumns+requestFrom+` WHERE r.user_id = $1 AND r.closed_at IS NULL ORDER BY r.id DESC`, userID)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanRequest)
}

// HistoryPage asks for one page of a user's requests, keyed by id: Before
// gives the requests older than that id, After the ones newer (the way
// back), neither the newest.
type HistoryPage struct {
	UserID        int64
	Before, After int64
	Limit         int // default 50, at most 500
}

// History is one page of requests, newest first, with the ids that name
// the neighbouring pages.
type History struct {
	Requests           []Request
	Newer, Older       int64
	HasNewer, HasOlder bool
}

// History returns one page of the user's requests, newest first. It reads
// the index on (user_id, id) from the cursor on, so a deep page costs what
// the first one does.
func (s *Service) History(ctx context.Context, p HistoryPage) (History, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	q, args := `SELECT `+requestColumns+requestFrom+` WHERE r.user_id = $1`, []any{p.UserID}
	backwards := p.After != 0
	switch {
	case backwards:
		q += ` AND r.id > $2 ORDER BY r.id LIMIT $3`
		args = append(args, p.After, limit+1)
	case p.Before != 0:
		q += ` AND r.id < $2 ORDER BY r.id DESC LIMIT $3`
		args = append(args, p.Before, limit+1)
	default:
		q += ` ORDER BY r.id DESC LIMIT $2`
		args = append(args, limit+1)
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return History{}, err
	}
	rs, err := db.Collect(rows, scanRequest)
	if err != nil {
		return History{}, err
	}
	var h History
	more := len(rs) > limit
	if more {
		rs = rs[:limit]
	}
	if backwards {
		slices.Reverse(rs)
		h.HasNewer, h.HasOlder = more, true
	} else {
		h.HasNewer, h.HasOlder = p.Before != 0, more
	}
	if h.Requests = rs; len(rs) == 0 {
		h.HasNewer, h.HasOlder = false, false
		return h, nil
	}
	h.Newer, h.Older = rs[0].ID, rs[len(rs)-1].ID
	return h, nil
}
