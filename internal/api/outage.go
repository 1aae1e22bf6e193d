package api

import (
	"log/slog"
	"sync"
	"time"
)

// outageEvery is how often an ongoing database outage is logged.
const outageEvery = 10 * time.Second

// outageLog logs calls failed by an unavailable database at most once per
// outageEvery, with how many failed since the last line.
type outageLog struct {
	mu     sync.Mutex
	last   time.Time
	failed int
}

func (o *outageLog) note(log *slog.Logger, cmd string, err error) {
	o.mu.Lock()
	o.failed++
	now := time.Now()
	if now.Sub(o.last) < outageEvery {
		o.mu.Unlock()
		return
	}
	n := o.failed
	o.last, o.failed = now, 0
	o.mu.Unlock()
	log.Warn("api calls failing: the database is unavailable", "failed_calls", n, "last_cmd", cmd, "err", err)
}
