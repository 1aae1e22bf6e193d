package front

import (
	"context"
	"time"
)

// sweepLoop samples every live tunnel: it brings the byte counters up to
// date and closes tunnels idle for Options.IdleTimeout.
func (f *Front) sweepLoop() {
	defer f.wg.Done()
	// A quarter of the idle timeout keeps the overshoot small; the recheck
	// interval keeps byte counters about as fresh as rental state.
	every := max(min(f.opt.RecheckInterval, f.opt.IdleTimeout/4), 10*time.Millisecond)
	tick := time.NewTicker(every)
	defer tick.Stop()
	var tunnels []*tunnel
	for {
		select {
		case <-f.ctx.Done():
			return
		case now := <-tick.C:
			tunnels = f.liveTunnels(tunnels[:0], now)
			for i, t := range tunnels {
				if t.sample(now, f.opt.IdleTimeout) {
					t.close("idle")
				}
				tunnels[i] = nil // let closed tunnels go
			}
		}
	}
}

// liveTunnels appends every tunnel to dst, and forgets Revoke calls too
// old to matter.
func (f *Front) liveTunnels(dst []*tunnel, now time.Time) []*tunnel {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rentals {
		for t := range r.tunnels {
			dst = append(dst, t)
		}
	}
	for id, at := range f.revokedAt {
		if now.Sub(at) > revokeMemory {
			delete(f.revokedAt, id)
		}
	}
	return dst
}

// recheckLoop asks the Authenticator, every RecheckInterval, which of the
// rentals known here are still active, and ends the others: that covers
// rentals ended or swapped through another node, whose Revoke ran there.
func (f *Front) recheckLoop() {
	defer f.wg.Done()
	tick := time.NewTicker(f.opt.RecheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-f.ctx.Done():
			return
		case <-tick.C:
			f.recheck()
		}
	}
}

func (f *Front) recheck() {
	start := time.Now()
	f.mu.Lock()
	ids := make([]int64, 0, len(f.rentals))
	for id := range f.rentals {
		ids = append(ids, id)
	}
	f.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(f.ctx, max(f.opt.RecheckInterval, authTimeout))
	active, err := f.auth.Active(ctx, ids)
	cancel()
	if err != nil {
		// Keep the tunnels: the store being unreachable for a moment must
		// not cut every customer off. Expiry timers still apply.
		if f.ctx.Err() == nil {
			f.log.Warn("proxy rental recheck failed", "err", err)
		}
		return
	}
	var ended []*tunnel
	f.mu.Lock()
	for _, id := range ids {
		r := f.rentals[id]
		if r == nil || active[id] {
			continue
		}
		fresh := false
		for t := range r.tunnels {
			// A tunnel authenticated after the question was asked is
			// newer than the answer (a renewal, a swap back).
			if t.authAt.Before(start) {
				ended = append(ended, t)
			} else {
				fresh = true
			}
		}
		if !fresh {
			r.ended = true
		}
		if len(r.tunnels) == 0 {
			f.forget(r)
		}
	}
	f.mu.Unlock()
	for _, t := range ended {
		t.close("rental no longer active")
	}
}
