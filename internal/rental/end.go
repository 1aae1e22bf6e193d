package rental

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/callback"
	"mdnhub/internal/clock"
	"mdnhub/internal/money"
)

// ErrNotDue is returned by Expire before the rental's expiry time.
var ErrNotDue = errors.New("rental not due for expiry yet")

// Release ends a rental now, without refund. A reservation that never got a
// number is refunded its rental price (the reservation fee is kept).
func (s *Service) Release(ctx context.Context, userID int64, ref Ref) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.active(ctx, tx, userID, ref)
		if err != nil {
			return err
		}
		now := s.clock.Now().Unix()
		if r.Status == StatusAwaiting && r.PriceCents > 0 {
			reason := "Refund of unfilled reservation " + strconv.FormatInt(r.ID, 10)
			if _, err := account.Post(ctx, tx, r.UserID, r.PriceCents, account.KindRefund, reason, r.ID, now); err != nil {
				return err
			}
		}
		return s.end(ctx, tx, r, EndReleased, now)
	})
}

// end closes a rental: its number goes back to the pool, online, and is
// kept from other users for the rental's service for the hold period.
func (s *Service) end(ctx context.Context, tx *sql.Tx, r Rental, reason string, now int64) error {
	if _, err := tx.ExecContext(ctx,
		`UPDATE rentals SET status = 'ended', end_reason = $1, ended_at = $2 WHERE id = $3`, reason, now, r.ID); err != nil {
		return err
	}
	if r.NumberID == 0 {
		return nil
	}
	until := now + int64(s.opt.HoldFor/time.Second)
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO rental_holds (number_id, service_id, user_id, until) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (number_id, service_id) DO UPDATE SET user_id = excluded.user_id, until = excluded.until`,
		r.NumberID, r.ServiceID, r.UserID, until); err != nil {
		return err
	}
	if s.gateways.Parking(r.Gateway) {
		// Back in the pool a number is always online.
		if err := s.inv.SetOnlineWindow(ctx, tx, r.NumberID, 0); err != nil {
			return err
		}
	}
	return s.inv.Release(ctx, tx, r.NumberID)
}

// Expire handles the end of a rental period: an auto-renewing rental is
// renewed when the balance allows (a new chained rental and an ltr_renewal
// ok event), else it ends (ltr_renewal error "Low balance"); others end.
// scheduledFor is the expiry the calling job was scheduled for; a job for an
// outdated expiry does nothing. It returns ErrNotDue before the expiry time
// and nil for a rental already ended, so a job may run twice.
func (s *Service) Expire(ctx context.Context, id int64, scheduledFor time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := scanRental(tx.QueryRowContext(ctx, `SELECT `+rentalColumns+rentalFrom+` WHERE r.id = $1`+s.lockFor(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil || r.Status != StatusActive {
			return err
		}
		if !scheduledFor.IsZero() && r.ExpiresAt != scheduledFor.Unix() {
			return nil
		}
		now := s.clock.Now()
		if r.ExpiresAt > now.Unix() {
			return ErrNotDue
		}
		if !r.Autorenew {
			return s.end(ctx, tx, r, EndExpired, now.Unix())
		}
		return s.autorenew(ctx, tx, r, now)
	})
}

func (s *Service) autorenew(ctx context.Context, tx *sql.Tx, r Rental, now time.Time) error {
	svc, err := s.catalog.Lookup(ctx, r.Service)
	var price int64
	if err == nil {
		price, err = priceFor(svc, r.Days)
	}
	var balance int64
	if err == nil {
		err = tx.QueryRowContext(ctx, `SELECT balance_cents FROM users WHERE id = $1`+s.db.ForUpdate(), r.UserID).Scan(&balance)
	}
	if err != nil || balance < price {
		// The service may have been withdrawn; the customer is told why.
		message := "Low balance"
		if err != nil {
			message = "Service is no longer available"
			s.log.Warn("rental not renewed", "rental", r.ID, "err", err)
		}
		if err := s.end(ctx, tx, r, EndExpired, now.Unix()); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, r.UserID, callback.EventLTRRenewal, now.Unix(),
			callback.Field{Name: "status", Value: "error"}, callback.Field{Name: "message", Value: message},
			callback.Field{Name: "previous_ltr_id", Value: strconv.FormatInt(r.ID, 10)},
			callback.Field{Name: "mdn", Value: r.MDN}, callback.Field{Name: "service", Value: r.Service})
	}
	next := Rental{UserID: r.UserID, ServiceID: r.ServiceID, Service: r.Service, Days: r.Days, PriceCents: price,
		Status: StatusActive, Autorenew: true, State: r.State, AreaCode: r.AreaCode, CreatedAt: now.Unix()}
	next, err = s.renew(ctx, tx, r, next, now)
	if err != nil {
		return err
	}
	return s.events.Record(ctx, tx, r.UserID, callback.EventLTRRenewal, now.Unix(),
		callback.Field{Name: "status", Value: "ok"},
		callback.Field{Name: "new_ltr_id", Value: strconv.FormatInt(next.ID, 10)},
		callback.Field{Name: "previous_ltr_id", Value: strconv.FormatInt(r.ID, 10)},
		callback.Field{Name: "mdn", Value: next.MDN}, callback.Field{Name: "service", Value: next.Service},
		callback.Field{Name: "price", Value: money.Text(next.PriceCents)},
		callback.Field{Name: "expires", Value: clock.HumanTimePlain(next.Expires())})
}
