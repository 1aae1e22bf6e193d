package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"mdnhub/internal/db"
)

// Scheduler inserts jobs in the caller's transaction. It is an insert-only
// River client, built right after the database opens, so every domain
// service gets it in its constructor; the Runner that works the jobs is
// built after the services, which its workers call.
type Scheduler struct {
	client *river.Client[*sql.Tx]
}

// NewScheduler returns the job scheduler of d.
func NewScheduler(d *db.DB) (*Scheduler, error) {
	client, err := river.NewClient(d.RiverDriver(), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("job scheduler: %w", err)
	}
	return &Scheduler{client: client}, nil
}

// schedule inserts a job due at at in the caller's transaction. River
// inserts every job given a time as 'scheduled', which only its elected
// leader makes 'available', every few seconds and, after the leader was
// killed, not before its lease has run out; a job already due (a callback's
// first attempt) is made available at once, for any node to run. Its
// scheduled_at stays at, which is what RunPending reads.
func (s *Scheduler) schedule(ctx context.Context, tx *sql.Tx, args river.JobArgs, at time.Time) error {
	res, err := s.client.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: at})
	if err != nil || at.After(time.Now()) || res.Job.State != rivertype.JobStateScheduled {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE id = $1 AND state = 'scheduled'`, res.Job.ID)
	return err
}

// ScheduleExpiry inserts the expiry job of a request.
func (s *Scheduler) ScheduleExpiry(ctx context.Context, tx *sql.Tx, requestID int64, at time.Time) error {
	return s.schedule(ctx, tx, ExpireRequestArgs{RequestID: requestID, At: at.Unix()}, at)
}

// ScheduleRentalExpiry inserts the expiry (or auto-renewal) job of a rental.
func (s *Scheduler) ScheduleRentalExpiry(ctx context.Context, tx *sql.Tx, rentalID int64, at time.Time) error {
	return s.schedule(ctx, tx, ExpireRentalArgs{RentalID: rentalID, At: at.Unix()}, at)
}

// ScheduleNumberPark inserts the job that parks a rented number at the end
// of its online window.
func (s *Scheduler) ScheduleNumberPark(ctx context.Context, tx *sql.Tx, numberID int64, at time.Time) error {
	return s.schedule(ctx, tx, ParkNumberArgs{NumberID: numberID, At: at.Unix()}, at)
}

// ScheduleNumberOnline inserts the job that completes an activation.
func (s *Scheduler) ScheduleNumberOnline(ctx context.Context, tx *sql.Tx, numberID int64, at time.Time) error {
	return s.schedule(ctx, tx, NumberOnlineArgs{NumberID: numberID, At: at.Unix()}, at)
}

// ScheduleCallback inserts the delivery job of a callback event: attempt is
// the number of attempts already made.
func (s *Scheduler) ScheduleCallback(ctx context.Context, tx *sql.Tx, eventID, attempt int64, at time.Time) error {
	return s.schedule(ctx, tx, CallbackArgs{EventID: eventID, Attempt: attempt}, at)
}

// ScheduleProxyExpiry inserts the expiry job of a proxy rental.
func (s *Scheduler) ScheduleProxyExpiry(ctx context.Context, tx *sql.Tx, rentalID int64, at time.Time) error {
	return s.schedule(ctx, tx, ExpireProxyArgs{RentalID: rentalID, At: at.Unix()}, at)
}

// ScheduleRedial inserts the job that runs a queued proxy redial now.
func (s *Scheduler) ScheduleRedial(ctx context.Context, tx *sql.Tx, redialID int64) error {
	_, err := s.client.InsertTx(ctx, tx, RedialArgs{RedialID: redialID}, nil)
	return err
}

// ScheduleOutboundCheck inserts the job that settles an outbound SMS still
// 'sending' at at.
func (s *Scheduler) ScheduleOutboundCheck(ctx context.Context, tx *sql.Tx, messageID int64, at time.Time) error {
	return s.schedule(ctx, tx, OutboundCheckArgs{MessageID: messageID}, at)
}
