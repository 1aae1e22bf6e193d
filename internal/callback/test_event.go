package callback

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"mdnhub/internal/clock"
)

// EventTest is the event a customer sends themselves from the web site to
// try their callback URL; it is delivered, signed and retried like any
// other event.
const EventTest = "test"

// ErrNoCallback is returned when a test event is asked for an account
// without a callback URL.
var ErrNoCallback = errors.New("the account has no callback URL")

// TestMessage is the text of a test event's message field.
const TestMessage = "Test event from mdnhub"

// SendTest records a test event for the user, with its delivery job, in one
// transaction through the outbox, and returns its id. Its fields:
// timestamp, date_time, message.
func (d *Dispatcher) SendTest(ctx context.Context, userID int64) (int64, error) {
	outbox := NewOutbox(d.db, d.sched, false)
	var id int64
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		now := d.clock.Now()
		ids, err := outbox.record(ctx, tx, userID, EventTest, now.Unix(),
			Field{Name: "timestamp", Value: strconv.FormatInt(now.Unix(), 10)},
			Field{Name: "date_time", Value: clock.HumanTime(now)},
			Field{Name: "message", Value: TestMessage})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return ErrNoCallback
		}
		id = ids[0]
		return nil
	})
	return id, err
}
