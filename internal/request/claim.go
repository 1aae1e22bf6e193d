package request

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
)

// ClaimMessages attributes SMS that arrived for numbers to the open requests
// holding them, inside the caller's transaction, in one read and a few
// writes for the whole batch. The first message of a request completes it
// and burns its number for its service. When several requests share a
// number (one request for several services), a message goes to the one
// whose service it is detected for, else to the first. A request past its
// expiry time receives nothing even if its expiry job has not run yet. The
// result has one entry per arrival; ok[i] is false when no request took it.
func (s *Service) ClaimMessages(ctx context.Context, tx *sql.Tx, arrivals []inventory.Arrival) (out []Request, ok []bool, err error) {
	out, ok = make([]Request, len(arrivals)), make([]bool, len(arrivals))
	ids := make([]int64, 0, len(arrivals))
	for _, a := range arrivals {
		ids = append(ids, a.NumberID)
	}
	in, args := s.db.In(nil, db.Anys(ids)...)
	open, err := s.lockRequests(ctx, tx, `r.number_id IN (`+in+`) AND r.closed_at IS NULL ORDER BY r.id`, args...)
	if err != nil || len(open) == 0 {
		return out, ok, err
	}
	byNumber := map[int64][]*Request{}
	var shared []int64 // services of numbers held by several requests
	for i := range open {
		r := &open[i]
		byNumber[r.NumberID] = append(byNumber[r.NumberID], r)
		if len(byNumber[r.NumberID]) > 1 {
			shared = append(shared, r.ServiceID)
		}
	}
	var detect *catalog.Detector
	if len(shared) > 0 {
		if detect, err = catalog.LoadDetector(ctx, s.db, tx, allServices(byNumber)); err != nil {
			return nil, nil, err
		}
	}
	touched := map[int64]*Request{}
	var burns []inventory.BurnKey
	for i, a := range arrivals {
		var cands []*Request
		for _, r := range byNumber[a.NumberID] {
			if r.ExpiresAt > a.At {
				cands = append(cands, r)
			}
		}
		if len(cands) == 0 {
			continue
		}
		r := cands[0]
		if len(cands) > 1 {
			svcIDs := make([]int64, len(cands))
			for j, c := range cands {
				svcIDs[j] = c.ServiceID
			}
			if id, _, found := detect.Detect(a.From, a.Text, svcIDs, nil); found {
				for _, c := range cands {
					if c.ServiceID == id {
						r = c
						break
					}
				}
			}
		}
		r.Messages++
		if r.Status == StatusReserved {
			// The first message completes the request and burns the number
			// for its service; later ones find it burnt already.
			r.Status = StatusCompleted
			burns = append(burns, inventory.BurnKey{NumberID: r.NumberID, ServiceID: r.ServiceID, UserID: r.UserID})
		}
		touched[r.ID] = r
		out[i], ok[i] = *r, true
	}
	if err := s.saveClaims(ctx, tx, touched); err != nil {
		return nil, nil, err
	}
	return out, ok, s.inv.Burn(ctx, tx, arrivals[0].At, burns...)
}

// saveClaims writes the new message counts and statuses of the touched
// requests in one statement.
func (s *Service) saveClaims(ctx context.Context, tx *sql.Tx, touched map[int64]*Request) error {
	if len(touched) == 0 {
		return nil
	}
	var (
		b    strings.Builder
		args []any
	)
	for _, r := range touched {
		s.db.Touch(tx, r.UserID)
		if len(args) > 0 {
			b.WriteString(", ")
		}
		args = append(args, r.ID, r.Messages, r.Status)
		n := len(args)
		// Typed, so PostgreSQL knows the columns of the VALUES list.
		fmt.Fprintf(&b, "(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS TEXT))", s.db.Arg(n-2), s.db.Arg(n-1), s.db.Arg(n))
	}
	_, err := tx.ExecContext(ctx, `WITH v (id, messages, status) AS (VALUES `+b.String()+`)
		UPDATE requests SET messages = v.messages, status = v.status FROM v WHERE requests.id = v.id`, args...)
	return err
}

// allServices lists the services of the numbers' requests.
func allServices(byNumber map[int64][]*Request) []int64 {
	var ids []int64
	for _, rs := range byNumber {
		for _, r := range rs {
			ids = append(ids, r.ServiceID)
		}
	}
	return ids
}
