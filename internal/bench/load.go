package bench

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// hist records latencies in log-linear buckets (about 1% wide), cheap to
// fill from many goroutines and to merge.
type hist struct {
	mu     sync.Mutex
	counts map[int]int64
	n      int64
}

func newHist() *hist { return &hist{counts: map[int]int64{}} }

// bucket of a latency: 100 buckets per decade of microseconds.
func bucket(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us < 1 {
		us = 1
	}
	return int(math.Log10(us) * 100)
}

func (h *hist) add(d time.Duration) {
	b := bucket(d)
	h.mu.Lock()
	h.counts[b]++
	h.n++
	h.mu.Unlock()
}

// quantile returns the upper edge of the bucket holding quantile q.
func (h *hist) quantile(q float64) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 {
		return 0
	}
	keys := make([]int, 0, len(h.counts))
	for k := range h.counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	target := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for _, k := range keys {
		seen += h.counts[k]
		if seen >= target {
			return time.Duration(math.Pow(10, float64(k+1)/100) * float64(time.Microsecond))
		}
	}
	return 0
}

// outcome is what one run of a load measured.
type outcome struct {
	Requests int64
	Errors   int64
	Elapsed  time.Duration
	P50, P99 time.Duration
	// FirstError is the first unexpected answer, for the report.
	FirstError string
}

func (o outcome) rate() float64 {
	if o.Elapsed <= 0 {
		return 0
	}
	return float64(o.Requests) / o.Elapsed.Seconds()
}

// call is one unit of load: it returns an error for an unexpected answer.
// worker is the index of the calling worker (closed loop) or of the call
// (open loop).
type call func(ctx context.Context, c *http.Client, worker int, seq int64) error

// newClient is an HTTP client for conns keep-alive connections to loopback.
func newClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 90 * time.Second}
}

// get fetches url and returns its body; a status other than 200 is an error.
func get(ctx context.Context, c *http.Client, url string, buf []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := resp.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if resp.StatusCode != http.StatusOK {
		return buf, errors.New(resp.Status + ": " + string(buf))
	}
	return buf, nil
}

// closedLoop runs workers goroutines, each calling fn back to back, for d
// (and at most maxCalls calls in all), and measures every call.
func closedLoop(ctx context.Context, c *http.Client, workers int, d time.Duration, maxCalls int64, fn call) outcome {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	h := newHist()
	var n, errs atomic.Int64
	var first atomic.Value
	stop := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(stop) && ctx.Err() == nil {
				seq := n.Add(1)
				if seq > maxCalls {
					return
				}
				t0 := time.Now()
				err := fn(ctx, c, w, seq)
				h.add(time.Since(t0))
				if err != nil {
					errs.Add(1)
					first.CompareAndSwap(nil, err.Error())
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	o := outcome{Requests: min(n.Load(), maxCalls), Errors: errs.Load(), Elapsed: elapsed,
		P50: h.quantile(0.50), P99: h.quantile(0.99)}
	if f := first.Load(); f != nil {
		o.FirstError = f.(string)
	}
	o.Requests = h.n
	return o
}

// openLoop sends calls at rate per second for d, each at its intended time
// whatever the earlier ones are doing (at most maxInFlight at once; a call
// that finds them all busy waits, and its latency counts from its intended
// time, so a stall is not hidden), and measures them.
func openLoop(ctx context.Context, c *http.Client, rate float64, d time.Duration, maxInFlight int, fn call) outcome {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	h := newHist()
	var errs atomic.Int64
	var first atomic.Value
	total := int64(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	sem := make(chan struct{}, maxInFlight)
	start := time.Now()
	var wg sync.WaitGroup
	for i := int64(0); i < total && ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int64) {
			defer func() { <-sem; wg.Done() }()
			err := fn(ctx, c, int(i), i+1)
			h.add(time.Since(due))
			if err != nil {
				errs.Add(1)
				first.CompareAndSwap(nil, err.Error())
			}
		}(i)
	}
	wg.Wait()
	o := outcome{Requests: h.n, Errors: errs.Load(), Elapsed: time.Since(start), P50: h.quantile(0.50), P99: h.quantile(0.99)}
	if f := first.Load(); f != nil {
		o.FirstError = f.(string)
	}
	return o
}
