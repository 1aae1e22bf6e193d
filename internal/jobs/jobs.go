// Package jobs runs mdnhub's durable jobs on River: job rows live in the same
// database as everything else and are inserted in the transaction of the
// change that needs them, so a crash loses none; any node may work them, each
// exactly once.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"mdnhub/internal/callback"
	"mdnhub/internal/db"
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
}

// Runner owns the River client.
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
	add(workers, direct, &expireRequestWorker{svc: svc})
	add(workers, direct, &matchWaitingWorker{svc: svc})
	add(workers, direct, &expireRentalWorker{svc: svc})
	add(workers, direct, &parkNumberWorker{svc: svc})
	add(workers, direct, &numberOnlineWorker{svc: svc})
	add(workers, direct, &callbackWorker{svc: svc})
	add(workers, direct, &expireProxyWorker{svc: svc})
	add(workers, direct, &redialWorker{svc: svc})
	add(workers, direct, &autoRedialWorker{svc: svc})
	add(workers, direct, &outboundCheckWorker{svc: svc})
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
				func() (river.JobArgs, *river.InsertOpts) { return MatchWaitingArgs{}, nil },
				&river.PeriodicJobOpts{ID: "match_waiting"}),
			river.NewPeriodicJob(river.PeriodicInterval(30*time.Second),
				func() (river.JobArgs, *river.InsertOpts) { return AutoRedialArgs{}, nil },
				&river.PeriodicJobOpts{ID: "auto_redial"}),
		},
	}
	client, err := river.NewClient(d.RiverDriver(), cfg)
	if err != nil {
		return nil, fmt.Errorf("job runner: %w", err)
	}
	return &Runner{client: client, db: d, direct: direct}, nil
}

// add registers w with River, and for RunPending.
func add[T river.JobArgs](workers *river.Workers, direct map[string]func(context.Context, []byte) error, w river.Worker[T]) {
	river.AddWorker(workers, w)
	var zero T
	direct[zero.Kind()] = func(ctx context.Context, raw []byte) error {
		var args T
		if err := json.Unmarshal(raw, &args); err != nil {
			return err
		}
		return w.Work(ctx, &river.Job[T]{JobRow: &rivertype.JobRow{Kind: zero.Kind()}, Args: args})
	}
}

// Start begins working jobs until Stop.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop waits for running jobs to finish (or ctx to end) and stops.
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }

// schedule inserts a job due at at in the caller's transaction.
func (r *Runner) schedule(ctx context.Context, tx *sql.Tx, args river.JobArgs, at time.Time) error {
	_, err := r.client.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: at})
	return err
}

// ScheduleExpiry inserts the expiry job of a request.
func (r *Runner) ScheduleExpiry(ctx context.Context, tx *sql.Tx, requestID int64, at time.Time) error {
	return r.schedule(ctx, tx, ExpireRequestArgs{RequestID: requestID, At: at.Unix()}, at)
}

// ScheduleRentalExpiry inserts the expiry (or auto-renewal) job of a rental.
func (r *Runner) ScheduleRentalExpiry(ctx context.Context, tx *sql.Tx, rentalID int64, at time.Time) error {
	return r.schedule(ctx, tx, ExpireRentalArgs{RentalID: rentalID, At: at.Unix()}, at)
}

// ScheduleNumberPark inserts the job that parks a rented number at the end
// of its online window.
func (r *Runner) ScheduleNumberPark(ctx context.Context, tx *sql.Tx, numberID int64, at time.Time) error {
	return r.schedule(ctx, tx, ParkNumberArgs{NumberID: numberID, At: at.Unix()}, at)
}

// ScheduleCallback inserts the delivery job of a callback event: attempt is
// the number of attempts already made.
func (r *Runner) ScheduleCallback(ctx context.Context, tx *sql.Tx, eventID, attempt int64, at time.Time) error {
	return r.schedule(ctx, tx, CallbackArgs{EventID: eventID, Attempt: attempt}, at)
}

// ScheduleProxyExpiry inserts the expiry job of a proxy rental.
func (r *Runner) ScheduleProxyExpiry(ctx context.Context, tx *sql.Tx, rentalID int64, at time.Time) error {
	return r.schedule(ctx, tx, ExpireProxyArgs{RentalID: rentalID, At: at.Unix()}, at)
}

// ScheduleRedial inserts the job that runs a queued proxy redial now.
func (r *Runner) ScheduleRedial(ctx context.Context, tx *sql.Tx, redialID int64) error {
	_, err := r.client.InsertTx(ctx, tx, RedialArgs{RedialID: redialID}, nil)
	return err
}

// ScheduleNumberOnline inserts the job that completes an activation.
func (r *Runner) ScheduleNumberOnline(ctx context.Context, tx *sql.Tx, numberID int64, at time.Time) error {
	return r.schedule(ctx, tx, NumberOnlineArgs{NumberID: numberID, At: at.Unix()}, at)
}

// ScheduleOutboundCheck inserts the job that settles an outbound SMS still
// 'sending' at at.
func (r *Runner) ScheduleOutboundCheck(ctx context.Context, tx *sql.Tx, messageID int64, at time.Time) error {
	return r.schedule(ctx, tx, OutboundCheckArgs{MessageID: messageID}, at)
}
