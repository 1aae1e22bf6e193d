package request

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/idempotency"
	"mdnhub/internal/inventory"
)

// MaxServices is how many services one request may ask a number for.
const MaxServices = 5

// Ask is what a user asks for with the request command.
type Ask struct {
	UserID   int64
	Services []catalog.Service // one, or up to MaxServices sharing a number
	MDN      string            // normalized, or ""
	AreaCode string
	State    string // shown as the request's state when geo-targeted
	// Markup, when not 0, is a premium bid in percent (10..2000): used only
	// when no number is eligible now.
	Markup int64
	// Once, when not nil, makes the call idempotent: its answer is stored
	// with the charge, and a retry with its key changes nothing.
	Once *idempotency.Call[[]Request]
}

// PremiumPrice is the price of a bid: base × (100 + markup) / 100, rounded
// half up to the cent.
func PremiumPrice(baseCents, markup int64) int64 {
	return (baseCents*(100+markup) + 50) / 100
}

// Create reserves one number for every service asked and charges each
// service's price, in one transaction together with the ledger entries and
// the expiry jobs. When no number is eligible and the ask carries a markup,
// it places a premium bid instead (status Awaiting MDN, premium price
// charged now). Errors: *account.InsufficientFundsError, ErrTooManyOpen,
// inventory.ErrNoneAvailable, inventory.ErrMDNUnavailable; with a.Once, the
// refusals of idempotency.Call.Begin.
func (s *Service) Create(ctx context.Context, a Ask) ([]Request, error) {
	if len(a.Services) == 0 || len(a.Services) > MaxServices {
		return nil, fmt.Errorf("request: %d services asked, want 1 to %d", len(a.Services), MaxServices)
	}
	var out []Request
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = idempotency.Run(ctx, tx, a.Once, func() ([]Request, error) { return s.create(ctx, tx, a) })
		return err
	})
	if errors.Is(err, db.ErrConflict) {
		// Only reachable when another transaction took the number we picked.
		err = inventory.ErrNoneAvailable
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) create(ctx context.Context, tx *sql.Tx, a Ask) ([]Request, error) {
	now := s.clock.Now()
	// Lock the user first: it serialises one user's requests, so the
	// open-request cap holds under concurrency.
	var balance int64
	if err := tx.QueryRowContext(ctx, `SELECT balance_cents FROM users WHERE id = $1`+s.db.ForUpdate(), a.UserID).Scan(&balance); err != nil {
		return nil, db.NoRows(err)
	}
	var total int64
	ids := make([]int64, len(a.Services))
	for i, svc := range a.Services {
		total += svc.PriceCents
		ids[i] = svc.ID
	}
	if balance < total {
		return nil, &account.InsufficientFundsError{BalanceCents: balance}
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE user_id = $1 AND closed_at IS NULL`, a.UserID).Scan(&open); err != nil {
		return nil, err
	}
	if open+len(a.Services) > s.maxOpen {
		return nil, ErrTooManyOpen
	}
	n, err := s.inv.Allocate(ctx, tx, inventory.Criteria{
		UserID: a.UserID, ServiceIDs: ids, MDN: a.MDN, AreaCode: a.AreaCode, State: a.State,
	}, now.Unix())
	if errors.Is(err, inventory.ErrNoneAvailable) && a.Markup > 0 && len(a.Services) == 1 {
		return s.bid(ctx, tx, a, balance, now)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(a.Services))
	var group int64
	for _, svc := range a.Services {
		r := Request{
			UserID: a.UserID, ServiceID: svc.ID, Service: svc.Name, NumberID: n.ID, MDN: n.MDN,
			Carrier: n.Carrier, Gateway: n.Gateway, Status: StatusReserved, State: a.State, AreaCode: a.AreaCode,
			PriceCents: svc.PriceCents, CreatedAt: now.Unix(), ExpiresAt: endOf(now, svc.Lifetime), GroupID: group,
		}
		if err := s.insert(ctx, tx, &r); err != nil {
			return nil, err
		}
		if len(a.Services) > 1 && group == 0 {
			// The first entry's id names the group; it is its own member.
			group, r.GroupID = r.ID, r.ID
			if _, err := tx.ExecContext(ctx, `UPDATE requests SET group_id = $1 WHERE id = $1`, group); err != nil {
				return nil, err
			}
		}
		s.reservedAfterCommit(tx, r)
		out = append(out, r)
	}
	return out, nil
}

// bid places a premium bid: nothing is eligible now, so the request waits
// for the next number that fits it, charged the premium price at once.
func (s *Service) bid(ctx context.Context, tx *sql.Tx, a Ask, balance int64, now time.Time) ([]Request, error) {
	svc := a.Services[0]
	r := Request{
		UserID: a.UserID, ServiceID: svc.ID, Service: svc.Name, Status: StatusAwaiting, State: a.State,
		AreaCode: a.AreaCode, Markup: a.Markup, PriceCents: PremiumPrice(svc.PriceCents, a.Markup),
		CreatedAt: now.Unix(), ExpiresAt: endOf(now, BidLifetime),
	}
	if balance < r.PriceCents {
		return nil, &account.InsufficientFundsError{BalanceCents: balance}
	}
	if err := s.insert(ctx, tx, &r); err != nil {
		return nil, err
	}
	return []Request{r}, nil
}

// endOf is the unix second at which a lifetime starting now ends, rounded
// up: a reservation never ends before its full lifetime.
func endOf(now time.Time, lifetime time.Duration) int64 {
	end := now.Add(lifetime)
	if end.Nanosecond() != 0 {
		return end.Unix() + 1
	}
	return end.Unix()
}

// insert stores a new request, charges it and schedules its expiry.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, r *Request) error {
	var group any
	if r.GroupID != 0 {
		group = r.GroupID
	}
	var numberID any
	if r.NumberID != 0 {
		numberID = r.NumberID
	}
	err := tx.QueryRowContext(ctx,
		`INSERT INTO requests (user_id, service_id, number_id, mdn, carrier, status, state, area_code, markup, price_cents, created_at, expires_at, group_id)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		r.UserID, r.ServiceID, numberID, r.MDN, r.Carrier, r.Status, r.State, r.AreaCode, r.Markup, r.PriceCents,
		r.CreatedAt, r.ExpiresAt, group).Scan(&r.ID)
	if err != nil {
		return err
	}
	if r.PriceCents > 0 {
		what := "Request"
		if r.Status == StatusAwaiting {
			what = fmt.Sprintf("Premium bid +%d%%", r.Markup)
		}
		reason := strings.TrimSpace(fmt.Sprintf("%s %d: %s %s", what, r.ID, r.Service, r.MDN))
		if _, err := account.Post(ctx, tx, r.UserID, -r.PriceCents, account.KindRequest, reason, r.ID, r.CreatedAt); err != nil {
			return err
		}
	}
	if err := s.sched.ScheduleExpiry(ctx, tx, r.ID, time.Unix(r.ExpiresAt, 0)); err != nil {
		return fmt.Errorf("schedule expiry: %w", err)
	}
	return nil
}
