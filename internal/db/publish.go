package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL a process tells the others which users its transactions
// changed by a notification on ChangeChannel, sent after the commit by a
// publisher on a connection of its own, not by NOTIFY inside the
// transaction: PostgreSQL lets one transaction that notified commit at a
// time, holding a global lock while its commit record reaches the disk, so
// notifying inside every write transaction made PostgreSQL's commits one
// at a time (measured: request+reject cycles 30-50% faster without it).
// The publisher's connection commits without waiting for the disk
// (synchronous_commit off): a notification is not durable anyway.
//
// What a notification sent after the commit could lose, the heartbeat
// covers: a process that dies between a commit and its notification goes
// silent, and a listener that has not heard a process it knew for
// ChangeStaleness forgets it and drops every view (as after its own
// reconnection). A listener trusts nothing for two heartbeats after it
// connects, so it knows every live process before it trusts a view. Until
// its publisher has sent once, and whenever its connection is down, a
// process notifies inside its transactions as before, so a process nobody
// has heard yet loses nothing. Only servers publish (PublishAfterCommit):
// a command's few transactions always notify inside themselves, delivered
// with their commit, before the command even returns. So a change made elsewhere is still visible within
// ChangeStaleness, crash or not.
//
// A publisher's payload is "<node>:<ids>" (comma-separated user ids),
// "<node>:*" (anything may have changed) or "<node>:" (a heartbeat); a
// transaction's own is the ids alone.

// heartbeatEvery is how often a publisher that had nothing to send says it
// is alive.
const heartbeatEvery = ChangeStaleness / 4

// publisher sends what this process's commits changed to the other
// processes (PostgreSQL).
type publisher struct {
	node  string
	wake  chan struct{}
	start chan struct{} // closed by PublishAfterCommit
	once  sync.Once

	mu      sync.Mutex
	pending map[int64]struct{}
	all     bool // too many users, or unknown: anything may have changed

	// up is set while the publisher's connection has sent; while it is
	// not, transactions notify inside themselves.
	up atomic.Bool
	// dead makes the publisher behave like a process that died: it drops
	// what it holds and stops its heartbeat (tests).
	dead atomic.Bool
}

func newPublisher() *publisher {
	var b [8]byte
	rand.Read(b[:])
	return &publisher{node: hex.EncodeToString(b[:]), wake: make(chan struct{}, 1), start: make(chan struct{}),
		pending: map[int64]struct{}{}}
}

// PublishAfterCommit makes a long-running process (a server) tell the
// others what its transactions changed after their commits, by its
// publisher, instead of inside them; see above. A short-lived command does
// not call it: its few transactions notify inside themselves, delivered at
// their commit. Nothing on SQLite.
func (d *DB) PublishAfterCommit() {
	if d.pub != nil {
		d.pub.once.Do(func() { close(d.pub.start) })
	}
}

