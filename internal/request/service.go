package request

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
)

// Scheduler enqueues the durable expiry job of a request inside the
// transaction that creates it.
type Scheduler interface {
	ScheduleExpiry(ctx context.Context, tx *sql.Tx, requestID int64, at time.Time) error
}

// Service runs one-time requests.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	inv     *inventory.Store
	sched   Scheduler
	maxOpen int
	log     *slog.Logger

	mu       sync.RWMutex
	reserved []func(Request)
}

// NewService returns the request service; maxOpen caps each user's open
// requests. SetScheduler must be called before the first Create.
func NewService(d *db.DB, c clock.Clock, inv *inventory.Store, maxOpen int, log *slog.Logger) *Service {
	return &Service{db: d, clock: c, inv: inv, maxOpen: maxOpen, log: log}
}

// SetScheduler sets the job scheduler. It is separate from NewService because
// the job runner itself needs the service to work expiry jobs.
func (s *Service) SetScheduler(sched Scheduler) { s.sched = sched }

// OnReserved registers fn to be called after a transaction that reserved a
// number for a request has committed (the simulator gateway listens here).
func (s *Service) OnReserved(fn func(Request)) {
	s.mu.Lock()
	s.reserved = append(s.reserved, fn)
	s.mu.Unlock()
}

func (s *Service) notifyReserved(rs []Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range rs {
		for _, fn := range s.reserved {
			fn(r)
		}
	}
}

// Ask is what a user asks for with the request command.
type Ask struct {
	UserID   int64
	Service  catalog.Service
	MDN      string // normalized, or ""
	AreaCode string
	State    string // shown as the request's state when geo-targeted
}

// Create reserves a number for the user and charges the service price, in
// one transaction together with the ledger entry and the expiry job. Errors:
// *account.InsufficientFundsError, ErrTooManyOpen,
// inventory.ErrNoneAvailable, inventory.ErrMDNUnavailable.
func (s *Service) Create(ctx context.Context, a Ask) (Request, error) {
	var r Request
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = s.create(ctx, tx, a)
		return err
	})
	if errors.Is(err, db.ErrConflict) {
		// Only reachable when another transaction took the number we picked.
		err = inventory.ErrNoneAvailable
	}
	if err != nil {
		return Request{}, err
	}
	s.notifyReserved([]Request{r})
	return r, nil
}

