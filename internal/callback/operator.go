package callback

import (
	"context"
	"encoding/json"

	"mdnhub/internal/db"
)

// Page is a place in the operator's list of deliveries, which shows the
// failed deliveries of every account first, newest first, then all the
// others, newest first. The zero Page is the start.
type Page struct {
	// Others: the list is past the failed deliveries.
	Others bool
	// Before: the id of the last delivery shown in the current part (0:
	// none yet).
	Before int64
}

const deliveryColumns = `id, user_id, event, payload, delivery_id, status, attempts, last_code, last_error,
	url, created_at, COALESCE(last_attempt_at, 0), COALESCE(next_attempt_at, 0)`

func scanDelivery(r db.Row) (x Delivery, err error) {
	var payload string
	if err := r.Scan(&x.ID, &x.UserID, &x.Event, &payload, &x.DeliveryID, &x.Status, &x.Attempts, &x.LastCode,
		&x.LastError, &x.URL, &x.CreatedAt, &x.LastAttemptAt, &x.NextAttemptAt); err != nil {
		return x, err
	}
	json.Unmarshal([]byte(payload), &x.Fields)
	return x, nil
}

// Deliveries lists the deliveries of every account from p on, failed ones
// first, at most limit, and the Page where the next part starts (the zero
// Page when the list is done).
func (d *Dispatcher) Deliveries(ctx context.Context, p Page, limit int) ([]Delivery, Page, error) {
	var out []Delivery
	if !p.Others {
		failed, err := d.deliveries(ctx, `status = 'failed'`, p.Before, limit+1)
		if err != nil {
			return nil, Page{}, err
		}
		if len(failed) > limit {
			return failed[:limit], Page{Before: failed[limit-1].ID}, nil
		}
		out = failed
		p = Page{Others: true}
	}
	room := limit - len(out)
	others, err := d.deliveries(ctx, `status <> 'failed'`, p.Before, room+1)
	if err != nil {
		return nil, Page{}, err
	}
	if len(others) <= room {
		return append(out, others...), Page{}, nil
	}
	next := Page{Others: true, Before: p.Before}
	if room > 0 {
		next.Before = others[room-1].ID
	}
	return append(out, others[:room]...), next, nil
}

func (d *Dispatcher) deliveries(ctx context.Context, cond string, before int64, limit int) ([]Delivery, error) {
	a := d.db.NewArgs()
	if before != 0 {
		cond += ` AND id < ` + a.Add(before)
	}
	rows, err := d.db.R.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM callback_events WHERE `+cond+
		` ORDER BY id DESC LIMIT `+a.Add(limit), a.List()...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanDelivery)
}
