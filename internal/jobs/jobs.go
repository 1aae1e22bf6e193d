// Package jobs runs mdnhub's durable jobs on River: job rows live in the same
// database as everything else and are inserted in the transaction of the
// change that needs them, so a crash loses none; any node may work them, each
// exactly once.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"mdnhub/internal/callback"
	"mdnhub/internal/db"
	"mdnhub/internal/idempotency"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// Services are the domain services whose jobs run here.
type Services struct {
	Requests  *request.Service
	Rentals   *rental.Service
	Callbacks *callback.Dispatcher
	Proxies   *proxy.Service
	Redialer  proxy.Redialer
	Messages  *message.Service
	Keys      *idempotency.Keys
}

// Runner works the jobs: River's working client, with a worker for every
// job kind, started by Serve.
type Runner struct {
	client *river.Client[*sql.Tx]
	db     *db.DB
	// direct works a job of each kind from its JSON arguments, for
	// RunPending.
	direct map[string]func(ctx context.Context, args []byte) error
}

// Options tune the job runner.
type Options struct {
	Workers      int           // concurrent jobs on this node
	PollInterval time.Duration // how often to look for due jobs
	Logger       *slog.Logger
}

// New builds the job runner for d, with the workers of every job kind.
func New(d *db.DB, svc Services, o Options) (*Runner, error) {
	workers := river.NewWorkers()
	direct := map[string]func(context.Context, []byte) error{}
	register(workers, direct, svc)
	if o.Workers <= 0 {
		o.Workers = 10
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	cfg := &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:           workers,
		Logger:            o.Logger,
		FetchPollInterval: o.PollInterval,
		FetchCooldown:     min(o.PollInterval, 100*time.Millisecond),
		MaxAttempts:       25,
		// A job a node had fetched when it died is handed back this long
		// after its attempt began, instead of River's hour. River cancels
		// a job at its JobTimeout (a minute) and leaves kinds with a longer
		// Timeout (redials) alone until theirs has passed, so no job still
		// running is run twice; a callback attempt is guarded by its claim.
		RescueStuckJobsAfter: RescueAfter,
		// Periodic jobs run on the elected leader only: once per cluster.
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Second),
				func() (river.JobArgs, *river.InsertOpts) { return MatchWaitingArgs{}, nil },
				&river.PeriodicJobOpts{ID: "match_waiting"}),
			river.NewPeriodicJob(river.PeriodicInterval(30*time.Second),
				func() (river.JobArgs, *river.InsertOpts) { return AutoRedialArgs{}, nil },
				&river.PeriodicJobOpts{ID: "auto_redial"}),
			river.NewPeriodicJob(river.PeriodicInterval(10*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeKeysArgs{}, nil },
				&river.PeriodicJobOpts{ID: "purge_idempotency_keys"}),
		},
	}
	client, err := river.NewClient(d.RiverDriver(), cfg)
	if err != nil {
		return nil, fmt.Errorf("job runner: %w", err)
	}
	return &Runner{client: client, db: d, direct: direct}, nil
}

// RescueAfter is how long after its attempt began a job left 'running' by a
// node that died is run again (by the leader's rescuer, which looks every
// 30 s).
const RescueAfter = 2 * time.Minute

// handle registers fn as the worker of the job kind T, with River and for
// RunPending.
func handle[T river.JobArgs](workers *river.Workers, direct map[string]func(context.Context, []byte) error, fn func(context.Context, T) error) {
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[T]) error {
		return outageSnooze(fn(ctx, job.Args))
	}))
	var zero T
	direct[zero.Kind()] = func(ctx context.Context, raw []byte) error {
		var args T
		if err := json.Unmarshal(raw, &args); err != nil {
			return err
		}
		return fn(ctx, args)
	}
}

// outageRetry is how soon a job that met an unavailable database runs again.
const outageRetry = 5 * time.Second

// outageSnooze turns a database outage into a short snooze: the job runs
// again a few seconds later, without using up an attempt, instead of backing
// off for minutes once the database is back.
func outageSnooze(err error) error {
	if errors.Is(db.Classify(err), db.ErrUnavailable) {
		return river.JobSnooze(outageRetry)
	}
	return err
}

// Start begins working jobs until Stop.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop waits for running jobs to finish (or ctx to end) and stops.
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }
