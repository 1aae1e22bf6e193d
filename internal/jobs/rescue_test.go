package jobs_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
)

// A job that a node had fetched when it was killed stays 'running' until
// River's rescuer hands it back. That must be minutes, not River's default
// hour: a callback the crash interrupted, a request's expiry and refund, an
// outbound SMS's settlement would all wait that long.
func TestJobOfAKilledNodeIsRescued(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		// The expiry job of a request, fetched three minutes ago by a node
		// that died: 'running', attempted then, never finished.
		err := e.DB.Tx(ctx, func(tx *sql.Tx) error {
			return e.Scheduler.ScheduleExpiry(ctx, tx, 424242, time.Now().Add(-4*time.Minute))
		})
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := e.DB.W.QueryRowContext(ctx, `SELECT id FROM river_job WHERE kind = 'expire_request'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.W.ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $1 WHERE id = $2`,
			time.Now().Add(-3*time.Minute).UTC(), id); err != nil {
			t.Fatal(err)
		}
		if err := e.Jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer e.Jobs.Stop(ctx)
		deadline := time.Now().Add(30 * time.Second)
		for {
			var state string
			if err := e.DB.R.QueryRowContext(ctx, `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state); err != nil {
				t.Fatal(err)
			}
			if state != "running" {
				t.Logf("rescued: %s", state)
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the job of the dead node is still running 30 s after start, three minutes after its attempt began")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
