package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// group commits SQLite's write transactions together. SQLite has one
// writer, and at synchronous=FULL each commit waits for the disk; callers
// that arrive while a commit is under way queue up, and the next of them
// (the leader) runs the whole queue in one transaction, each caller's fn in
// its own savepoint: a fn that fails is rolled back to its savepoint alone
// and its caller gets its error; the others commit together, with one sync
// of the disk. Every caller returns only after the commit that holds its
// change (or with the error that lost it), so an acknowledged write is as
// durable as before; only the sync is shared.
//
// A fn must not keep the transaction past its return, which Tx never
// allowed anyway. If SQLite abandons the whole transaction under a fn (an
// I/O error, a full disk, an interrupted statement), the savepoints are
// gone: the batch stops there, the fn that was running gets its error and
// every other caller of the batch gets errBatchBroken, which Tx retries.
type group struct {
	d       *DB
	mu      sync.Mutex
	queue   []*pending
	leading bool
}

// maxGroup bounds the transactions that share one commit.
const maxGroup = 128

// errBatchBroken is returned to the callers of a shared transaction that
// SQLite abandoned because of another caller's statement; Tx retries them.
var errBatchBroken = errors.New("shared transaction abandoned; retry")

type pending struct {
	ctx      context.Context
	fn       func(*sql.Tx) error
	err      error
	panicked any
	st       *txState
	done     chan struct{}
	lead     chan struct{}
}

func (g *group) run(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pending{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	if !g.leading {
		g.leading = true
		g.mu.Unlock()
		g.leadFrom()
	} else {
		g.mu.Unlock()
		select {
		case <-p.done:
		case <-p.lead:
			g.leadFrom()
		}
	}
	<-p.done
	if p.panicked != nil {
		panic(p.panicked)
	}
	return p.err
}

// leadFrom runs one batch: the queue as it stands (up to maxGroup). Then it
// hands the lead to the first caller still queued, if any.
func (g *group) leadFrom() {
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = append([]*pending(nil), g.queue[n:]...)
	g.mu.Unlock()

	g.runBatch(batch)

	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	for _, p := range batch {
		close(p.done)
	}
}

// runBatch runs the callers' functions in one transaction and commits it.
func (g *group) runBatch(batch []*pending) {
	d := g.d
	fail := func(ps []*pending, err error) {
		for _, p := range ps {
			if p.err == nil && p.panicked == nil {
				p.err = err
			}
		}
	}
	// The transaction belongs to no single caller: a caller whose context
	// ends must not roll back the others' work.
	tx, err := d.W.BeginTx(context.Background(), nil)
	if err != nil {
		fail(batch, err)
		return
	}
	live.Store(tx, d)
	defer live.Delete(tx)
	defer d.afterCommit.Delete(tx)
	// Whatever happens to it, the transaction may move the commit mark
	// (starting one can restart the WAL): the mark after it is this
	// process's own (see knownCommits).
	defer d.noteOwnWrite()
	ok := make([]*pending, 0, len(batch))
	for i, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.err = err
			continue
		}
		p.st = &txState{}
		d.afterCommit.Store(tx, p.st)
		if _, err := tx.ExecContext(context.Background(), `SAVEPOINT mdnhub_tx`); err != nil {
			tx.Rollback()
			fail(batch, errBatchBroken)
			return
		}
		p.err, p.panicked = call(p.fn, tx)
		if p.err == nil && p.panicked == nil {
			if _, err := tx.ExecContext(context.Background(), `RELEASE mdnhub_tx`); err != nil {
				tx.Rollback()
				fail(batch, fmt.Errorf("%w: release: %v", errBatchBroken, err))
				return
			}
			ok = append(ok, p)
			continue
		}
		_, err1 := tx.ExecContext(context.Background(), `ROLLBACK TO mdnhub_tx`)
		_, err2 := tx.ExecContext(context.Background(), `RELEASE mdnhub_tx`)
		if err1 != nil || err2 != nil {
			// SQLite abandoned the whole transaction under this fn.
			tx.Rollback()
			fail(batch[:i], errBatchBroken)
			fail(batch[i+1:], errBatchBroken)
			return
		}
	}
	if len(ok) == 0 {
		tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		fail(ok, err)
		return
	}
	for _, p := range ok {
		d.committed(p.st)
	}
}

// call runs fn, turning a panic into a value re-raised in the caller.
func call(fn func(*sql.Tx) error, tx *sql.Tx) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return fn(tx), nil
}
