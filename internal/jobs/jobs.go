// Package jobs runs mdnhub's durable jobs on River: job rows live in the same
// database as everything else and are inserted in the transaction of the
// change that needs them, so a crash loses none; any node may work them, each
// exactly once.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"mdnhub/internal/db"
	"mdnhub/internal/request"
)

// ExpireRequestArgs is the job that ends a one-time request when its
// reservation lifetime is over.
type ExpireRequestArgs struct {
	RequestID int64 `json:"request_id"`
}

// Kind names the job in the queue.
func (ExpireRequestArgs) Kind() string { return "expire_request" }

type expireRequestWorker struct {
	river.WorkerDefaults[ExpireRequestArgs]
	requests *request.Service
}

func (w *expireRequestWorker) Work(ctx context.Context, job *river.Job[ExpireRequestArgs]) error {
	err := w.requests.Expire(ctx, job.Args.RequestID)
	if errors.Is(err, request.ErrNotDue) {
		// This node's clock is behind the one that scheduled the job.
		at, err := w.requests.ExpiresAt(ctx, job.Args.RequestID)
		if err != nil {
			return err
		}
		return river.JobSnooze(max(time.Until(at), time.Second))
	}
	return err
}

// Runner owns the River client.
type Runner struct {
	client *river.Client[*sql.Tx]
}

// Options tune the job runner.
type Options struct {
	Workers      int           // concurrent jobs on this node
	PollInterval time.Duration // how often to look for due jobs
	Logger       *slog.Logger
}

// New builds the job runner for d, with the workers of every job kind.
func New(d *db.DB, requests *request.Service, o Options) (*Runner, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &expireRequestWorker{requests: requests})
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
		// Due scheduled jobs (expiries) are moved to the runnable state by
		// the leader every SchedulerInterval-equivalent tick; keep it short.
		MaxAttempts: 25,
	}
	var (
		client *river.Client[*sql.Tx]
		err    error
	)
	if d.Dialect == db.Postgres {
		client, err = river.NewClient(riverdatabasesql.New(d.W), cfg)
	} else {
		client, err = river.NewClient(riversqlite.New(d.W), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("job runner: %w", err)
	}
	return &Runner{client: client}, nil
}

// Start begins working jobs until Stop.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop waits for running jobs to finish (or ctx to end) and stops.
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }

// ScheduleExpiry inserts the expiry job of a request in the caller's transaction.
func (r *Runner) ScheduleExpiry(ctx context.Context, tx *sql.Tx, requestID int64, at time.Time) error {
	_, err := r.client.InsertTx(ctx, tx, ExpireRequestArgs{RequestID: requestID}, &river.InsertOpts{ScheduledAt: at})
	return err
}
