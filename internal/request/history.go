package request

import (
	"context"

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

// HistoryPage asks for one page of a user's requests, keyed by id.
type HistoryPage struct {
	UserID int64
	db.Keyset
}

// History is one page of requests, newest first.
type History = db.Page[Request]

// History returns one page of the user's requests, newest first, from the
// index on (user_id, id) at the cursor.
func (s *Service) History(ctx context.Context, p HistoryPage) (History, error) {
	a := s.db.NewArgs()
	return db.KeysetPage(ctx, s.db.R, `SELECT `+requestColumns+requestFrom, `r.user_id = `+a.Add(p.UserID), a, "r.id", p.Keyset,
		scanRequest, func(r Request) int64 { return r.ID })
}
