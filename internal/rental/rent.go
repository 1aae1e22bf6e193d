package rental

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/idempotency"
	"mdnhub/internal/inventory"
	"mdnhub/internal/money"
)

// Ask is what a user asks for with ltr_rent.
type Ask struct {
	UserID    int64
	Service   catalog.Service
	Days      int64  // 30 or 3
	MDN       string // normalized: a specific number, or one's own number to renew
	AreaCode  string
	State     string
	Autorenew bool
	Reserve   bool // Unlimited only: wait for the next available number
	// Once, when not nil, makes the call idempotent: its answer is stored
	// with the charge, and a retry with its key changes nothing.
	Once *idempotency.Call[Rental]
}

// priceFor is the rental price of a service for a duration.
func priceFor(svc catalog.Service, days int64) (int64, error) {
	switch days {
	case 30:
		return svc.LTRPriceCents, nil
	case 3:
		if svc.LTRShortPriceCents <= 0 {
			return 0, ErrNoShortRental
		}
		return svc.LTRShortPriceCents, nil
	}
	return 0, ErrDuration
}

// Rent rents a number for a service, in one transaction with the charge,
// its ledger entry and Billing log entry, and the expiry job. With MDN of a
// number the user rents or rented for the service it renews it: a new rental
// chained to the first one, starting at the old expiry if that is still
// ahead. With Reserve (Unlimited only) it creates a reservation charged now,
// with the reservation fee, that the next available number fills.
// Errors: ErrDuration, ErrNoShortRental, ErrReserveUnlimited,
// *account.InsufficientFundsError, inventory.ErrNoneAvailable,
// inventory.ErrMDNUnavailable; with a.Once, the refusals of
// idempotency.Call.Begin.
func (s *Service) Rent(ctx context.Context, a Ask) (Rental, error) {
	price, err := priceFor(a.Service, a.Days)
	if err != nil {
		return Rental{}, err
	}
	if a.Reserve && !IsUnlimited(a.Service.Name) {
		return Rental{}, ErrReserveUnlimited
	}
	var r Rental
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = idempotency.Run(ctx, tx, a.Once, func() (Rental, error) { return s.rent(ctx, tx, a, price) })
		return err
	})
	if errors.Is(err, db.ErrConflict) {
		err = inventory.ErrNoneAvailable
	}
	return r, err
}

func (s *Service) rent(ctx context.Context, tx *sql.Tx, a Ask, price int64) (Rental, error) {
	now := s.clock.Now()
	var balance int64
	if err := tx.QueryRowContext(ctx, `SELECT balance_cents FROM users WHERE id = $1`+s.db.ForUpdate(), a.UserID).Scan(&balance); err != nil {
		return Rental{}, db.NoRows(err)
	}
	fee := int64(0)
	if a.Reserve {
		fee = s.opt.ReserveFeeCents
	}
	if balance < price+fee {
		return Rental{}, &account.InsufficientFundsError{BalanceCents: balance}
	}
	r := Rental{
		UserID: a.UserID, ServiceID: a.Service.ID, Service: a.Service.Name, Days: a.Days, PriceCents: price,
		FeeCents: fee, Status: StatusActive, Autorenew: a.Autorenew, State: a.State, AreaCode: a.AreaCode,
		CreatedAt: now.Unix(),
	}
	if a.Reserve {
		r.Status, r.ExpiresAt = StatusAwaiting, now.Unix()
		if err := s.insert(ctx, tx, &r); err != nil {
			return Rental{}, err
		}
		// Served at once when a number is free; else by the next one freed.
		n, err := s.inv.Allocate(ctx, tx, s.criteria(r), now.Unix())
		if errors.Is(err, inventory.ErrNoneAvailable) {
			return r, nil
		}
		if err != nil {
			return Rental{}, err
		}
		return s.start(ctx, tx, r, n, now)
	}
	if a.MDN != "" {
		prev, err := s.find(ctx, tx, a.UserID, Ref{MDN: a.MDN, Service: a.Service.Name}, s.lockFor())
		switch {
		case err == nil && prev.Status == StatusActive:
			if a.Days == 3 {
				n, err := s.inv.Lock(ctx, tx, prev.NumberID)
				if err != nil {
					return Rental{}, err
				}
				if !n.ShortRental {
					return Rental{}, ErrNotShort
				}
			}
			return s.renew(ctx, tx, prev, r, now)
		case err == nil:
			r.FirstID = prev.FirstID
		case !errors.Is(err, ErrNoRental):
			return Rental{}, err
		}
	}
	n, err := s.inv.Allocate(ctx, tx, inventory.Criteria{
		UserID: a.UserID, ServiceIDs: []int64{a.Service.ID}, MDN: a.MDN, AreaCode: a.AreaCode, State: a.State,
		ShortRental: a.Days == 3,
	}, now.Unix())
	if err != nil {
		return Rental{}, err
	}
	r.NumberID, r.MDN, r.Carrier, r.Gateway = n.ID, n.MDN, n.Carrier, n.Gateway
	r.ExpiresAt = now.Add(time.Duration(a.Days) * 24 * time.Hour).Unix()
	if err := s.insert(ctx, tx, &r); err != nil {
		return Rental{}, err
	}
	return s.start(ctx, tx, r, n, now)
}

