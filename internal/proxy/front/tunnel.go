package front

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	// errLimit refuses a connection over Options.MaxConnsPerRental.
	errLimit = errors.New("too many connections for this rental")
	// errTunnelClosed reports a tunnel closed (revoked, expired, front
	// closing) while it was being set up.
	errTunnelClosed = errors.New("tunnel closed during set-up")
)

// rental is the front's view of one rental: its tunnels, open or being
// set up, and whether it has ended.
type rental struct {
	id      int64
	label   string // the rental id as a metric label
	tunnels map[*tunnel]struct{}
	// the rental's series, looked up once and used by its tunnels; forget
	// deletes them, with the rental, once no tunnel is left to use them.
	up, down prometheus.Counter
	open     prometheus.Gauge
	// ended is set by Revoke, by an expired lease and by a recheck that
	// found the rental inactive: its metric series go with its last tunnel.
	ended bool
}

// tunnel is one client connection of a rental, from reservation (before
// the upstream is dialled, so it counts against the limit and Revoke
// aborts the dial) to release.
type tunnel struct {
	f        *Front
	r        *rental
	lease    Lease
	authAt   time.Time // when its credentials were checked
	listener string
	// ctx is cancelled when the tunnel closes, aborting its dial.
	ctx    context.Context
	cancel context.CancelFunc
	expiry *time.Timer
	// the rental's metric series
	up, down prometheus.Counter
	open     prometheus.Gauge
	// bytesUp and bytesDown count what the copy delivered each way, one
	// atomic add per write; the sweep turns them into metrics and sees
	// idleness from them.
	bytesUp, bytesDown atomic.Uint64
	// halves counts the copy directions still running.
	halves atomic.Int32

	mu          sync.Mutex
	closed      bool
	finished    bool // final byte counts reported: sampling stops
	established bool
	client      net.Conn
	upstream    net.Conn
	// reported bytes per direction so far, and the total at the last
	// sample and when it last changed (idle detection).
	reportedUp, reportedDown uint64
	activity                 uint64
	lastActive               time.Time
}

// reserve admits a new tunnel for lease before its upstream is dialled:
// it refuses expired leases, leases revoked after authAt, and rentals at
// their connection limit.
func (f *Front) reserve(lease Lease, authAt time.Time, listener string) (*tunnel, error) {
	if !lease.ExpiresAt.IsZero() && !time.Now().Before(lease.ExpiresAt) {
		return nil, ErrDenied
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, ErrClosed
	}
	if at, ok := f.revokedAt[lease.RentalID]; ok && !authAt.After(at) {
		return nil, ErrDenied
	}
	r := f.rentals[lease.RentalID]
	if r == nil {
		label := strconv.FormatInt(lease.RentalID, 10)
		r = &rental{
			id: lease.RentalID, label: label, tunnels: make(map[*tunnel]struct{}),
			up:   f.metrics.bytes.WithLabelValues(label, "up"),
			down: f.metrics.bytes.WithLabelValues(label, "down"),
			open: f.metrics.open.WithLabelValues(label),
		}
		f.rentals[lease.RentalID] = r
	}
	if len(r.tunnels) >= f.opt.MaxConnsPerRental {
		return nil, errLimit
	}
	r.ended = false
	// Not derived from f.ctx: Close closes every tunnel, which cancels
	// this, and a child of f.ctx would cost a registration on a context
	// every connection shares.
	ctx, cancel := context.WithCancel(context.Background())
	t := &tunnel{
		f: f, r: r, lease: lease, authAt: authAt, listener: listener,
		ctx: ctx, cancel: cancel,
		up: r.up, down: r.down, open: r.open,
	}
	r.tunnels[t] = struct{}{}
	if !lease.ExpiresAt.IsZero() {
		t.expiry = time.AfterFunc(time.Until(lease.ExpiresAt), t.expire)
	}
	return t, nil
}

// forget drops a rental without tunnels and its metric series, which keeps
// the series' cardinality to the rentals alive. f.mu must be held.
func (f *Front) forget(r *rental) {
	if f.rentals[r.id] == r {
		delete(f.rentals, r.id)
	}
	f.metrics.bytes.DeleteLabelValues(r.label, "up")
	f.metrics.bytes.DeleteLabelValues(r.label, "down")
	f.metrics.open.DeleteLabelValues(r.label)
}

// expire closes the tunnel when its lease runs out.
func (t *tunnel) expire() {
	t.f.mu.Lock()
	t.r.ended = true
	t.f.mu.Unlock()
	t.close("lease expired")
}

// setUpstream hands the dialled upstream connection to the tunnel, so that
// closing the tunnel closes it; if the tunnel was closed meanwhile, the
// connection is closed and errTunnelClosed returned.
func (t *tunnel) setUpstream(c net.Conn) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		c.Close() //nolint:errcheck // the tunnel is gone
		return errTunnelClosed
	}
	t.upstream = c
	return nil
}

// establish makes the tunnel live once the client was told it succeeded:
// from here it owns client (nil for a forwarded plain HTTP request), is
// sampled and counts as open.
func (t *tunnel) establish(client net.Conn) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return errTunnelClosed
	}
	t.client, t.established, t.lastActive = client, true, time.Now()
	t.mu.Unlock()
	t.open.Inc()
	t.f.metrics.count(t.listener, resultOK)
	return nil
}

// close closes the tunnel's connections, which ends its copying, and
// aborts a dial in progress. It may be called any number of times, from
// any goroutine.
func (t *tunnel) close(reason string) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.closed = true
	client, upstream := t.client, t.upstream
	t.mu.Unlock()
	t.cancel()
	if t.expiry != nil {
		t.expiry.Stop()
	}
	if client != nil {
		client.Close() //nolint:errcheck // closing is the point
	}
	if upstream != nil {
		upstream.Close() //nolint:errcheck // closing is the point
	}
	if t.f.log.Enabled(context.Background(), slog.LevelDebug) {
		t.f.log.Debug("proxy tunnel closed", "rental", t.lease.RentalID, "listener", t.listener, "reason", reason)
	}
}

// sample reports the bytes moved since the last sample and tells whether
// the tunnel has been idle for longer than idle.
func (t *tunnel) sample(now time.Time, idle time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.established || t.closed || t.finished {
		return false
	}
	up, down := t.bytesUp.Load(), t.bytesDown.Load()
	t.report(up, down)
	if activity := up + down; activity != t.activity {
		t.activity, t.lastActive = activity, now
		return false
	}
	return now.Sub(t.lastActive) >= idle
}

// finish reports the final byte counts of a tunnel that has stopped
// copying.
func (t *tunnel) finish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.report(t.bytesUp.Load(), t.bytesDown.Load())
	t.finished = true
}

// report adds what the counters do not have yet. t.mu must be held.
func (t *tunnel) report(up, down uint64) {
	if up > t.reportedUp {
		t.up.Add(float64(up - t.reportedUp))
		t.reportedUp = up
	}
	if down > t.reportedDown {
		t.down.Add(float64(down - t.reportedDown))
		t.reportedDown = down
	}
}

// release closes the tunnel and removes it from its rental; it is called
// exactly once, by whoever is done with the tunnel last.
func (t *tunnel) release() {
	t.close("done")
	f := t.f
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(t.r.tunnels, t)
	if t.established {
		t.open.Dec()
	}
	if len(t.r.tunnels) == 0 && t.r.ended {
		f.forget(t.r)
	}
}
