package account

import (
	"sync"
	"time"
)

// authCache remembers recently verified (login, key hash) pairs. It is
// bounded: when full, an arbitrary entry is evicted (map iteration order is
// random, which is as good as LRU for this access pattern and needs no list).
//
// Entries are only as good as the last word from the database about changes
// of keys, suspensions and per-account settings, made by this process or any
// other. The word comes one of two ways:
//
//   - checked (the default, and SQLite's only way): before each use the
//     caller reads the database's change count (auth_epoch) and passes it to
//     sync; a count other than the one the entries were verified under drops
//     them all.
//   - notified (PostgreSQL while a LISTEN connection is up, see Watch): the
//     database sends the id of every changed user, and dropUser forgets that
//     user's entries; no read per call.
//
// gen guards against the race of a verification that read the database
// before a change and stores its result after the change was heard: every
// drop bumps gen, and put stores nothing when gen moved since the caller
// looked.
type authCache struct {
	mu       sync.Mutex
	ttl      time.Duration
	max      int
	entries  map[authKey]authEntry
	gen      uint64
	epoch    int64 // the change count the entries were verified under (checked mode)
	notified bool
}

type authKey struct{ login, keyHash string }

type authEntry struct {
	p       Principal
	expires time.Time
}

// epochUnknown is no change count the database ever has.
const epochUnknown = -1

func newAuthCache(ttl time.Duration, max int) *authCache {
	return &authCache{ttl: ttl, max: max, entries: make(map[authKey]authEntry), epoch: epochUnknown}
}

// enabled reports whether the cache keeps anything at all.
func (c *authCache) enabled() bool { return c.ttl > 0 && c.max > 0 }

// state returns the generation to pass to put, and whether changes arrive by
// notification (else the caller must sync with the database's count first).
func (c *authCache) state() (gen uint64, notified bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, c.notified
}

// sync brings the cache to the database's change count epoch, dropping every
// entry when it differs from the one they were verified under, and returns
// the generation to pass to put.
func (c *authCache) sync(epoch int64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		c.clearLocked()
		c.epoch = epoch
	}
	return c.gen
}

func (c *authCache) get(login, keyHash string, now time.Time) (Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[authKey{login, keyHash}]
	if !ok || now.After(e.expires) {
		return Principal{}, false
	}
	return e.p, true
}

// put stores a verified principal unless the cache was dropped since gen was
// taken (the verification may predate the change that caused the drop).
func (c *authCache) put(login, keyHash string, p Principal, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	for k := range c.entries {
		if len(c.entries) < c.max {
			break
		}
		delete(c.entries, k)
	}
	c.entries[authKey{login, keyHash}] = authEntry{p: p, expires: now.Add(c.ttl)}
}

// dropUser forgets every cached key of a user, so a change takes effect at once.
func (c *authCache) dropUser(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if e.p.UserID == userID {
			delete(c.entries, k)
		}
	}
}

// clear forgets everything.
func (c *authCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
}

func (c *authCache) clearLocked() {
	c.gen++
	clear(c.entries)
}

// setNotified switches between notified and checked mode. Either way the
// cache starts empty: changes made while no notification could arrive were
// not heard, and the entries' count is unknown.
func (c *authCache) setNotified(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
	c.notified = on
	c.epoch = epochUnknown
}

// isNotified reports whether changes arrive by notification now.
func (c *authCache) isNotified() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.notified
}
