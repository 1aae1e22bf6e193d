package account

import (
	"sync"
	"time"
)

// authCache remembers recently verified (login, key hash) pairs. It is
// bounded: when full, an arbitrary entry is evicted (map iteration order is
// random, which is as good as LRU for this access pattern and needs no list).
type authCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[authKey]authEntry
}

type authKey struct{ login, keyHash string }

type authEntry struct {
	p       Principal
	expires time.Time
}

func newAuthCache(ttl time.Duration, max int) *authCache {
	return &authCache{ttl: ttl, max: max, entries: make(map[authKey]authEntry)}
}

func (c *authCache) get(login, keyHash string, now time.Time) (Principal, bool) {
	if c.ttl <= 0 || c.max <= 0 {
		return Principal{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[authKey{login, keyHash}]
	if !ok || now.After(e.expires) {
		return Principal{}, false
	}
	return e.p, true
}

func (c *authCache) put(login, keyHash string, p Principal, now time.Time) {
	if c.ttl <= 0 || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if len(c.entries) < c.max {
			break
		}
		delete(c.entries, k)
	}
	c.entries[authKey{login, keyHash}] = authEntry{p: p, expires: now.Add(c.ttl)}
}

// dropUser forgets every cached key of a user, so a new key takes effect at once.
func (c *authCache) dropUser(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.p.UserID == userID {
			delete(c.entries, k)
		}
	}
}
