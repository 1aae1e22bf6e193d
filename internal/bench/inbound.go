package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var pushSeq atomic.Int64

// pushOne posts one inbound SMS to the bench gateway and returns its text's
// tag once mdnhub acknowledged it (stored).
func (e *env) pushOne(ctx context.Context, c *http.Client, to string) (string, error) {
	n := pushSeq.Add(1)
	tag := fmt.Sprintf("b%d-%d", os.Getpid(), n)
	body := fmt.Sprintf(`{"id":%q,"to":%q,"from":"22000","text":"Your code is %06d (%s)"}`, tag, to, n%1_000_000, tag)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+e.addr+"/gateway/bench/inbound", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+pushToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("push: %s: %.200s", resp.Status, b)
	}
	return tag, nil
}

// push measures inbound HTTP pushes: the closed-loop rate of acknowledged
// (stored) messages, then at o.PushRate messages per second, open loop, the
// time from the push until read_sms shows the message.
func (e *env) push(ctx context.Context) ([]Row, error) {
	conns := e.o.Conns
	client := newClient(conns * 2)
	defer client.CloseIdleConnections()
	bs := newBufs(4 * conns)
	store := func(ctx context.Context, c *http.Client, w int, seq int64) error {
		_, err := e.pushOne(ctx, c, e.poll[int(seq)%conns].fullMDN)
		return err
	}
	var outs []outcome
	var rss float64
	for r := 0; r < e.o.Rounds; r++ {
		resetPeak(e.server.PID)
		o := closedLoop(ctx, client, conns, e.o.Duration, e.o.MaxCalls, store)
		rss = max(rss, peakRSS(e.server.PID))
		outs = append(outs, o)
		fmt.Fprintf(e.o.Out, "  round %d %-22s %8.0f msg/s p99 %.2f ms errors %d %s\n", r+1, "push (stored)", o.rate(), ms(o.P99), o.Errors, o.FirstError)
	}
	stored := fold(Row{PeakRSSMB: rss}, "push, stored", "msg/s", outs)
	if e.rawRate > 0 {
		stored.Baseline, stored.Ratio = "raw insert+update tx", stored.Rate/e.rawRate
	}
	visible := func(ctx context.Context, c *http.Client, w int, seq int64) error {
		u := &e.poll[int(seq)%conns]
		tag, err := e.pushOne(ctx, c, u.fullMDN)
		if err != nil {
			return err
		}
		// The newest ten: a poller wants the latest messages, and at the
		// offered rate a request receives far fewer than ten between a
		// push and its first read. (A hundred made every check decode a
		// hundred rows: the bench measured its own reads.)
		url := e.apiURL(u, "read_sms", "id", strconv.FormatInt(u.full, 10), "limit", "10")
		buf := bs.b[w%len(bs.b)][:0]
		for tries := 0; tries < 1000; tries++ {
			b, err := get(ctx, c, url, buf)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(tag)) {
				return nil
			}
			time.Sleep(time.Millisecond)
		}
		return fmt.Errorf("message %s never visible", tag)
	}
	resetPeak(e.server.PID)
	o := openLoop(ctx, client, e.o.PushRate, e.o.Duration, 2*conns, visible)
	fmt.Fprintf(e.o.Out, "  open loop %-22s %8.0f msg/s p99 %.2f ms errors %d %s\n", "push to visible", o.rate(), ms(o.P99), o.Errors, o.FirstError)
	vis := fold(Row{PeakRSSMB: peakRSS(e.server.PID)}, "push to visible in read_sms", "msg/s", []outcome{o})
	vis.Note = fmt.Sprintf("open loop at %.0f/s", e.o.PushRate)
	return []Row{stored, vis}, nil
}

