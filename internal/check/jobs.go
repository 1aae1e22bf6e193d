package check

import (
	"context"
	"database/sql"
	"encoding/json"
)

// pendingWork names, for each kind of thing that must end by itself, the
// rows that are still open and the job kind (with its argument) that ends
// them.
var pendingWork = []struct {
	what, open, kind, arg string
}{
	{"open request", `SELECT id FROM requests WHERE closed_at IS NULL`, "expire_request", "request_id"},
	{"active rental", `SELECT id FROM rentals WHERE status = 'active'`, "expire_rental", "rental_id"},
	{"active proxy rental", `SELECT id FROM proxy_rentals WHERE status = 'active'`, "expire_proxy", "rental_id"},
	{"sending outbound SMS", `SELECT id FROM messages WHERE kind = 'outbound' AND status = 'sending'`, "outbound_check", "message_id"},
	{"undelivered callback", `SELECT id FROM callback_events WHERE status IN ('pending', 'sending')`, "deliver_callback", "event_id"},
}

// checkJobs: every due job is done or pending. No job was given up
// (discarded) or cancelled, and everything that must end by itself (a
// request, a rental, an outbound SMS, a callback) has a live job that will
// end it; a crash or a lost job would otherwise leave it open for ever.
func checkJobs(ctx context.Context, tx *sql.Tx, o Options, r *Report) error {
	err := each(ctx, tx, r, "jobs", `SELECT id, kind, state FROM river_job WHERE state IN ('discarded', 'cancelled')`,
		func(scan func(...any) error) error {
			var id int64
			var kind, state string
			if err := scan(&id, &kind, &state); err != nil {
				return err
			}
			r.violate("jobs", "job %d (%s) was %s", id, kind, state)
			return nil
		})
	if err != nil {
		return err
	}
	// The arguments of every live job, by kind; JSON is decoded here so that
	// the check reads the same on both engines.
	live := map[string]map[string]map[int64]bool{}
	err = each(ctx, tx, r, "jobs", `SELECT kind, `+o.Dialect.JSONText("args")+` FROM river_job
		 WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`,
		func(scan func(...any) error) error {
			var kind string
			var args []byte
			if err := scan(&kind, &args); err != nil {
				return err
			}
			var fields map[string]int64
			if json.Unmarshal(args, &fields) != nil {
				return nil // not one of the jobs below (no numeric arguments)
			}
			if live[kind] == nil {
				live[kind] = map[string]map[int64]bool{}
			}
			for k, v := range fields {
				if live[kind][k] == nil {
					live[kind][k] = map[int64]bool{}
				}
				live[kind][k][v] = true
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, w := range pendingWork {
		err := each(ctx, tx, r, "jobs", w.open, func(scan func(...any) error) error {
			var id int64
			if err := scan(&id); err != nil {
				return err
			}
			if !live[w.kind][w.arg][id] {
				r.violate("jobs", "%s %d has no pending %s job", w.what, id, w.kind)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
