package proxy

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"mdnhub/internal/clock"
	"mdnhub/internal/db"
)

// Scheduler inserts the durable jobs of proxy rentals in the caller's transaction.
type Scheduler interface {
	ScheduleProxyExpiry(ctx context.Context, tx *sql.Tx, rentalID int64, at time.Time) error
	ScheduleRedial(ctx context.Context, tx *sql.Tx, redialID int64) error
}

// Discount is a price reduction for rentals of at least Minutes.
type Discount struct {
	Minutes int64
	Percent int64
}

// Options are the operator's proxy settings.
type Options struct {
	SharedHourlyCents    int64
	ExclusiveHourlyCents int64
	Discounts            []Discount
	PublicIP             string // shown to customers as proxy_ip
	SOCKSPort, HTTPPort  int    // shown as proxy_socks_port and proxy_http_port
	AuthCacheTTL         time.Duration
	// CheckUpstream tells whether the proxy front can use an upstream
	// (see Lease.Upstream); nil accepts any.
	CheckUpstream func(upstream string) error
}

// Service manages ports and proxy rentals.
type Service struct {
	db    *db.DB
	clock clock.Clock
	sched Scheduler
	opt   Options
	log   *slog.Logger
	cache *authCache

	mu      sync.RWMutex
	revoked []func(rentalID int64)
}

// NewService returns the proxy service.
func NewService(d *db.DB, c clock.Clock, sched Scheduler, opt Options, log *slog.Logger) *Service {
	sort.Slice(opt.Discounts, func(i, j int) bool { return opt.Discounts[i].Minutes < opt.Discounts[j].Minutes })
	return &Service{db: d, clock: c, sched: sched, opt: opt, log: log, cache: newAuthCache(opt.AuthCacheTTL)}
}

// Options returns the proxy settings, with the ports the front listens on.
func (s *Service) Options() Options {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.opt
}

// SetListenPorts records the ports the proxy front actually listens on, which
// customers are shown: they differ from the configured addresses when those
// ask for any free port (":0").
func (s *Service) SetListenPorts(socks, http int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.SOCKSPort, s.opt.HTTPPort = socks, http
}

// OnRevoke registers fn, called after a change that ends a rental's
// credentials has committed (expiry, swap): the front closes its tunnels.
func (s *Service) OnRevoke(fn func(rentalID int64)) {
	s.mu.Lock()
	s.revoked = append(s.revoked, fn)
	s.mu.Unlock()
}

// revokeAfterCommit drops the rental's cached credentials and tells the
// listeners once tx commits.
func (s *Service) revokeAfterCommit(tx *sql.Tx, rentalID int64) {
	s.db.AfterCommit(tx, func() {
		s.cache.dropRental(rentalID)
		s.mu.RLock()
		defer s.mu.RUnlock()
		for _, fn := range s.revoked {
			fn(rentalID)
		}
	})
}

// PutPort adds or updates a port.
func (s *Service) PutPort(ctx context.Context, p Port) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.ValidUpstream(p.Upstream); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO proxy_ports (id, location, carrier, redial_minutes, capacity, exclusive_allowed,
			upstream, redial_action, redial_timeout, enabled, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (id) DO UPDATE SET location = excluded.location, carrier = excluded.carrier,
			  redial_minutes = excluded.redial_minutes, capacity = excluded.capacity,
			  exclusive_allowed = excluded.exclusive_allowed, upstream = excluded.upstream,
			  redial_action = excluded.redial_action, redial_timeout = excluded.redial_timeout, enabled = excluded.enabled`,
			p.ID, p.Location, p.Carrier, p.RedialMinutes, p.Capacity, p.ExclusiveAllowed, p.Upstream, p.RedialAction,
			int64(p.RedialTimeout/time.Second), p.Enabled, s.clock.Now().Unix())
		return err
	})
}

const portColumns = `p.id, p.location, p.carrier, p.redial_minutes, p.capacity, p.exclusive_allowed, p.upstream,
	p.redial_action, p.redial_timeout, p.enabled, p.last_redial_at`

func scanPort(row interface{ Scan(...any) error }) (Port, error) {
	var p Port
	var timeout int64
	err := row.Scan(&p.ID, &p.Location, &p.Carrier, &p.RedialMinutes, &p.Capacity, &p.ExclusiveAllowed, &p.Upstream,
		&p.RedialAction, &timeout, &p.Enabled, &p.LastRedialAt)
	p.RedialTimeout = time.Duration(timeout) * time.Second
	return p, err
}

// Port returns one port.
func (s *Service) Port(ctx context.Context, id string) (Port, error) {
	p, err := scanPort(s.db.R.QueryRowContext(ctx, `SELECT `+portColumns+` FROM proxy_ports p WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Port{}, ErrNoPort
	}
	return p, err
}

// ListPorts returns every port with its current leases, their services and
// whether it is rented exclusively, ordered by port id. Disabled ports are
// included only when all is true.
func (s *Service) ListPorts(ctx context.Context, all bool) ([]Port, error) {
	where := ` WHERE p.enabled`
	if all {
		where = ""
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+portColumns+` FROM proxy_ports p`+where+` ORDER BY p.id`)
	if err != nil {
		return nil, err
	}
	var ports []Port
	index := map[string]int{}
	for rows.Next() {
		p, err := scanPort(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[p.ID] = len(ports)
		ports = append(ports, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	leases, err := s.db.R.QueryContext(ctx, `SELECT port_id, service, exclusive FROM proxy_rentals
		WHERE status = 'active' AND expires_at > $1 ORDER BY id`, s.clock.Now().Unix())
	if err != nil {
		return nil, err
	}
	defer leases.Close()
	for leases.Next() {
		var (
			port, service string
			exclusive     bool
		)
		if err := leases.Scan(&port, &service, &exclusive); err != nil {
			return nil, err
		}
		i, ok := index[port]
		if !ok {
			continue
		}
		ports[i].Leases++
		ports[i].Exclusive = ports[i].Exclusive || exclusive
		if !containsFold(ports[i].Services, service) {
			ports[i].Services = append(ports[i].Services, service)
		}
	}
	return ports, leases.Err()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// SetPortEnabled enables or disables a port; a disabled port takes no new
// rentals (current ones run to their end).
func (s *Service) SetPortEnabled(ctx context.Context, id string, enabled bool) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE proxy_ports SET enabled = $1 WHERE id = $2`, enabled, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoPort
		}
		return nil
	})
}