// longPoll holds o.Waiters read_sms wait=60 calls on distinct open requests
// (o.Open of them exist), measures the server's memory per waiter, then
// delivers one message to each waiter's number and measures the time from
// the acknowledged push (stored) to the answer.
func (e *env) longPoll(ctx context.Context) ([]Row, error) {
	n := min(e.o.Waiters, len(e.lpReqs))
	if n == 0 {
		return nil, nil
	}
	// Settle, then the memory without waiters.
	time.Sleep(time.Second)
	resetPeak(e.server.PID)
	before := rss(e.server.PID)
	client := newClient(n + 64)
	defer client.CloseIdleConnections()
	type waiter struct {
		answered time.Time
		err      error
		body     []byte
	}
	ws := make([]waiter, n)
	var wg sync.WaitGroup
	start := func(from, to int) {
		for i := from; i < to; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := e.lpReqs[i]
				url := e.apiURL(r.u, "read_sms", "id", strconv.FormatInt(r.id, 10), "wait", "60")
				b, err := get(ctx, client, url, make([]byte, 0, 512))
				ws[i] = waiter{answered: time.Now(), err: err, body: b}
			}(i)
			if i%100 == 99 {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	// Half the waiters, then the other half: the memory each added waiter
	// costs is the growth of the second half (the first one also fills
	// whatever the start left free).
	start(0, n/2)
	half := settle(e.server.PID, 15*time.Second)
	start(n/2, n)
	// Wait until the server's memory stops growing: every waiter is in.
	held := settle(e.server.PID, 15*time.Second)
	perWaiter := (held - half) / float64(n-n/2)
	fmt.Fprintf(e.o.Out, "  %d waiters: RSS %.1f MB before, %.1f MB with half, %.1f MB with all: %.1f KB per added waiter\n",
		n, before, half, held, perWaiter*1024)
	// Deliver one message to each waiter's number.
	acked := make([]time.Time, n)
	pushes := newClient(64)
	defer pushes.CloseIdleConnections()
	var next atomic.Int64
	var perr atomic.Value
	var pw sync.WaitGroup
	for p := 0; p < 64; p++ {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if _, err := e.pushOne(ctx, pushes, e.lpReqs[i].mdn); err != nil {
					perr.CompareAndSwap(nil, err)
				}
				acked[i] = time.Now()
			}
		}()
	}
	pw.Wait()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		return nil, fmt.Errorf("long-polls did not answer")
	}
	h := newHist()
	var errs int64
	first := ""
	for i, w := range ws {
		if err := expectOK(w.body, w.err); err != nil {
			errs++
			if first == "" {
				first = err.Error()
			}
			continue
		}
		h.add(max(w.answered.Sub(acked[i]), 0))
	}
	if err, _ := perr.Load().(error); err != nil && first == "" {
		first = err.Error()
	}
	peak := peakRSS(e.server.PID)
	row := Row{Name: fmt.Sprintf("%d waiters, %d open requests", n, len(e.lpReqs)), Unit: "waiters",
		Rate: float64(n), P50ms: ms(h.quantile(0.5)), P99ms: ms(h.quantile(0.99)), Errors: errs, PeakRSSMB: peak,
		Note: fmt.Sprintf("store-to-answer; %.1f KB RSS per added waiter (%.1f MB before, %.1f MB with half, %.1f MB with all)",
			perWaiter*1024, before, half, held)}
	if first != "" {
		row.Note += "; first error: " + trim(first, 120)
	}
	return []Row{row}, nil
}

// settle waits until the process's RSS has not grown for a second (or
// limit passed) and returns it in MB.
func settle(pid int, limit time.Duration) float64 {
	deadline := time.Now().Add(limit)
	last, since := rss(pid), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if r := rss(pid); r > last+0.05 {
			last, since = r, time.Now()
		} else if time.Since(since) > time.Second {
			return max(last, r)
		}
	}
	return rss(pid)
}

// rss and peakRSS read a process's resident memory and its peak (MB) from
// /proc; resetPeak restarts the peak (Linux); all are 0 or no-ops elsewhere.
func rss(pid int) float64 { return procStatus(pid, "VmRSS:") }

func peakRSS(pid int) float64 { return procStatus(pid, "VmHWM:") }

func resetPeak(pid int) {
	if pid > 0 {
		os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
	}
}

func procStatus(pid int, field string) float64 {
	if pid <= 0 {
		return 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