// criteria is what a reservation asks of a number.
func (s *Service) criteria(r Rental) inventory.Criteria {
	return inventory.Criteria{UserID: r.UserID, ServiceIDs: []int64{r.ServiceID}, AreaCode: r.AreaCode, State: r.State,
		ShortRental: r.Days == 3}
}

// insert stores a new rental (its first_id defaults to itself), charges it
// and writes the Billing entry.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, r *Rental) error {
	err := tx.QueryRowContext(ctx,
		`INSERT INTO rentals (user_id, service_id, number_id, mdn, carrier, days, price_cents, fee_cents, status, autorenew,
		   state, area_code, filter_service, forward_to, prev_id, created_at, expires_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		r.UserID, r.ServiceID, nullID(r.NumberID), r.MDN, r.Carrier, r.Days, r.PriceCents, r.FeeCents, r.Status,
		r.Autorenew, r.State, r.AreaCode, r.FilterService, r.ForwardTo, nullID(r.PrevID), r.CreatedAt, r.ExpiresAt).Scan(&r.ID)
	if err != nil {
		return err
	}
	if r.FirstID == 0 {
		r.FirstID = r.ID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rentals SET first_id = $1 WHERE id = $2`, r.FirstID, r.ID); err != nil {
		return err
	}
	what := "Rental"
	if r.PrevID != 0 {
		what = "Renewal"
	}
	if r.Status == StatusAwaiting {
		what = "Reservation"
	}
	text := fmt.Sprintf("%s %d of %s for %s, %d days: $%s", what, r.ID, orPending(r.MDN), r.Service, r.Days, money.Text(r.PriceCents))
	if r.FeeCents > 0 {
		text += fmt.Sprintf(" plus reservation fee $%s", money.Text(r.FeeCents))
	}
	return s.charge(ctx, tx, *r, r.PriceCents+r.FeeCents, text)
}

