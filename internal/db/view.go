package db

import "sync"

// View keeps values read from the database, each belonging to one user, so
// that a polling command asking again for what did not change costs a map
// lookup. A value is kept with the change feed's sequence number taken
// before it was read, and served only while the feed says its user has not
// changed since (see UnchangedSince): the database stays the truth, and a
// transaction that changes what a view holds must Touch the user. Bounded:
// when full, an arbitrary value is dropped.
type View[K comparable, V any] struct {
	d   *DB
	max int
	mu  sync.RWMutex
	m   map[K]viewEntry[V]
}

type viewEntry[V any] struct {
	user int64
	seq  uint64
	v    V
}

// NewView returns an empty view of at most max values.
func NewView[K comparable, V any](d *DB, max int) *View[K, V] {
	return &View[K, V]{d: d, max: max, m: make(map[K]viewEntry[V])}
}

// Get returns the value of k, which belongs to user: the kept one while
// nothing of user changed since it was read, else load's, kept for next
// time. Errors are not kept.
func (v *View[K, V]) Get(user int64, k K, load func() (V, error)) (V, error) {
	v.mu.RLock()
	e, ok := v.m[k]
	v.mu.RUnlock()
	if ok && e.user == user && v.d.UnchangedSince(user, e.seq) {
		return e.v, nil
	}
	seq := v.d.ChangeSeq()
	val, err := load()
	if err != nil || !v.d.Hearing() {
		return val, err
	}
	v.mu.Lock()
	if len(v.m) >= v.max {
		for old := range v.m {
			delete(v.m, old)
			break
		}
	}
	v.m[k] = viewEntry[V]{user: user, seq: seq, v: val}
	v.mu.Unlock()
	return val, nil
}

// Len is the number of values kept.
func (v *View[K, V]) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.m)
}