func (s *Service) create(ctx context.Context, tx *sql.Tx, a Ask) (Request, error) {
	now := s.clock.Now()
	// Lock the user first: it serialises one user's requests, so the
	// open-request cap holds under concurrency.
	var balance int64
	if err := tx.QueryRowContext(ctx, `SELECT balance_cents FROM users WHERE id = $1`+s.db.ForUpdate(), a.UserID).Scan(&balance); err != nil {
		return Request{}, db.NoRows(err)
	}
	if balance < a.Service.PriceCents {
		return Request{}, &account.InsufficientFundsError{BalanceCents: balance}
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE user_id = $1 AND closed_at IS NULL`, a.UserID).Scan(&open); err != nil {
		return Request{}, err
	}
	if open >= s.maxOpen {
		return Request{}, ErrTooManyOpen
	}
	n, err := s.inv.Allocate(ctx, tx, inventory.Criteria{
		UserID: a.UserID, ServiceID: a.Service.ID, MDN: a.MDN, AreaCode: a.AreaCode, State: a.State,
	}, now.Unix())
	if err != nil {
		return Request{}, err
	}
	r := Request{
		UserID: a.UserID, ServiceID: a.Service.ID, Service: a.Service.Name, NumberID: n.ID, MDN: n.MDN,
		Carrier: n.Carrier, Gateway: n.Gateway, Status: StatusReserved, State: a.State, AreaCode: a.AreaCode,
		PriceCents: a.Service.PriceCents, CreatedAt: now.Unix(), ExpiresAt: now.Add(a.Service.Lifetime).Unix(),
	}
	err = tx.QueryRowContext(ctx,
		`INSERT INTO requests (user_id, service_id, number_id, mdn, carrier, status, state, area_code, markup, price_cents, created_at, expires_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		r.UserID, r.ServiceID, r.NumberID, r.MDN, r.Carrier, r.Status, r.State, r.AreaCode, r.Markup, r.PriceCents,
		r.CreatedAt, r.ExpiresAt).Scan(&r.ID)
	if err != nil {
		return Request{}, err
	}
	if r.PriceCents > 0 {
		reason := fmt.Sprintf("Request %d: %s on %s", r.ID, r.Service, r.MDN)
		if _, err := account.Post(ctx, tx, r.UserID, -r.PriceCents, account.KindRequest, reason, r.ID, r.CreatedAt); err != nil {
			return Request{}, err
		}
	}
	if err := s.sched.ScheduleExpiry(ctx, tx, r.ID, time.Unix(r.ExpiresAt, 0)); err != nil {
		return Request{}, fmt.Errorf("schedule expiry: %w", err)
	}
	return r, nil
}

// Get returns one of the user's requests.
func (s *Service) Get(ctx context.Context, userID, id int64) (Request, error) {
	r, err := scanRequest(s.db.R.QueryRowContext(ctx,
		`SELECT `+requestColumns+requestFrom+` WHERE r.id = $1 AND r.user_id = $2`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	return r, err
}

func lockRequest(ctx context.Context, d *db.DB, tx *sql.Tx, where string, args ...any) (Request, error) {
	// PostgreSQL refuses FOR UPDATE on the nullable side of a join; the join
	// here is inner, and the lock is on requests only.
	suffix := ""
	if d.Dialect == db.Postgres {
		suffix = " FOR UPDATE OF r"
	}
	r, err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE `+where+suffix, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	return r, err
}

// Reject ends a reserved request without messages (or a bid) at the user's
// wish: refunded, and the number never offered to this user again.
func (s *Service) Reject(ctx context.Context, userID, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := lockRequest(ctx, s.db, tx, `r.id = $1 AND r.user_id = $2`, id, userID)
		if err != nil {
			return err
		}
		switch {
		case r.Messages > 0:
			return ErrHasMessages
		case !r.Open() || (r.Status != StatusReserved && r.Status != StatusAwaiting):
			return &ClosedError{Status: r.Status}
		}
		now := s.clock.Now().Unix()
		if r.NumberID != 0 {
			if err := s.inv.Reject(ctx, tx, r.NumberID, r.UserID, now); err != nil {
				return err
			}
		}
		return s.close(ctx, tx, r, StatusRejected, now)
	})
}

// close ends an open request: sets its final status, refunds it when it
// received nothing, and frees its number.
func (s *Service) close(ctx context.Context, tx *sql.Tx, r Request, status string, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET status = $1, closed_at = $2 WHERE id = $3`, status, now, r.ID); err != nil {
		return err
	}
	if r.Messages == 0 && r.PriceCents > 0 {
		reason := "Refund of request " + strconv.FormatInt(r.ID, 10) + " (" + status + ")"
		if _, err := account.Post(ctx, tx, r.UserID, r.PriceCents, account.KindRefund, reason, r.ID, now); err != nil {
			return err
		}
	}
	if r.NumberID != 0 {
		return s.inv.Release(ctx, tx, r.NumberID)
	}
	return nil
}

// Expire ends a request whose time is up: one that received nothing becomes
// Timed Out and is refunded; a completed one keeps its status and charge. Its
// number returns to the pool either way. It returns ErrNotDue (with nothing
// changed) when called early, and nil for a request already closed, so the
// expiry job is safe to run twice.
func (s *Service) Expire(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := lockRequest(ctx, s.db, tx, `r.id = $1`, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || !r.Open() {
			return err
		}
		now := s.clock.Now().Unix()
		if r.ExpiresAt > now {
			return ErrNotDue
		}
		status := r.Status
		if r.Messages == 0 {
			status = StatusTimedOut
		}
		return s.close(ctx, tx, r, status, now)
	})
}

// ExpiresAt returns when a request is due, for the expiry job to snooze
// until then when it ran early.
func (s *Service) ExpiresAt(ctx context.Context, id int64) (time.Time, error) {
	var at int64
	err := s.db.R.QueryRowContext(ctx, `SELECT expires_at FROM requests WHERE id = $1`, id).Scan(&at)
	return time.Unix(at, 0), db.NoRows(err)
}

// ClaimMessage attributes an SMS that arrived for a number to the open
// request holding it, inside the caller's transaction: the first message
// completes the request and burns the number for the service. ok is false
// when no open request holds the number. A request past its expiry time no
// longer receives messages even if its expiry job has not run yet.
func (s *Service) ClaimMessage(ctx context.Context, tx *sql.Tx, numberID int64, now int64) (r Request, ok bool, err error) {
	r, err = lockRequest(ctx, s.db, tx, `r.number_id = $1 AND r.closed_at IS NULL AND r.expires_at > $2 ORDER BY r.id LIMIT 1`, numberID, now)
	if errors.Is(err, ErrNotFound) {
		return Request{}, false, nil
	}
	if err != nil {
		return Request{}, false, err
	}
	status := r.Status
	if status == StatusReserved {
		status = StatusCompleted
	}
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET messages = messages + 1, status = $1 WHERE id = $2`, status, r.ID); err != nil {
		return Request{}, false, err
	}
	if err := s.inv.Burn(ctx, tx, r.NumberID, r.ServiceID, r.UserID, now); err != nil {
		return Request{}, false, err
	}
	r.Messages++
	r.Status = status
	return r, true, nil
}
