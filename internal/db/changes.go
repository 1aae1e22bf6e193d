package db

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The change feed tells in-memory views of the database (a user's balance,
// requests and messages, kept so that polling commands cost a map lookup)
// when what they hold may have changed. The database stays the truth: a view
// keeps a value only with the feed's sequence number taken before it read
// it, and trusts it only while UnchangedSince says no change of that user
// happened since.
//
// Where changes come from:
//   - this process: a transaction names the users it changed (Touch); after
//     it commits, the feed records them and tells the listeners (OnChange).
//   - other processes on PostgreSQL: after a transaction that touched users
//     commits, the process's publisher sends their ids on ChangeChannel, and
//     says it is alive when it has nothing to send (see publish.go); each
//     process listens on its own connection and drops every view when a
//     process it heard goes quiet. While that connection is down (and
//     before it is first up) nothing is trusted: views read the database.
//   - other processes on SQLite (the operator's commands, a second server on
//     the same file): a watcher reads PRAGMA data_version on the writer
//     connection, which moves only when another connection committed, every
//     ChangePoll, and at once when a view finds the file's commit mark
//     (CommitMark) at a commit this process does not know of; then
//     everything is dropped. A view trusts nothing when the last look is
//     older than ChangeStaleness.
// So a change made elsewhere is visible in this process within
// ChangeStaleness; on SQLite by the next call that asks, on PostgreSQL as
// soon as its notification arrives.

// ChangeChannel is PostgreSQL's notification channel of the change feed:
// each process publishes there the ids of the users its committed
// transactions changed, and its heartbeat (see publish.go).
const ChangeChannel = "mdnhub_change"

// How often SQLite's watcher looks for other processes' commits, and how old
// its last look may be for views to trust what they hold; pokeGap is the
// least time between two looks asked for by a view that saw an unknown
// commit.
const (
	ChangePoll      = 100 * time.Millisecond
	ChangeStaleness = time.Second
	pokeGap         = 5 * time.Millisecond
)

// feed is the change feed of one DB.
type feed struct {
	seq   atomic.Uint64
	allAt atomic.Uint64 // the last time everything may have changed
	// live is when changes made elsewhere were last known to be heard
	// (unix nanoseconds; 0: not heard).
	live atomic.Int64

	mu   sync.RWMutex
	last map[int64]uint64 // user → the sequence number of its last change

	lmu       sync.RWMutex
	listeners []func(users []int64, all bool)

	// known is the SQLite commit mark (see CommitMark) after the last
	// commit this process knows of: its own, or whatever its watcher last
	// looked at. A different mark means a commit it has not accounted for,
	// perhaps another process's: views are not trusted until the watcher,
	// poked at once, has looked (so an operator's command is seen by the
	// next call, not up to ChangePoll later).
	known atomic.Pointer[CommitMark]
	poke  chan struct{}

	stop context.CancelFunc
	done chan struct{}
}

// maxTracked bounds the users the feed remembers; past it, it forgets them
// all and counts that as a change of everything.
const maxTracked = 1 << 20

func newFeed() *feed { return &feed{last: map[int64]uint64{}, poke: make(chan struct{}, 1)} }

// ChangeSeq is the feed's sequence number: take it before reading what a
// view will keep.
func (d *DB) ChangeSeq() uint64 { return d.feed.seq.Load() }

// UnchangedSince reports whether nothing of user changed since seq was
// taken, as far as this process can know: false while changes made
// elsewhere may go unheard.
func (d *DB) UnchangedSince(user int64, seq uint64) bool {
	f := d.feed
	if !f.hearing() || f.allAt.Load() > seq || !d.knownCommits() {
		return false
	}
	f.mu.RLock()
	at := f.last[user]
	f.mu.RUnlock()
	return at <= seq
}

// knownCommits reports whether, on SQLite, the last commit to the file is
// one this process accounted for; if not, it pokes the watcher.
func (d *DB) knownCommits() bool {
	known := d.feed.known.Load()
	if known == nil {
		return true // PostgreSQL, or no mark to read: the watcher's poll alone
	}
	if m, ok := d.CommitMark(); ok && m == *known {
		return true
	}
	select {
	case d.feed.poke <- struct{}{}:
	default:
	}
	return false
}

// noteOwnWrite records the commit mark after a write transaction of this
// process ended (committed, or rolled back: starting one can restart the
// WAL, which moves the mark too). A commit of another process that fell
// between the two is then missed here, and found by the watcher's next
// look at data_version.
func (d *DB) noteOwnWrite() {
	if d.feed.known.Load() == nil {
		return
	}
	if m, ok := d.CommitMark(); ok {
		d.feed.known.Store(&m)
	}
}

// Hearing reports whether changes made by other processes reach this one
// now (see the change feed), so that views may keep what they read.
func (d *DB) Hearing() bool { return d.feed.hearing() }

func (f *feed) hearing() bool {
	l := f.live.Load()
	return l != 0 && time.Now().UnixNano()-l < int64(ChangeStaleness)
}

// OnChange registers fn, called after users changed (all: anything may have
// changed, such as another process's commit on SQLite). fn runs on the
// committing goroutine: it must be quick and must not use the database.
func (d *DB) OnChange(fn func(users []int64, all bool)) {
	d.feed.lmu.Lock()
	d.feed.listeners = append(d.feed.listeners, fn)
	d.feed.lmu.Unlock()
}

// changed records that users changed (or everything, when all).
func (f *feed) changed(users []int64, all bool) {
	if len(users) == 0 && !all {
		return
	}
	s := f.seq.Add(1)
	if all {
		f.allAt.Store(s)
	} else {
		f.mu.Lock()
		if len(f.last)+len(users) > maxTracked {
			clear(f.last)
			f.allAt.Store(s)
		}
		for _, u := range users {
			f.last[u] = s
		}
		f.mu.Unlock()
	}
	f.lmu.RLock()
	ls := f.listeners
	f.lmu.RUnlock()
	for _, fn := range ls {
		fn(users, all)
	}
}

// live is the set of transactions Tx runs, so that Touch can find the DB of
// a transaction it is given (account.Post receives only the transaction).
var live sync.Map // *sql.Tx → *DB

// Touch records that the transaction q changed what the users' polling
// commands show (balance, requests, messages); the change feed hears it
// when the transaction commits. q must be a transaction from Tx; anything
// else is ignored (there is no view to tell).
func Touch(q Querier, users ...int64) {
	tx, ok := q.(*sql.Tx)
	if !ok || len(users) == 0 {
		return
	}
	d, ok := live.Load(tx)
	if !ok {
		return
	}
	d.(*DB).Touch(tx, users...)
}

// Touch records that tx changed what the users' polling commands show.
func (d *DB) Touch(tx *sql.Tx, users ...int64) {
	if st := d.state(tx); st != nil {
		st.touched = append(st.touched, users...)
	}
}

// watch runs the feed's watcher until ctx ends: SQLite's look for other
// processes' commits, PostgreSQL's listener.
func (d *DB) watch(ctx context.Context) {
	defer close(d.feed.done)
	if d.Dialect == Postgres {
		published := make(chan struct{})
		go func() {
			defer close(published)
			select {
			case <-d.pub.start:
				d.publish(ctx)
			case <-ctx.Done():
			}
		}()
		d.listenChanges(ctx)
		<-published
		return
	}
	var last int64 = -1
	t := time.NewTicker(ChangePoll)
	defer t.Stop()
	for {
		var v int64
		// The mark before the look: a commit after it shows as unknown.
		m, marked := d.CommitMark()
		qctx, cancel := context.WithTimeout(ctx, ChangeStaleness)
		err := d.W.QueryRowContext(qctx, `PRAGMA data_version`).Scan(&v)
		cancel()
		if err == nil {
			if last != -1 && v != last {
				d.feed.changed(nil, true)
			}
			last = v
			if marked {
				d.feed.known.Store(&m)
			}
			d.feed.live.Store(time.Now().UnixNano())
		}
		looked := time.Now()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.feed.poke:
			// At most one look per millisecond-scale burst: under this
			// process's own writes, views poke between a commit and its
			// note, and each look takes the writer connection.
			if wait := pokeGap - time.Since(looked); wait > 0 {
				time.Sleep(wait)
			}
		}
	}
}