// add queues the users a committed transaction changed.
func (p *publisher) add(users []int64) {
	if len(users) == 0 {
		return
	}
	p.mu.Lock()
	if len(p.pending)+len(users) > maxTracked {
		clear(p.pending)
		p.all = true
	} else if !p.all {
		for _, u := range users {
			p.pending[u] = struct{}{}
		}
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// take returns the payloads of what is pending (none: a heartbeat) and
// empties it.
func (p *publisher) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.all {
		p.all = false
		clear(p.pending)
		return []string{p.node + ":*"}
	}
	users := make([]int64, 0, len(p.pending))
	for u := range p.pending {
		users = append(users, u)
	}
	clear(p.pending)
	return payloads(p.node+":", users)
}

// payloads are the notifications that tell users changed, each starting
// with prefix and under the size PostgreSQL allows.
func payloads(prefix string, users []int64) []string {
	var out []string
	var b strings.Builder
	for _, u := range users {
		if b.Len() > 7000 {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString(prefix)
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(u, 10))
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// notifyInTx sends the users inside tx, delivered at its commit (used
// while the publisher is not up); false when it had nothing to do. The
// payload names no process: delivered with the commit, it cannot be lost,
// and a command that notifies so and exits is no peer to miss.
func (d *DB) notifyInTx(ctx context.Context, tx *sql.Tx, users []int64) (bool, error) {
	if d.pub == nil || d.pub.up.Load() || len(users) == 0 {
		return false, nil
	}
	for _, pl := range payloads("", users) {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, ChangeChannel, pl); err != nil {
			return false, err
		}
	}
	return true, nil
}

// flushPublisher sends what the publisher still holds through the pool, when the
// process closes before its publisher could (a command that ends at once).
func (d *DB) flushPublisher() {
	if d.pub == nil || d.pub.dead.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, pl := range d.pub.take() {
		d.W.ExecContext(ctx, `SELECT pg_notify($1, $2)`, ChangeChannel, pl)
	}
}

// putBack marks everything as possibly changed after payloads were lost
// to a failed send (cheaper than parsing them back, and rare).
func (p *publisher) putBack() {
	p.mu.Lock()
	p.all = true
	p.mu.Unlock()
}

// publish runs the publisher until ctx ends, reconnecting after a loss.
func (d *DB) publish(ctx context.Context) { keepConnected(ctx, d.publishOnce) }

// publishOnce holds one connection and sends on it until it fails or ctx
// ends; up is true when it was connected.
func (d *DB) publishOnce(ctx context.Context) (up bool) {
	p := d.pub
	conn, err := d.ownConn(ctx, "mdnhub change publisher", map[string]string{"synchronous_commit": "off"})
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	defer p.up.Store(false)
	// Say at once that this process is alive, so that its changes can be
	// sent after their commits from now on.
	if !d.sendPending(ctx, conn, true) {
		return true
	}
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// Closing: send what is left, briefly.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			d.sendPending(fctx, conn, false)
			cancel()
			return true
		case <-p.wake:
		case <-tick.C:
		}
		if !d.sendPending(ctx, conn, true) {
			return true
		}
	}
}

// sendPending sends what is pending, or a heartbeat when nothing is and
// beat is set; false when the connection failed.
func (d *DB) sendPending(ctx context.Context, conn *pgx.Conn, beat bool) bool {
	p := d.pub
	payloads := p.take()
	if p.dead.Load() {
		return true
	}
	if len(payloads) == 0 {
		if !beat {
			return true
		}
		payloads = []string{p.node + ":"}
	}
	for _, pl := range payloads {
		sctx, cancel := context.WithTimeout(ctx, ChangeStaleness/2)
		_, err := conn.Exec(sctx, `SELECT pg_notify($1, $2)`, ChangeChannel, pl)
		cancel()
		if err != nil {
			p.up.Store(false)
			p.putBack()
			return false
		}
	}
	p.up.Store(true)
	return true
}

// peers are the other processes a listener has heard, by node, with when
// it last heard each (listener's goroutine only).
type peers map[string]time.Time

// heard handles one notification: the users it names changed (nil, all:
// anything may have changed); self is true for this process's own.
func (d *DB) heard(ps peers, payload string, now time.Time) (users []int64, all, self bool) {
	ids := payload
	if node, rest, ok := strings.Cut(payload, ":"); ok {
		if d.pub != nil && node == d.pub.node {
			return nil, false, true
		}
		ps[node] = now
		if rest == "" {
			return nil, false, false // a heartbeat
		}
		if rest == "*" {
			return nil, true, false
		}
		ids = rest
	}
	for _, f := range strings.Split(ids, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			users = append(users, id)
		}
	}
	return users, len(users) == 0, false
}

// silent forgets the peers not heard for ChangeStaleness and reports
// whether there were any: their last changes may never have been told.
func (ps peers) silent(now time.Time) bool {
	lost := false
	for node, at := range ps {
		if now.Sub(at) > ChangeStaleness {
			delete(ps, node)
			lost = true
		}
	}
	return lost
}