func orPending(mdn string) string {
	if mdn == "" {
		return "a number to be assigned"
	}
	return mdn
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// charge debits a rental charge with its ledger entry and the Billing entry
// of the user's message log.
func (s *Service) charge(ctx context.Context, tx *sql.Tx, r Rental, cents int64, text string) error {
	if cents <= 0 {
		return nil
	}
	now := s.clock.Now().Unix()
	if _, err := account.Post(ctx, tx, r.UserID, -cents, account.KindRental, text, r.ID, now); err != nil {
		return err
	}
	return s.billing(ctx, tx, r, cents, text, now)
}

// billing writes an entry from sender "Billing" to the user's message log
// (shown on the web pages, never by read_sms).
func (s *Service) billing(ctx context.Context, tx *sql.Tx, r Rental, cents int64, text string, now int64) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO messages (user_id, rental_id, number_id, kind, mdn, sender, body, service, price_cents, received_at)
		 VALUES ($1, $2, $3, 'billing', $4, 'Billing', $5, $6, $7, $8)`,
		r.UserID, r.ID, nullID(r.NumberID), r.MDN, text, r.Service, cents, now)
	return err
}

// start puts a rental on number n: the number is held by the renter (the
// caller allocated it), online for the gateway's window when it parks
// numbers, and the expiry job is scheduled.
func (s *Service) start(ctx context.Context, tx *sql.Tx, r Rental, n inventory.Number, now time.Time) (Rental, error) {
	r.NumberID, r.MDN, r.Carrier, r.Gateway = n.ID, n.MDN, n.Carrier, n.Gateway
	if r.Status == StatusAwaiting {
		r.Status = StatusActive
		r.ExpiresAt = now.Add(time.Duration(r.Days) * 24 * time.Hour).Unix()
	}
	if _, err := tx.ExecContext(ctx,
		`UPDATE rentals SET number_id = $1, mdn = $2, carrier = $3, status = $4, expires_at = $5 WHERE id = $6`,
		r.NumberID, r.MDN, r.Carrier, r.Status, r.ExpiresAt, r.ID); err != nil {
		return Rental{}, err
	}
	if err := s.openWindow(ctx, tx, r.NumberID, r.Gateway, now); err != nil {
		return Rental{}, err
	}
	if err := s.sched.ScheduleRentalExpiry(ctx, tx, r.ID, r.Expires()); err != nil {
		return Rental{}, err
	}
	return r, nil
}

// renew adds a rental period to the active rental prev: a new rental row
// chained to prev's first rental, on the same number, starting where prev
// ends (or now, if its expiry is already past); prev ends as renewed.
func (s *Service) renew(ctx context.Context, tx *sql.Tx, prev, next Rental, now time.Time) (Rental, error) {
	next.FirstID, next.PrevID = prev.FirstID, prev.ID
	next.NumberID, next.MDN, next.Carrier, next.Gateway = prev.NumberID, prev.MDN, prev.Carrier, prev.Gateway
	next.FilterService, next.ForwardTo = prev.FilterService, prev.ForwardTo
	next.Autorenew = next.Autorenew || prev.Autorenew
	from := max(prev.ExpiresAt, now.Unix())
	next.ExpiresAt = from + next.Days*24*3600
	if _, err := tx.ExecContext(ctx,
		`UPDATE rentals SET status = 'ended', end_reason = $1, ended_at = $2 WHERE id = $3`, EndRenewed, now.Unix(), prev.ID); err != nil {
		return Rental{}, err
	}
	if err := s.insert(ctx, tx, &next); err != nil {
		return Rental{}, err
	}
	if err := s.sched.ScheduleRentalExpiry(ctx, tx, next.ID, next.Expires()); err != nil {
		return Rental{}, err
	}
	return next, nil
}

// offer gives a number that became available to the oldest waiting
// Unlimited reservation it fits, inside the transaction that freed it.
// Premium bids are offered first (the request service registered earlier).
func (s *Service) offer(ctx context.Context, tx *sql.Tx, numberID int64) error {
	n, ok, err := s.inv.LockAvailable(ctx, tx, numberID)
	if err != nil || !ok {
		return err
	}
	now := s.clock.Now()
	skip := s.db.ForUpdateOfSkipLocked("r")
	r, err := scanRental(tx.QueryRowContext(ctx, `SELECT `+rentalColumns+rentalFrom+`
		WHERE r.status = 'awaiting' AND (r.days <> 3 OR $5)
		  AND (r.area_code = $1 OR (r.area_code = '' AND (r.state = '' OR r.state = $2)))
		  AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = $3 AND b.service_id = r.service_id)
		  AND NOT EXISTS (SELECT 1 FROM rental_holds h WHERE h.number_id = $3 AND h.service_id = r.service_id
		                  AND h.user_id <> r.user_id AND h.until > $4)
		ORDER BY r.id LIMIT 1`+skip, n.AreaCode, n.State, n.ID, now.Unix(), n.ShortRental))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.inv.Hold(ctx, tx, n.ID, r.UserID, now.Unix()); err != nil {
		return err
	}
	_, err = s.start(ctx, tx, r, n, now)
	return err
}

// FillReservations offers free numbers to waiting reservations, each in its
// own transaction; the periodic job runs it to settle reservations placed at
// the moment a number was released. It returns how many were filled.
func (s *Service) FillReservations(ctx context.Context) (int, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT n.id FROM numbers n
		WHERE n.held_by IS NULL AND n.enabled AND n.online
		  AND EXISTS (SELECT 1 FROM rentals r WHERE r.status = 'awaiting')
		ORDER BY n.last_used_at, n.id LIMIT 100`)
	if err != nil {
		return 0, err
	}
	ids, err := db.Int64s(rows)
	if err != nil {
		return 0, err
	}
	return s.inv.OfferEach(ctx, ids)
}
