package request

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"mdnhub/internal/callback"
	"mdnhub/internal/db"
	"mdnhub/internal/money"
)

// bidFits is the condition that waiting bid r fits number n at time $1:
// fresh for the bid's service, not rejected by the bidder, not kept for
// another renter, in the bid's area code or state. The unary plus keeps
// planners off requests_due (every open request, by expiry) for the time
// bound: the bids are found through requests_bids, the few waiting ones in
// auction order, however many requests are open.
const bidFits = `r.status = 'Awaiting MDN' AND r.closed_at IS NULL AND +r.expires_at > $1
	AND (r.area_code = n.area_code OR (r.area_code = '' AND (r.state = '' OR r.state = n.state)))
	AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = n.id AND b.service_id = r.service_id)
	AND NOT EXISTS (SELECT 1 FROM rejections x WHERE x.number_id = n.id AND x.user_id = r.user_id)
	AND NOT EXISTS (SELECT 1 FROM rental_holds h WHERE h.number_id = n.id AND h.service_id = r.service_id
	                AND h.user_id <> r.user_id AND h.until > $1)`

// offer runs the premium-bid auction for one number inside the transaction
// that made it available: if it is free, enabled and online and a waiting
// bid fits it (fresh for the bid's service, not rejected by the bidder, in
// the bid's area code or state), the highest markup wins, then the earliest
// bid. The winner becomes Reserved with a fresh lifetime, and a
// premium_request event is recorded for its callback, all in the same
// transaction, so no ordinary request can take the number first.
func (s *Service) offer(ctx context.Context, tx *sql.Tx, numberID int64) error {
	// The winning bid first, on a number that looks available: most
	// numbers freed find no bid, and that costs one query. Only a winner
	// locks the number and checks it again.
	now := s.clock.Now()
	skip := s.db.ForUpdateOfSkipLocked("r")
	r, err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestColumns+requestFrom+`
		JOIN numbers n ON n.id = $2 AND n.held_by IS NULL AND n.enabled AND n.online
		WHERE `+bidFits+` ORDER BY r.markup DESC, r.id LIMIT 1`+skip, now.Unix(), numberID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	n, ok, err := s.inv.LockAvailable(ctx, tx, numberID)
	if err != nil || !ok {
		return err
	}
	var lifetime int64
	if err := tx.QueryRowContext(ctx, `SELECT lifetime_seconds FROM services WHERE id = $1`, r.ServiceID).Scan(&lifetime); err != nil {
		return err
	}
	if err := s.inv.Hold(ctx, tx, n.ID, r.UserID, now.Unix()); err != nil {
		return err
	}
	s.db.Touch(tx, r.UserID)
	r.NumberID, r.MDN, r.Carrier, r.Gateway, r.Status = n.ID, n.MDN, n.Carrier, n.Gateway, StatusReserved
	r.ExpiresAt = endOf(now, time.Duration(lifetime)*time.Second)
	if _, err := tx.ExecContext(ctx,
		`UPDATE requests SET status = $1, number_id = $2, mdn = $3, carrier = $4, expires_at = $5, won_at = $6 WHERE id = $7`,
		r.Status, r.NumberID, r.MDN, r.Carrier, r.ExpiresAt, now.Unix(), r.ID); err != nil {
		return err
	}
	if err := s.sched.ScheduleExpiry(ctx, tx, r.ID, time.Unix(r.ExpiresAt, 0)); err != nil {
		return err
	}
	if err := s.events.Record(ctx, tx, r.UserID, callback.EventPremiumRequest, now.Unix(),
		callback.Field{Name: "status", Value: "ok"}, callback.Field{Name: "id", Value: strconv.FormatInt(r.ID, 10)},
		callback.Field{Name: "mdn", Value: r.MDN}, callback.Field{Name: "service", Value: r.Service},
		callback.Field{Name: "price", Value: money.Text(r.PriceCents)}); err != nil {
		return err
	}
	s.reservedAfterCommit(tx, r)
	return nil
}

// MatchWaiting offers every free number that fits a waiting bid, each in its
// own transaction. Availability changes already run the auction in their own
// transaction; this sweep, run periodically by a durable job, catches the
// rare bid placed concurrently with the release that would have served it.
// It returns how many bids won.
func (s *Service) MatchWaiting(ctx context.Context) (int, error) {
	now := s.clock.Now().Unix()
	rows, err := s.db.R.QueryContext(ctx, `SELECT n.id FROM numbers n
		WHERE n.held_by IS NULL AND n.enabled AND n.online AND EXISTS (SELECT 1 FROM requests r WHERE `+bidFits+`)
		ORDER BY n.last_used_at, n.id LIMIT 100`, now)
	if err != nil {
		return 0, err
	}
	ids, err := db.Int64s(rows)
	if err != nil {
		return 0, err
	}
	return s.inv.OfferEach(ctx, ids)
}
