package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"mdnhub/internal/proxy"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// Each job carries the time it was scheduled for (At): the domain ignores a
// job whose time was superseded, and snoozes one that runs early because
// this node's clock is behind the one that scheduled it.

// ExpireRequestArgs ends a one-time request when its lifetime is over.
type ExpireRequestArgs struct {
	RequestID int64 `json:"request_id"`
	At        int64 `json:"at"`
}

// Kind names the job in the queue.
func (ExpireRequestArgs) Kind() string { return "expire_request" }

type expireRequestWorker struct {
	river.WorkerDefaults[ExpireRequestArgs]
	svc Services
}

func (w *expireRequestWorker) Work(ctx context.Context, job *river.Job[ExpireRequestArgs]) error {
	return snoozeEarly(w.svc.Requests.Expire(ctx, job.Args.RequestID, time.Unix(job.Args.At, 0)), job.Args.At)
}

// ExpireRentalArgs ends or auto-renews a rental at the end of its period.
type ExpireRentalArgs struct {
	RentalID int64 `json:"rental_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (ExpireRentalArgs) Kind() string { return "expire_rental" }

type expireRentalWorker struct {
	river.WorkerDefaults[ExpireRentalArgs]
	svc Services
}

func (w *expireRentalWorker) Work(ctx context.Context, job *river.Job[ExpireRentalArgs]) error {
	return snoozeEarly(w.svc.Rentals.Expire(ctx, job.Args.RentalID, time.Unix(job.Args.At, 0)), job.Args.At)
}

// ParkNumberArgs parks a rented number at the end of its online window.
type ParkNumberArgs struct {
	NumberID int64 `json:"number_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (ParkNumberArgs) Kind() string { return "park_number" }

type parkNumberWorker struct {
	river.WorkerDefaults[ParkNumberArgs]
	svc Services
}

func (w *parkNumberWorker) Work(ctx context.Context, job *river.Job[ParkNumberArgs]) error {
	return w.svc.Rentals.Park(ctx, job.Args.NumberID, time.Unix(job.Args.At, 0))
}

// NumberOnlineArgs completes an activation: the number comes online.
type NumberOnlineArgs struct {
	NumberID int64 `json:"number_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (NumberOnlineArgs) Kind() string { return "number_online" }

type numberOnlineWorker struct {
	river.WorkerDefaults[NumberOnlineArgs]
	svc Services
}

func (w *numberOnlineWorker) Work(ctx context.Context, job *river.Job[NumberOnlineArgs]) error {
	return w.svc.Rentals.BringOnline(ctx, job.Args.NumberID, time.Unix(job.Args.At, 0))
}

// MatchWaitingArgs is the periodic job that offers free numbers to waiting
// premium bids and Unlimited reservations.
type MatchWaitingArgs struct{}

// Kind names the job in the queue.
func (MatchWaitingArgs) Kind() string { return "match_waiting" }

type matchWaitingWorker struct {
	river.WorkerDefaults[MatchWaitingArgs]
	svc Services
}

func (w *matchWaitingWorker) Work(ctx context.Context, job *river.Job[MatchWaitingArgs]) error {
	if _, err := w.svc.Requests.MatchWaiting(ctx); err != nil {
		return err
	}
	_, err := w.svc.Rentals.FillReservations(ctx)
	return err
}

// CallbackArgs makes one delivery attempt of a callback event; Attempt is
// the number of attempts made before it, so a superseded job does nothing.
type CallbackArgs struct {
	EventID int64 `json:"event_id"`
	Attempt int64 `json:"attempt"`
}

// Kind names the job in the queue.
func (CallbackArgs) Kind() string { return "deliver_callback" }

type callbackWorker struct {
	river.WorkerDefaults[CallbackArgs]
	svc Services
}

func (w *callbackWorker) Work(ctx context.Context, job *river.Job[CallbackArgs]) error {
	return w.svc.Callbacks.Attempt(ctx, job.Args.EventID, job.Args.Attempt)
}

// ExpireProxyArgs ends a proxy rental at the end of its time.
type ExpireProxyArgs struct {
	RentalID int64 `json:"rental_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (ExpireProxyArgs) Kind() string { return "expire_proxy" }

type expireProxyWorker struct {
	river.WorkerDefaults[ExpireProxyArgs]
	svc Services
}

func (w *expireProxyWorker) Work(ctx context.Context, job *river.Job[ExpireProxyArgs]) error {
	return snoozeEarly(w.svc.Proxies.Expire(ctx, job.Args.RentalID), job.Args.At)
}

// RedialArgs runs a queued redial of a proxy port.
type RedialArgs struct {
	RedialID int64 `json:"redial_id"`
}

// Kind names the job in the queue.
func (RedialArgs) Kind() string { return "proxy_redial" }

type redialWorker struct {
	river.WorkerDefaults[RedialArgs]
	svc Services
}

func (w *redialWorker) Work(ctx context.Context, job *river.Job[RedialArgs]) error {
	return w.svc.Proxies.RunRedial(ctx, job.Args.RedialID, w.svc.Redialer)
}

// Timeout leaves room for the slowest redial action (10 minutes at most).
func (w *redialWorker) Timeout(job *river.Job[RedialArgs]) time.Duration { return 11 * time.Minute }

// AutoRedialArgs is the periodic job that queues the redials of shared
// ports whose interval has passed.
type AutoRedialArgs struct{}

// Kind names the job in the queue.
func (AutoRedialArgs) Kind() string { return "auto_redial" }

type autoRedialWorker struct {
	river.WorkerDefaults[AutoRedialArgs]
	svc Services
}

func (w *autoRedialWorker) Work(ctx context.Context, job *river.Job[AutoRedialArgs]) error {
	_, err := w.svc.Proxies.QueueAutoRedials(ctx)
	return err
}

// snoozeEarly turns a domain "not due yet" into a snooze until at.
func snoozeEarly(err error, at int64) error {
	if errors.Is(err, request.ErrNotDue) || errors.Is(err, rental.ErrNotDue) || errors.Is(err, proxy.ErrNotDue) {
		return river.JobSnooze(max(time.Until(time.Unix(at, 0)), time.Second))
	}
	return err
}

// OutboundCheckArgs settles an outbound SMS left 'sending' past its
// deadline (see message.Service.ReconcileOutbound).
type OutboundCheckArgs struct {
	MessageID int64 `json:"message_id"`
}

// Kind names the job in the queue.
func (OutboundCheckArgs) Kind() string { return "outbound_check" }

type outboundCheckWorker struct {
	river.WorkerDefaults[OutboundCheckArgs]
	svc Services
}

func (w *outboundCheckWorker) Work(ctx context.Context, job *river.Job[OutboundCheckArgs]) error {
	retryAt, err := w.svc.Messages.ReconcileOutbound(ctx, job.Args.MessageID)
	if err == nil && !retryAt.IsZero() {
		// This node's clock is behind the sender's: look again then.
		return river.JobSnooze(max(time.Until(retryAt), time.Second))
	}
	return err
}
