package message

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// waiters are the long-polls (read_sms wait) and subscriptions waiting for
// a user's messages. A waiter is a map entry and a channel that holds one
// signal; it has no timer of its own and reads nothing while it waits. It is
// signalled when the change feed says its user changed: a message stored by
// this process (Deliver touches its users), or by another process, heard
// through the feed (PostgreSQL notifications, SQLite's look at other
// processes' commits, which signals everyone). One goroutine, running only
// while there are waiters, ends the waits whose time is up and, while the
// feed cannot hear other processes, signals every waiter once a second so
// that each looks for itself.
type waiters struct {
	hearing func() bool // the change feed hears other processes now

	mu       sync.Mutex
	m        map[int64]map[*waiter]struct{}
	n        int
	sweeping bool
}

type waiter struct {
	ch       chan struct{}
	deadline time.Time // zero: none
	expired  atomic.Bool
}

// sweepEvery is how often waits are checked for their end; a wait may last
// up to this much longer than asked.
const sweepEvery = 50 * time.Millisecond

// pollEvery is how often waiters look for themselves while the change feed
// cannot hear other processes.
const pollEvery = time.Second

func (w *waiters) add(userID int64, deadline time.Time) *waiter {
	wt := &waiter{ch: make(chan struct{}, 1), deadline: deadline}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[int64]map[*waiter]struct{}{}
	}
	if w.m[userID] == nil {
		w.m[userID] = map[*waiter]struct{}{}
	}
	w.m[userID][wt] = struct{}{}
	w.n++
	if !w.sweeping {
		w.sweeping = true
		go w.sweep()
	}
	return wt
}

func (w *waiters) remove(userID int64, wt *waiter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.m[userID][wt]; !ok {
		return
	}
	delete(w.m[userID], wt)
	w.n--
	if len(w.m[userID]) == 0 {
		delete(w.m, userID)
	}
}

func (wt *waiter) signal() {
	select {
	case wt.ch <- struct{}{}:
	default:
	}
}

// changed is the change feed's listener: it signals the users' waiters, or
// everyone's when all.
func (w *waiters) changed(users []int64, all bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if all {
		for _, ws := range w.m {
			for wt := range ws {
				wt.signal()
			}
		}
		return
	}
	for _, id := range users {
		for wt := range w.m[id] {
			wt.signal()
		}
	}
}

// sweep ends the waits whose time is up, and makes everyone look while the
// feed is deaf; it returns when no one waits.
func (w *waiters) sweep() {
	lastPoll := time.Now()
	for {
		time.Sleep(sweepEvery)
		now := time.Now()
		poll := false
		if now.Sub(lastPoll) >= pollEvery {
			lastPoll = now
			poll = w.hearing == nil || !w.hearing()
		}
		w.mu.Lock()
		if w.n == 0 {
			w.sweeping = false
			w.mu.Unlock()
			return
		}
		for _, ws := range w.m {
			for wt := range ws {
				if !wt.deadline.IsZero() && !now.Before(wt.deadline) {
					wt.expired.Store(true)
					wt.signal()
				} else if poll {
					wt.signal()
				}
			}
		}
		w.mu.Unlock()
	}
}

// MaxWait is the longest long-poll read_sms accepts.
const MaxWait = 60 * time.Second

// ReadWait is Read that, when nothing matches, waits up to wait for a
// matching message and answers as soon as one arrives (or with nothing at
// the end, or when ctx ends).
func (s *Service) ReadWait(ctx context.Context, f Filter, wait time.Duration) ([]Message, error) {
	// Wait before the first look, so that nothing falls between the two.
	wt := s.waiters.add(f.UserID, time.Now().Add(min(wait, MaxWait)))
	defer s.waiters.remove(f.UserID, wt)
	for {
		ms, err := s.readApart(ctx, f)
		if err != nil || len(ms) > 0 {
			return ms, err
		}
		select {
		case <-wt.ch:
			if wt.expired.Load() {
				return nil, nil
			}
		case <-ctx.Done():
			return nil, nil
		}
	}
}

// readApart is Read on a goroutine of its own. A query through the SQLite
// driver grows the stack of the goroutine that runs it to tens of
// kilobytes, and a long-poll would keep that stack for its whole wait (the
// runtime shrinks stacks only at a garbage collection, and seldom while
// nothing allocates); the helper's stack goes back when it ends. At most
// maxApart helpers run at once: a burst of messages wakes thousands of
// waiters together, and each running helper holds such a stack.
func (s *Service) readApart(ctx context.Context, f Filter) ([]Message, error) {
	type result struct {
		ms  []Message
		err error
	}
	select {
	case s.apart <- struct{}{}:
	case <-ctx.Done():
		return nil, nil
	}
	ch := make(chan result, 1)
	go func() {
		defer func() { <-s.apart }()
		ms, err := s.Read(ctx, f)
		ch <- result{ms, err}
	}()
	r := <-ch
	return r.ms, r.err
}

// maxApart bounds the long-poll reads running at once (see readApart).
const maxApart = 8
