// Package callback holds customers' callback events: each event is written
// in the transaction of the change that causes it (an outbox), to be
// delivered to the account's callback URL.
package callback

import (
	"context"
	"database/sql"
	"encoding/json"
)

// Event names, as the reference spells them.
const (
	EventIncomingMessage = "incoming_message"
	EventLTRRenewal      = "ltr_renewal"
	EventPremiumRequest  = "premium_request"
)

// Field is one form field of an event, in the order it is sent.
type Field struct{ Name, Value string }

// Record writes an event in the caller's transaction.
func Record(ctx context.Context, tx *sql.Tx, userID int64, event string, now int64, fields ...Field) error {
	pairs := make([][2]string, len(fields))
	for i, f := range fields {
		pairs[i] = [2]string{f.Name, f.Value}
	}
	payload, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO callback_events (user_id, event, payload, created_at) VALUES ($1, $2, $3, $4)`,
		userID, event, string(payload), now)
	return err
}
