package rental

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"time"

	"mdnhub/internal/callback"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
)

// Scheduler enqueues the durable jobs of rentals inside the transaction that
// makes them due.
type Scheduler interface {
	ScheduleRentalExpiry(ctx context.Context, tx *sql.Tx, rentalID int64, at time.Time) error
	ScheduleNumberPark(ctx context.Context, tx *sql.Tx, numberID int64, at time.Time) error
	ScheduleNumberOnline(ctx context.Context, tx *sql.Tx, numberID int64, at time.Time) error
}

// Gateways is what rentals need of the numbers' gateways. An action the
// number's gateway cannot do answers ErrUnsupported (or an error matching it).
type Gateways interface {
	Parking(gateway string) bool
	Activate(ctx context.Context, gateway, mdn string) (time.Duration, error)
	Forward(ctx context.Context, gateway, mdn, destination string) error
}

// Options are the operator's rental settings.
type Options struct {
	OnlineWindow    time.Duration // how long an activated number stays online
	HoldFor         time.Duration // how long an ended rental's number is kept for its renter
	ReserveFeeCents int64         // flat fee of an Unlimited reservation
}

// Service runs long-term rentals.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	inv      *inventory.Store
	catalog  *catalog.Catalog
	gateways Gateways
	sched    Scheduler
	opt      Options
	log      *slog.Logger
	events   Events
}

// Events records callback events inside a transaction (callback.Outbox).
type Events interface {
	Record(ctx context.Context, tx *sql.Tx, userID int64, event string, now int64, fields ...callback.Field) error
}

// NewService returns the rental service. It joins the inventory's
// availability notifications so that waiting Unlimited reservations get freed
// numbers; sched inserts its expiry, parking and activation jobs.
func NewService(d *db.DB, c clock.Clock, inv *inventory.Store, cat *catalog.Catalog, gw Gateways, events Events, sched Scheduler, opt Options, log *slog.Logger) *Service {
	s := &Service{db: d, clock: c, inv: inv, catalog: cat, gateways: gw, events: events, sched: sched, opt: opt, log: log}
	inv.OnAvailable(s.offer)
	return s
}

// Ref names a rental the way the API does: by id, by MDN and service, or by
// MDN alone.
type Ref struct {
	ID      int64
	MDN     string // normalized
	Service string // service name; "" names the running rental of MDN
}

// Find returns the user's rental named by ref. A renewal is a new rental
// chained to the first one, and any id of a chain names its newest rental,
// so a client that keeps its first ltr_id follows its renewals. By MDN and
// service it is the newest rental of the user for that number and service,
// ended or not. By MDN alone (what most clients send) it is the user's
// newest rental of that number that has not ended: an MDN is held by one
// running rental at a time, so this names it whatever its service.
func (s *Service) Find(ctx context.Context, userID int64, ref Ref) (Rental, error) {
	return s.find(ctx, s.db.R, userID, ref, "")
}

func (s *Service) find(ctx context.Context, q db.Querier, userID int64, ref Ref, lock string) (Rental, error) {
	var (
		r   Rental
		err error
	)
	if ref.ID != 0 {
		r, err = scanRental(q.QueryRowContext(ctx, `SELECT `+rentalColumns+rentalFrom+`
			WHERE r.user_id = $2 AND r.first_id = (SELECT x.first_id FROM rentals x WHERE x.id = $1 AND x.user_id = $2)
			ORDER BY r.id DESC LIMIT 1`+lock, ref.ID, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return Rental{}, ErrNotFound
		}
		return r, err
	}
	if ref.Service == "" {
		r, err = scanRental(q.QueryRowContext(ctx, `SELECT `+rentalColumns+rentalFrom+`
			WHERE r.user_id = $1 AND r.mdn = $2 AND r.status <> $3 ORDER BY r.id DESC LIMIT 1`+lock,
			userID, ref.MDN, StatusEnded))
	} else {
		r, err = scanRental(q.QueryRowContext(ctx, `SELECT `+rentalColumns+rentalFrom+`
			WHERE r.user_id = $1 AND r.mdn = $2 AND s.name_key = $3 ORDER BY r.id DESC LIMIT 1`+lock,
			userID, ref.MDN, strings.ToLower(ref.Service)))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Rental{}, ErrNoRental
	}
	return r, err
}

// ByID returns one rental row exactly as stored (no chain following, any
// user), for the operator.
func (s *Service) ByID(ctx context.Context, id int64) (Rental, error) {
	r, err := scanRental(s.db.R.QueryRowContext(ctx, `SELECT `+rentalColumns+rentalFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Rental{}, ErrNotFound
	}
	return r, err
}

// lockFor is the row-lock suffix for reading a rental to change it.
func (s *Service) lockFor() string { return s.db.ForUpdateOf("r") }

// active finds the user's rental by ref inside tx, locked, and requires it
// not to have ended.
func (s *Service) active(ctx context.Context, tx *sql.Tx, userID int64, ref Ref) (Rental, error) {
	r, err := s.find(ctx, tx, userID, ref, s.lockFor())
	if err != nil {
		return Rental{}, err
	}
	if r.Status == StatusEnded {
		return Rental{}, ErrEnded
	}
	return r, nil
}

// List returns the user's rentals, newest first.
func (s *Service) List(ctx context.Context, userID int64, limit int) ([]Rental, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+rentalColumns+rentalFrom+` WHERE r.user_id = $1 ORDER BY r.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanRental)
}

// IsUnlimited reports whether a service name is the Unlimited service.
func IsUnlimited(service string) bool { return strings.EqualFold(service, Unlimited) }
