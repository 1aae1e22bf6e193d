package db

import (
	"log/slog"
	"sync"
	"time"
)

// OutageEvery is how often an ongoing database outage is logged by an
// OutageLog.
const OutageEvery = 10 * time.Second

// OutageLog logs the calls of an endpoint that failed because the database
// is unavailable, at most once per OutageEvery, with how many failed since
// the last line: during an outage every polling client fails alike, and one
// line now and then tells the operator. The zero value is ready; Endpoint
// names the calls in the line ("api", "sms-activate").
type OutageLog struct {
	Endpoint string

	mu     sync.Mutex
	last   time.Time
	failed int
}

// Note counts one failed call (its command or action) and logs the count
// when the last line is older than OutageEvery.
func (o *OutageLog) Note(log *slog.Logger, call string, err error) {
	o.mu.Lock()
	o.failed++
	now := time.Now()
	if now.Sub(o.last) < OutageEvery {
		o.mu.Unlock()
		return
	}
	n := o.failed
	o.last, o.failed = now, 0
	o.mu.Unlock()
	log.Warn(o.Endpoint+" calls failing: the database is unavailable", "failed_calls", n, "last_call", call, "err", err)
}
