package jobs

import (
	"context"
	"encoding/json"
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

// ExpireRentalArgs ends or auto-renews a rental at the end of its period.
type ExpireRentalArgs struct {
	RentalID int64 `json:"rental_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (ExpireRentalArgs) Kind() string { return "expire_rental" }

// ParkNumberArgs parks a rented number at the end of its online window.
type ParkNumberArgs struct {
	NumberID int64 `json:"number_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (ParkNumberArgs) Kind() string { return "park_number" }

// NumberOnlineArgs completes an activation: the number comes online.
type NumberOnlineArgs struct {
	NumberID int64 `json:"number_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (NumberOnlineArgs) Kind() string { return "number_online" }

// MatchWaitingArgs is the periodic job that offers free numbers to waiting
// premium bids and Unlimited reservations.
type MatchWaitingArgs struct{}

// Kind names the job in the queue.
func (MatchWaitingArgs) Kind() string { return "match_waiting" }

// CallbackArgs makes one delivery attempt of a callback event; Attempt is
// the number of attempts made before it, so a superseded job does nothing.
type CallbackArgs struct {
	EventID int64 `json:"event_id"`
	Attempt int64 `json:"attempt"`
}

// Kind names the job in the queue.
func (CallbackArgs) Kind() string { return "deliver_callback" }

// ExpireProxyArgs ends a proxy rental at the end of its time.
type ExpireProxyArgs struct {
	RentalID int64 `json:"rental_id"`
	At       int64 `json:"at"`
}

// Kind names the job in the queue.
func (ExpireProxyArgs) Kind() string { return "expire_proxy" }

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

// PurgeKeysArgs is the periodic job that deletes idempotency keys older than
// idempotency.TTL.
type PurgeKeysArgs struct{}

// Kind names the job in the queue.
func (PurgeKeysArgs) Kind() string { return "purge_idempotency_keys" }

// register adds the worker of every job kind: each calls its domain service.
func register(workers *river.Workers, direct map[string]func(context.Context, []byte) error, svc Services) {
	handle(workers, direct, func(ctx context.Context, a ExpireRequestArgs) error {
		return snoozeEarly(svc.Requests.Expire(ctx, a.RequestID, time.Unix(a.At, 0)), a.At)
	})
	handle(workers, direct, func(ctx context.Context, a ExpireRentalArgs) error {
		return snoozeEarly(svc.Rentals.Expire(ctx, a.RentalID, time.Unix(a.At, 0)), a.At)
	})
	handle(workers, direct, func(ctx context.Context, a ParkNumberArgs) error {
		return svc.Rentals.Park(ctx, a.NumberID, time.Unix(a.At, 0))
	})
	handle(workers, direct, func(ctx context.Context, a NumberOnlineArgs) error {
		return svc.Rentals.BringOnline(ctx, a.NumberID, time.Unix(a.At, 0))
	})
	handle(workers, direct, func(ctx context.Context, _ MatchWaitingArgs) error {
		if _, err := svc.Requests.MatchWaiting(ctx); err != nil {
			return err
		}
		_, err := svc.Rentals.FillReservations(ctx)
		return err
	})
	handle(workers, direct, func(ctx context.Context, a CallbackArgs) error {
		return svc.Callbacks.Attempt(ctx, a.EventID, a.Attempt)
	})
	handle(workers, direct, func(ctx context.Context, a ExpireProxyArgs) error {
		return snoozeEarly(svc.Proxies.Expire(ctx, a.RentalID), a.At)
	})
	handle(workers, direct, func(ctx context.Context, _ AutoRedialArgs) error {
		_, err := svc.Proxies.QueueAutoRedials(ctx)
		return err
	})
	handle(workers, direct, func(ctx context.Context, _ PurgeKeysArgs) error {
		_, err := svc.Keys.Purge(ctx)
		return err
	})
	handle(workers, direct, func(ctx context.Context, a OutboundCheckArgs) error {
		retryAt, err := svc.Messages.ReconcileOutbound(ctx, a.MessageID)
		if err == nil && !retryAt.IsZero() {
			// This node's clock is behind the sender's: look again then.
			return river.JobSnooze(max(time.Until(retryAt), time.Second))
		}
		return err
	})
	// The redial worker has its own timeout, so it keeps its own type.
	redial := &redialWorker{svc: svc}
	river.AddWorker(workers, redial)
	direct[RedialArgs{}.Kind()] = func(ctx context.Context, raw []byte) error {
		var a RedialArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		return redial.Work(ctx, &river.Job[RedialArgs]{Args: a})
	}
}
