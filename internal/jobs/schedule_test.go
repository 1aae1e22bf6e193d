package jobs_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
	"mdnhub/internal/jobs"
)

// A job due now (a callback's first attempt) is available to every node's
// workers at once. River inserts a job given a time as 'scheduled', which
// only its elected leader makes available, every few seconds, and, after
// the leader was killed, not before its lease runs out: a delay for every
// callback, and no job at all run while a crashed node's lease lasts.
func TestJobsDueNowAreAvailableAtOnce(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r, err := jobs.NewScheduler(d)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			if err := r.ScheduleCallback(ctx, tx, 1, 0, time.Unix(now.Unix(), 0)); err != nil {
				return err
			}
			if err := r.ScheduleCallback(ctx, tx, 2, 3, now.Add(-time.Minute)); err != nil {
				return err
			}
			return r.ScheduleExpiry(ctx, tx, 3, now.Add(time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.R.QueryContext(ctx, `SELECT kind, state, scheduled_at FROM river_job ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var kind, state string
			var at time.Time
			if err := rows.Scan(&kind, &state, &at); err != nil {
				t.Fatal(err)
			}
			got = append(got, kind+" "+state)
			if kind == "deliver_callback" && at.After(now) {
				t.Errorf("a callback due now is scheduled for %v, after now (%v)", at, now)
			}
		}
		want := []string{"deliver_callback available", "deliver_callback available", "expire_request scheduled"}
		if len(got) != len(want) {
			t.Fatalf("jobs %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("job %d is %q, want %q", i+1, got[i], want[i])
			}
		}
	})
}
