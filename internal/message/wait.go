package message

import (
	"context"
	"sync"
	"time"
)

// waiters wakes long-polling readers of a user when a message for that user
// commits on this node. Readers also re-query every second, which covers
// messages stored by other nodes or processes.
type waiters struct {
	mu sync.Mutex
	m  map[int64]map[chan struct{}]struct{}
}

func (w *waiters) add(userID int64) chan struct{} {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[int64]map[chan struct{}]struct{}{}
	}
	if w.m[userID] == nil {
		w.m[userID] = map[chan struct{}]struct{}{}
	}
	w.m[userID][ch] = struct{}{}
	return ch
}

func (w *waiters) remove(userID int64, ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.m[userID], ch)
	if len(w.m[userID]) == 0 {
		delete(w.m, userID)
	}
}

func (w *waiters) wake(userID int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.m[userID] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// MaxWait is the longest long-poll read_sms accepts.
const MaxWait = 60 * time.Second

// ReadWait is Read that, when nothing matches, waits up to wait for a
// matching message and answers as soon as one arrives (or with nothing at
// the end, or when ctx ends).
func (s *Service) ReadWait(ctx context.Context, f Filter, wait time.Duration) ([]Message, error) {
	ch := s.waiters.add(f.UserID)
	defer s.waiters.remove(f.UserID, ch)
	deadline := time.NewTimer(min(wait, MaxWait))
	defer deadline.Stop()
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		ms, err := s.Read(ctx, f)
		if err != nil || len(ms) > 0 {
			return ms, err
		}
		select {
		case <-ch:
		case <-poll.C:
		case <-deadline.C:
			return nil, nil
		case <-ctx.Done():
			return nil, nil
		}
	}
}
