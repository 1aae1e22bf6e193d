// Package callback delivers customers' callback events. Each event is
// written in the transaction of the change that causes it (an outbox) along
// with the durable job that delivers it, so an event is never lost and never
// sent for a change that did not commit.
package callback

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"time"

	"mdnhub/internal/db"
)

// Event names, as the reference spells them.
const (
	EventIncomingMessage = "incoming_message"
	EventLTRRenewal      = "ltr_renewal"
	EventPremiumRequest  = "premium_request"
	// EventPriorityRequest is the premium event's name on some sites of the
	// API family; compat.priority_request_event also emits it.
	EventPriorityRequest = "priority_request"
)

// Field is one form field of an event, in the order it is sent.
type Field struct{ Name, Value string }

// Scheduler inserts the delivery job of an event in the caller's transaction.
type Scheduler interface {
	ScheduleCallback(ctx context.Context, tx *sql.Tx, eventID int64, attempt int64, at time.Time) error
}

// Outbox records events for delivery.
type Outbox struct {
	db            *db.DB
	sched         Scheduler
	priorityAlias bool
}

// NewOutbox returns the outbox; with priorityAlias every premium_request
// event is also emitted as priority_request.
func NewOutbox(d *db.DB, sched Scheduler, priorityAlias bool) *Outbox {
	return &Outbox{db: d, sched: sched, priorityAlias: priorityAlias}
}

// Record writes an event for a user, with its delivery job, in the caller's
// transaction. Users without a callback URL get no event.
func (o *Outbox) Record(ctx context.Context, tx *sql.Tx, userID int64, event string, now int64, fields ...Field) error {
	_, err := o.record(ctx, tx, userID, event, now, fields...)
	return err
}

// record is Record returning the ids of the events it wrote.
func (o *Outbox) record(ctx context.Context, tx *sql.Tx, userID int64, event string, now int64, fields ...Field) ([]int64, error) {
	names := []string{event}
	if event == EventPremiumRequest && o.priorityAlias {
		names = append(names, EventPriorityRequest)
	}
	pairs := make([][2]string, len(fields))
	for i, f := range fields {
		pairs[i] = [2]string{f.Name, f.Value}
	}
	payload, err := json.Marshal(pairs)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, name := range names {
		var id int64
		err := tx.QueryRowContext(ctx,
			`INSERT INTO callback_events (user_id, event, payload, created_at, delivery_id, status, url)
			 SELECT id, $2, $3, $4, $5, 'pending', callback_url FROM users WHERE id = $1 AND callback_url <> ''
			 RETURNING id`, userID, name, string(payload), now, newDeliveryID()).Scan(&id)
		if err == sql.ErrNoRows {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
		if err := o.sched.ScheduleCallback(ctx, tx, id, 0, time.Unix(now, 0)); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Subscribed tells which of the users have a callback URL, so a batch of
// events asks once instead of once per event.
func (o *Outbox) Subscribed(ctx context.Context, q db.Querier, userIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(userIDs) == 0 {
		return out, nil
	}
	in, args := o.db.In(nil, db.Anys(userIDs)...)
	rows, err := q.QueryContext(ctx, `SELECT id FROM users WHERE callback_url <> '' AND id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// newDeliveryID is the event's unique id, sent with every attempt so that a
// receiver can recognise a repeat.
func newDeliveryID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
