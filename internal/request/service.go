package request

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	"mdnhub/internal/callback"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
)

// Scheduler enqueues the durable expiry job of a request inside the
// transaction that sets its expiry time.
type Scheduler interface {
	ScheduleExpiry(ctx context.Context, tx *sql.Tx, requestID int64, at time.Time) error
}

// Events records callback events inside a transaction (callback.Outbox).
type Events interface {
	Record(ctx context.Context, tx *sql.Tx, userID int64, event string, now int64, fields ...callback.Field) error
}

// Service runs one-time requests.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	inv     *inventory.Store
	sched   Scheduler
	maxOpen int
	log     *slog.Logger
	events  Events

	mu       sync.RWMutex
	reserved []func(Request)

	// view keeps requests for request_status and read_sms (see db.View):
	// every change of a request touches its user.
	view *db.View[viewKey, Request]
}

// viewKey names one of a user's requests.
type viewKey struct{ user, id int64 }

// viewSize bounds the requests kept in memory.
const viewSize = 100_000

// BidLifetime is how long a premium bid waits for a number.
const BidLifetime = 30 * time.Minute

// NewService returns the request service; maxOpen caps each user's open
// requests. It joins the inventory's availability notifications so that
// freed numbers go to waiting bids first; sched inserts its expiry jobs.
func NewService(d *db.DB, c clock.Clock, inv *inventory.Store, events Events, sched Scheduler, maxOpen int, log *slog.Logger) *Service {
	s := &Service{db: d, clock: c, inv: inv, events: events, sched: sched, maxOpen: maxOpen, log: log,
		view: db.NewView[viewKey, Request](d, viewSize)}
	inv.OnAvailable(s.offer)
	return s
}

// OnReserved registers fn to be called after a transaction that reserved a
// number for a request has committed (the simulator gateway listens here).
func (s *Service) OnReserved(fn func(Request)) {
	s.mu.Lock()
	s.reserved = append(s.reserved, fn)
	s.mu.Unlock()
}

// reservedAfterCommit arranges for the OnReserved listeners to hear of r once
// tx commits.
func (s *Service) reservedAfterCommit(tx *sql.Tx, r Request) {
	s.db.AfterCommit(tx, func() {
		s.mu.RLock()
		defer s.mu.RUnlock()
		for _, fn := range s.reserved {
			fn(r)
		}
	})
}

// Get returns one of the user's requests. Clients poll it: it is kept in
// memory until a transaction changes it.
func (s *Service) Get(ctx context.Context, userID, id int64) (Request, error) {
	return s.view.Get(userID, viewKey{userID, id}, func() (Request, error) {
		r, err := scanRequest(s.db.R.QueryRowContext(ctx,
			`SELECT `+requestColumns+requestFrom+` WHERE r.id = $1 AND r.user_id = $2`, id, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return Request{}, ErrNotFound
		}
		return r, err
	})
}

// lockRequests reads requests for update inside tx.
func (s *Service) lockRequests(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]Request, error) {
	// Lock the requests rows only, not the joined service.
	suffix := s.db.ForUpdateOf("r")
	rows, err := tx.QueryContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE `+where+suffix, args...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanRequest)
}

func (s *Service) lockRequest(ctx context.Context, tx *sql.Tx, where string, args ...any) (Request, error) {
	rs, err := s.lockRequests(ctx, tx, where, args...)
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, ErrNotFound
	}
	return rs[0], nil
}
