package coalesce

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
)

// Callers that arrive while a batch runs share the next one, and each gets
// the answer to its own input.
func TestDoSharesBatches(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	c := &Coalescer[int, int]{Run: func(_ context.Context, ins []int) ([]int, error) {
		mu.Lock()
		sizes = append(sizes, len(ins))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release // the first batch holds the lead while others queue
		}
		out := make([]int, len(ins))
		for i, v := range ins {
			out[i] = v * 10
		}
		return out, nil
	}}
	var wg sync.WaitGroup
	results := make([]int, 21)
	do := func(i int) {
		defer wg.Done()
		v, err := c.Do(context.Background(), i)
		if err != nil {
			t.Errorf("Do(%d): %v", i, err)
		}
		results[i] = v
	}
	wg.Add(1)
	go do(0)
	for { // wait until the first batch runs
		mu.Lock()
		n := len(sizes)
		mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	for i := 1; i <= 20; i++ {
		wg.Add(1)
		go do(i)
	}
	for { // all twenty queued behind it
		c.mu.Lock()
		n := len(c.queue)
		c.mu.Unlock()
		if n == 20 {
			break
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i, v := range results {
		if v != i*10 {
			t.Errorf("caller %d got %d", i, v)
		}
	}
	if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 20 {
		t.Errorf("batch sizes %v, want [1 20]", sizes)
	}
	if c.leading || len(c.queue) != 0 {
		t.Errorf("lead not given back: leading %v, queue %d", c.leading, len(c.queue))
	}
}

// A batch's error, a panic and a short answer reach its callers as errors;
// a caller whose context ended is not run at all.
func TestDoErrors(t *testing.T) {
	boom := errors.New("boom")
	c := &Coalescer[int, int]{Run: func(_ context.Context, ins []int) ([]int, error) {
		switch ins[0] {
		case 1:
			return nil, boom
		case 2:
			panic("bad input")
		case 3:
			return nil, nil
		}
		return ins, nil
	}}
	if _, err := c.Do(context.Background(), 1); !errors.Is(err, boom) {
		t.Errorf("error: %v", err)
	}
	var pe *PanicError
	if _, err := c.Do(context.Background(), 2); !errors.As(err, &pe) || pe.Value != "bad input" {
		t.Errorf("panic: %v", err)
	}
	if _, err := c.Do(context.Background(), 3); !errors.Is(err, errShort) {
		t.Errorf("short: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Do(ctx, 4); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if v, err := c.Do(context.Background(), 5); v != 5 || err != nil {
		t.Errorf("after the errors: %d %v", v, err)
	}
}

// Run never sees the leader's cancellation: a caller that gives up must not
// fail the others of its batch.
func TestRunIgnoresCancel(t *testing.T) {
	c := &Coalescer[int, error]{Run: func(ctx context.Context, ins []int) ([]error, error) {
		return []error{ctx.Err()}, nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got, err := c.Do(ctx, 1)
	if err != nil || got != nil {
		t.Fatalf("%v %v", got, err)
	}
}
