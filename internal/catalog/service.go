// Package catalog holds the services numbers are rented for (Google, Amazon,
// ...), their prices and reservation lifetimes, and the approximate
// availability that list_services shows.
package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"mdnhub/internal/clock"
	"mdnhub/internal/db"
)

// ErrUnknownService is returned for a service name that is not in the catalog.
var ErrUnknownService = errors.New("unknown service")

// ErrInvalid is returned for a service definition that breaks a rule.
var ErrInvalid = errors.New("invalid service")

// Service is one verification service with its prices in cents.
type Service struct {
	ID                 int64
	Name               string
	PriceCents         int64
	LTRPriceCents      int64
	LTRShortPriceCents int64
	Lifetime           time.Duration
	Enabled            bool
}

// Availability is the approximate count of numbers for a service.
type Availability struct {
	OneTime  int64
	LongTerm int64
}

// Catalog manages services.
type Catalog struct {
	db              *db.DB
	clock           clock.Clock
	defaultLifetime time.Duration

	mu        sync.RWMutex
	avail     map[int64]Availability
	availTime time.Time
}

// New returns the catalog; services created without a lifetime get
// defaultLifetime.
func New(d *db.DB, c clock.Clock, defaultLifetime time.Duration) *Catalog {
	return &Catalog{db: d, clock: c, defaultLifetime: defaultLifetime}
}

const serviceColumns = `id, name, price_cents, ltr_price_cents, ltr_short_price_cents, lifetime_seconds, enabled`

func scanService(row interface{ Scan(...any) error }) (Service, error) {
	var s Service
	var lifetime int64
	err := row.Scan(&s.ID, &s.Name, &s.PriceCents, &s.LTRPriceCents, &s.LTRShortPriceCents, &lifetime, &s.Enabled)
	s.Lifetime = time.Duration(lifetime) * time.Second
	return s, err
}

// Lookup finds an enabled service by name, case-insensitively.
func (c *Catalog) Lookup(ctx context.Context, name string) (Service, error) {
	s, err := scanService(c.db.R.QueryRowContext(ctx,
		`SELECT `+serviceColumns+` FROM services WHERE name_key = $1 AND enabled`, strings.ToLower(strings.TrimSpace(name))))
	if errors.Is(err, sql.ErrNoRows) {
		return Service{}, ErrUnknownService
	}
	return s, err
}

// List returns every enabled service, by name.
func (c *Catalog) List(ctx context.Context) ([]Service, error) {
	rows, err := c.db.R.QueryContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE enabled ORDER BY name_key`)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanService)
}

// Put creates or updates a service by name (case-insensitive). A zero
// lifetime means the configured default.
func (c *Catalog) Put(ctx context.Context, s Service) (Service, error) {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len(s.Name) > 64 || strings.ContainsAny(s.Name, ",\t\r\n") {
		return s, fmt.Errorf("%w: name must be 1 to 64 characters without commas", ErrInvalid)
	}
	if s.PriceCents < 0 || s.LTRPriceCents < 0 || s.LTRShortPriceCents < 0 {
		return s, fmt.Errorf("%w: prices must not be negative", ErrInvalid)
	}
	if s.Lifetime == 0 {
		s.Lifetime = c.defaultLifetime
	}
	if s.Lifetime < time.Second || s.Lifetime > 24*time.Hour {
		return s, fmt.Errorf("%w: lifetime must be between 1s and 24h", ErrInvalid)
	}
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO services (name, name_key, price_cents, ltr_price_cents, ltr_short_price_cents, lifetime_seconds, enabled, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			 ON CONFLICT (name_key) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents,
			   ltr_price_cents = excluded.ltr_price_cents, ltr_short_price_cents = excluded.ltr_short_price_cents,
			   lifetime_seconds = excluded.lifetime_seconds, enabled = excluded.enabled
			 RETURNING id`,
			s.Name, strings.ToLower(s.Name), s.PriceCents, s.LTRPriceCents, s.LTRShortPriceCents,
			int64(s.Lifetime/time.Second), s.Enabled, c.clock.Now().Unix()).Scan(&s.ID)
	})
	return s, err
}