// listenChanges holds a PostgreSQL connection listening on ChangeChannel,
// reconnecting after a loss; while it is down nothing is trusted.
func (d *DB) listenChanges(ctx context.Context) {
	keepConnected(ctx, func(ctx context.Context) bool {
		up := d.listenOnce(ctx)
		d.feed.live.Store(0)
		return up
	})
}

// keepConnected runs session, which holds a connection of its own until it
// fails, again and again until ctx ends: 100 ms after a session that had
// connected, else after a back-off doubling from there up to 5 s.
func keepConnected(ctx context.Context, session func(ctx context.Context) (up bool)) {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		if session(ctx) {
			wait = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// ownConn opens a connection of its own to the pool's server, named for
// pg_stat_activity, with extra run-time parameters.
func (d *DB) ownConn(ctx context.Context, name string, params map[string]string) (*pgx.Conn, error) {
	cfg := d.pool.Config().ConnConfig.Copy()
	cfg.Tracer = nil
	cfg.RuntimeParams = maps.Clone(cfg.RuntimeParams)
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = name
	maps.Copy(cfg.RuntimeParams, params)
	return pgx.ConnectConfig(ctx, cfg)
}

func (d *DB) listenOnce(ctx context.Context) (up bool) {
	conn, err := d.ownConn(ctx, "mdnhub change listener", nil)
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+ChangeChannel); err != nil {
		return false
	}
	// Heard from now on; what changed before is unknown.
	d.feed.changed(nil, true)
	ps := peers{}
	// Trusted only once every live process had time to be heard (two
	// heartbeats), so that one dying later is noticed (see publish.go).
	trustFrom := time.Now().Add(2 * heartbeatEvery)
	for {
		// Heard up to now; the next wake-up comes within ChangePoll*5 (a
		// ping when quiet), well within ChangeStaleness.
		now := time.Now()
		if now.After(trustFrom) {
			d.feed.live.Store(now.UnixNano())
		}
		if ps.silent(now) {
			// A process went quiet: what it changed last may be untold.
			d.feed.changed(nil, true)
		}
		wctx, cancel := context.WithTimeout(ctx, ChangePoll*5)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if users, all, self := d.heard(ps, n.Payload, time.Now()); !self {
				d.feed.changed(users, all)
			}
		case ctx.Err() != nil:
			return true
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			pctx, cancel := context.WithTimeout(ctx, ChangeStaleness/2)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return true
			}
		default:
			return true
		}
	}
}
