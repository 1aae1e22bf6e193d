package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/db"
	"mdnhub/internal/jobs"
)

// What the durable jobs owe, as the crash test reads it from River's table.

// jobInfo is one live job (not completed, cancelled or discarded).
type jobInfo struct {
	state       string
	attemptedAt time.Time // zero when never fetched
}

// liveJobs returns the live jobs of kind by the id in their argument arg
// (deliver_callback by event_id, outbound_check by message_id).
func liveJobs(d *db.DB, kind, arg string) (map[int64][]jobInfo, error) {
	rows, err := d.R.Query(`SELECT state, `+d.Dialect.JSONText("args")+`, attempted_at FROM river_job
		WHERE kind = $1 AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]jobInfo{}
	for rows.Next() {
		var j jobInfo
		var args []byte
		var at sql.NullTime
		if err := rows.Scan(&j.state, &args, &at); err != nil {
			return nil, err
		}
		var fields map[string]int64
		if err := json.Unmarshal(args, &fields); err != nil {
			return nil, err
		}
		if at.Valid {
			j.attemptedAt = at.Time
		}
		out[fields[arg]] = append(out[fields[arg]], j)
	}
	return out, rows.Err()
}

// rescueSlack is how late River's rescuer may hand back a job past
// jobs.RescueAfter: it looks every 30 s, and only on the leader, which a
// restarted cluster elects once the dead leader's lease (15 s) has run out.
const rescueSlack = time.Minute

// stranded reports whether every live job in js was fetched by a process
// that was killed before finishing it ('running', attempted before the
// running process started, since) and is not yet due to be handed back by
// River's rescuer (attempted less than jobs.RescueAfter and rescueSlack
// before now). Such a job runs again once rescued; the test does not wait
// for that.
func stranded(js []jobInfo, since, now time.Time) bool {
	if len(js) == 0 {
		return false
	}
	for _, j := range js {
		if j.state != "running" || j.attemptedAt.IsZero() || !j.attemptedAt.Before(since) ||
			j.attemptedAt.Before(now.Add(-jobs.RescueAfter-rescueSlack)) {
			return false
		}
	}
	return true
}

// owed lists what is not yet settled: callback events neither delivered
// nor failed, and outbound SMS still sending, by id, with their live jobs.
type owed struct {
	callbacks map[int64][]jobInfo
	outbound  map[int64][]jobInfo
}

func readOwed(d *db.DB) (owed, error) {
	o := owed{callbacks: map[int64][]jobInfo{}, outbound: map[int64][]jobInfo{}}
	cbJobs, err := liveJobs(d, "deliver_callback", "event_id")
	if err != nil {
		return o, err
	}
	outJobs, err := liveJobs(d, "outbound_check", "message_id")
	if err != nil {
		return o, err
	}
	for _, q := range []struct {
		query string
		jobs  map[int64][]jobInfo
		into  map[int64][]jobInfo
	}{
		{`SELECT id FROM callback_events WHERE status IN ('pending', 'sending')`, cbJobs, o.callbacks},
		{`SELECT id FROM messages WHERE kind = 'outbound' AND status = 'sending'`, outJobs, o.outbound},
	} {
		rows, err := d.R.Query(q.query)
		if err != nil {
			return o, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return o, err
			}
			q.into[id] = q.jobs[id]
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return o, err
		}
	}
	return o, nil
}

var outboundViolation = regexp.MustCompile(`^outbound: outbound SMS (\d+) of user \d+ is still sending \d+s after its deadline$`)

// startCheck runs `mdnhub check` on the database in the background (it may
// run beside a server: it reads one snapshot) and returns the function that
// waits for it and judges its report. Every invariant must hold, with one
// allowance, in the spirit of the checker's own rule for jobs (a job may be
// due after a restart; it must be pending): an outbound SMS past its
// deadline and grace whose reconciliation job is still live, or that has
// been settled since. After a crash River makes no scheduled job available
// until a new leader is elected, once the dead leader's lease has run out,
// and a job the dead process had fetched waits for River's rescuer
// (jobs.RescueAfter): such an SMS is late, not lost. The judge counts those in r.lateOutbound.
func (r *crashRig) startCheck(d *db.DB) (judge func()) {
	after := r.gen.Load()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	cmd := exec.CommandContext(ctx, binary, "check")
	cmd.Dir = r.dir
	cmd.Env = r.env.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	orphanGuard(cmd)
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		done <- err
	} else {
		go func() { done <- cmd.Wait() }()
	}
	return func() {
		t := r.t
		t.Helper()
		defer cancel()
		err := <-done
		var exit *exec.ExitError
		switch {
		case err == nil:
			return
		case !errors.As(err, &exit) || exit.ExitCode() != 1:
			t.Fatalf("mdnhub check after process %d: %v\n%s\n%s", after, err, stdout.String(), stderr.String())
		}
		jobs, jerr := liveJobs(d, "outbound_check", "message_id")
		if jerr != nil {
			t.Fatal(jerr)
		}
		allowed, broken := 0, 0
		for _, line := range strings.Split(stdout.String(), "\n") {
			line = strings.TrimSpace(line)
			if !strings.Contains(line, ": ") || strings.HasSuffix(line, "violations:") || strings.Contains(line, "rows checked") {
				continue
			}
			if m := outboundViolation.FindStringSubmatch(line); m != nil {
				id, _ := strconv.ParseInt(m[1], 10, 64)
				var status string
				if err := d.R.QueryRow(`SELECT status FROM messages WHERE id = $1`, id).Scan(&status); err != nil {
					t.Fatal(err)
				}
				if len(jobs[id]) > 0 || status != "sending" {
					allowed++
					continue
				}
			}
			broken++
		}
		if broken > 0 || allowed == 0 {
			t.Fatalf("mdnhub check after process %d: %v\n%s\n%s", after, err, stdout.String(), stderr.String())
		}
		r.lateOutbound += allowed
	}
}
