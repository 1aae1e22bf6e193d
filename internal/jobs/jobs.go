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
// reservation lifetime is over. At is the expiry time it was scheduled for:
// a request whose expiry moved (a bid that won a number) has a newer job.
type ExpireRequestArgs struct {
	RequestID int64 `json:"request_id"`
	At        int64 `json:"at"`
}

// Kind names the job in the queue.
func (ExpireRequestArgs) Kind() string { return "expire_request" }

type expireRequestWorker struct {
	river.WorkerDefaults[ExpireRequestArgs]
	requests *request.Service
}

func (w *expireRequestWorker) Work(ctx context.Context, job *river.Job[ExpireRequestArgs]) error {
	err := w.requests.Expire(ctx, job.Args.RequestID, time.Unix(job.Args.At, 0))
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

// MatchBidsArgs is the periodic job that offers free numbers to waiting
// premium bids (see request.Service.MatchWaiting).
type MatchBidsArgs struct{}

// Kind names the job in the queue.
func (MatchBidsArgs) Kind() string { return "match_bids" }

type matchBidsWorker struct {
	river.WorkerDefaults[MatchBidsArgs]
	requests *request.Service
}

func (w *matchBidsWorker) Work(ctx context.Context, job *river.Job[MatchBidsArgs]) error {
	_, err := w.requests.MatchWaiting(ctx)
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
	river.AddWorker(workers, &matchBidsWorker{requests: requests})
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
		// Periodic jobs run on the elected leader only: once per cluster.
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Second),
				func() (river.JobArgs, *river.InsertOpts) { return MatchBidsArgs{}, nil },
				&river.PeriodicJobOpts{ID: "match_bids"}),
		},
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
	_, err := r.client.InsertTx(ctx, tx, ExpireRequestArgs{RequestID: requestID, At: at.Unix()}, &river.InsertOpts{ScheduledAt: at})
	return err
}
