package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// RunPending works, on the calling goroutine and in id order, every
// unfinished job scheduled at or before now, then those they scheduled, until
// none is due: the same work River does, without its timers. It is for
// whoever drives time itself, such as a test on a fake clock, and must not
// run beside a started Runner. A job that finds itself early (a snooze)
// stays pending; a failing job stops the run with its error.
func (r *Runner) RunPending(ctx context.Context, now time.Time) (worked int, err error) {
	for pass := 0; pass < 100; pass++ {
		n, err := r.runPendingOnce(ctx, now)
		worked += n
		if err != nil || n == 0 {
			return worked, err
		}
	}
	return worked, errors.New("jobs keep scheduling jobs that are due at once")
}

type pendingJob struct {
	id   int64
	kind string
	args []byte
}

func (r *Runner) runPendingOnce(ctx context.Context, now time.Time) (int, error) {
	rows, err := r.db.W.QueryContext(ctx, `SELECT id, kind, `+r.db.Dialect.JSONText("args")+`, scheduled_at FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable') ORDER BY id`)
	if err != nil {
		return 0, err
	}
	var due []pendingJob
	for rows.Next() {
		var j pendingJob
		var at time.Time
		if err := rows.Scan(&j.id, &j.kind, &j.args, &at); err != nil {
			rows.Close()
			return 0, err
		}
		if !at.After(now) {
			due = append(due, j)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	worked := 0
	for _, j := range due {
		work, ok := r.direct[j.kind]
		if !ok {
			return worked, fmt.Errorf("job %d: no worker for kind %q", j.id, j.kind)
		}
		err := work(ctx, j.args)
		var snooze *river.JobSnoozeError
		if errors.As(err, &snooze) {
			continue
		}
		if err != nil {
			return worked, fmt.Errorf("job %d (%s): %w", j.id, j.kind, err)
		}
		if _, err := r.db.W.ExecContext(ctx, `UPDATE river_job SET state = 'completed', attempt = attempt + 1,
			finalized_at = CURRENT_TIMESTAMP WHERE id = $1`, j.id); err != nil {
			return worked, err
		}
		worked++
	}
	return worked, nil
}
