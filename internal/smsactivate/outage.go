package smsactivate

import (
	"log/slog"
	"sync"
	"time"
)

// outageEvery is how often an ongoing database outage is logged.
const outageEvery = 10 * time.Second

// outageLog logs calls failed by an unavailable database at most once per
// outageEvery, with how many failed since the last line: during an outage
// every polling client fails alike, and one line now and then tells the
// operator.
type outageLog struct {
	mu     sync.Mutex
	last   time.Time
	failed int
}

func (o *outageLog) note(log *slog.Logger, action string, err error) {
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
	log.Warn("sms-activate calls failing: the database is unavailable", "failed_calls", n, "last_action", action, "err", err)
}
