// Package coalesce lets callers that arrive together share one call of a
// function that handles many inputs at once: the first caller runs it for
// everyone queued, the others wait for their own answers. A set-based
// function (one multi-row INSERT, one lookup for all) then costs little more
// for many inputs than for one, and a caller alone pays nothing extra.
package coalesce

import (
	"context"
	"fmt"
	"sync"
)

// Coalescer shares calls of Run among concurrent callers of Do.
type Coalescer[In, Out any] struct {
	// Run handles a batch and returns one answer per input, in order, or
	// an error that becomes every caller's. Its context carries the
	// values of the caller that leads the batch, never its cancellation:
	// a caller that gives up must not fail the others.
	Run func(ctx context.Context, ins []In) ([]Out, error)
	// Max bounds one batch (0: 256).
	Max int

	mu      sync.Mutex
	queue   []*call[In, Out]
	leading bool
}

type call[In, Out any] struct {
	in   In
	out  Out
	err  error
	done chan struct{}
	lead chan struct{}
}

// Do runs in through Run, alone or with whatever other inputs arrive while
// an earlier batch runs, and returns its answer once its batch is done. A
// caller whose context has ended is not queued; once queued, it waits for
// its batch, whose outcome stands whether or not anyone still listens.
func (c *Coalescer[In, Out]) Do(ctx context.Context, in In) (Out, error) {
	if err := ctx.Err(); err != nil {
		var zero Out
		return zero, err
	}
	p := &call[In, Out]{in: in, done: make(chan struct{}), lead: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, p)
	if !c.leading {
		c.leading = true
		c.mu.Unlock()
		c.lead(ctx)
	} else {
		c.mu.Unlock()
		select {
		case <-p.done:
		case <-p.lead:
			c.lead(ctx)
		}
	}
	<-p.done
	return p.out, p.err
}

// lead runs one batch (the queue as it stands, up to Max), then hands the
// lead to the first caller still queued, if any, and returns.
func (c *Coalescer[In, Out]) lead(ctx context.Context) {
	limit := c.Max
	if limit <= 0 {
		limit = 256
	}
	c.mu.Lock()
	n := min(len(c.queue), limit)
	batch := c.queue[:n:n]
	c.queue = append([]*call[In, Out](nil), c.queue[n:]...)
	c.mu.Unlock()

	ins := make([]In, len(batch))
	for i, p := range batch {
		ins[i] = p.in
	}
	outs, err := c.run(context.WithoutCancel(ctx), ins)
	for i, p := range batch {
		if err != nil {
			p.err = err
		} else {
			p.out = outs[i]
		}
	}

	c.mu.Lock()
	if len(c.queue) > 0 {
		close(c.queue[0].lead)
	} else {
		c.leading = false
	}
	c.mu.Unlock()
	for _, p := range batch {
		close(p.done)
	}
}

// run calls Run, turning a panic or a short answer into every caller's
// error rather than a lost lead.
func (c *Coalescer[In, Out]) run(ctx context.Context, ins []In) (outs []Out, err error) {
	defer func() {
		if p := recover(); p != nil {
			outs, err = nil, &PanicError{Value: p}
		}
	}()
	outs, err = c.Run(ctx, ins)
	if err == nil && len(outs) != len(ins) {
		return nil, errShort
	}
	return outs, err
}

// PanicError is every caller's error when Run panicked on their batch.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprintf("coalesce: the batch panicked: %v", e.Value) }

type shortError struct{}

func (shortError) Error() string { return "coalesce: Run answered fewer inputs than it was given" }

var errShort error = shortError{}
