package proxy

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"mdnhub/internal/db"
)

// authCache remembers verified proxy credentials briefly: every proxy
// connection authenticates. A change on this node drops the rental at once;
// other nodes see it within the TTL, and the front's periodic Active check
// closes their tunnels.
type authCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]cached
}

type cached struct {
	lease   Lease
	expires time.Time
}

func newAuthCache(ttl time.Duration) *authCache {
	return &authCache{ttl: ttl, entries: map[string]cached{}}
}

func (c *authCache) get(key string, now time.Time) (Lease, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.After(e.expires) || !now.Before(e.lease.ExpiresAt) {
		return Lease{}, false
	}
	return e.lease, true
}

func (c *authCache) put(key string, l Lease, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 100000 {
		clear(c.entries)
	}
	c.entries[key] = cached{lease: l, expires: now.Add(c.ttl)}
}

func (c *authCache) dropRental(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.lease.RentalID == id {
			delete(c.entries, k)
		}
	}
}

// Authenticate checks proxy credentials (the proxy front's Authenticator).
func (s *Service) Authenticate(ctx context.Context, user, pass string) (Lease, error) {
	if user == "" || pass == "" || len(user) > 128 || len(pass) > 128 {
		return Lease{}, ErrDenied
	}
	user = strings.ToLower(user)
	key := user + "\x00" + hashPass(pass)
	now := s.clock.Now()
	if l, ok := s.cache.get(key, now); ok {
		return l, nil
	}
	var (
		l        Lease
		hash     string
		expires  int64
		upstream string
	)
	err := s.db.R.QueryRowContext(ctx, `SELECT r.id, r.port_id, r.pass_hash, r.expires_at, p.upstream
		FROM proxy_rentals r JOIN proxy_ports p ON p.id = r.port_id
		WHERE r.proxy_user = $1 AND r.status = 'active'`, user).Scan(&l.RentalID, &l.Port, &hash, &expires, &upstream)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, ErrDenied
	}
	if err != nil {
		return Lease{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashPass(pass))) != 1 || expires <= now.Unix() {
		return Lease{}, ErrDenied
	}
	l.Upstream, l.ExpiresAt = upstream, time.Unix(expires, 0)
	s.cache.put(key, l, now)
	return l, nil
}

// Active tells which rentals are still active (the proxy front's Authenticator).
func (s *Service) Active(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	a := s.db.NewArgs()
	q := `SELECT id FROM proxy_rentals WHERE status = 'active' AND expires_at > ` + a.Add(s.clock.Now().Unix()) +
		` AND id IN (` + a.In(db.Anys(ids)...) + `)`
	rows, err := s.db.R.QueryContext(ctx, q, a.List()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
