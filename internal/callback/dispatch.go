package callback

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mdnhub/internal/clock"
	"mdnhub/internal/db"
)

// Options tune delivery.
type Options struct {
	Attempts      int64         // total attempts: the first and the retries
	RetryInterval time.Duration // between attempts
	Timeout       time.Duration // per attempt
	AllowPrivate  bool          // allow loopback, private and link-local targets
}

// Dispatcher delivers recorded events to their users' callback URLs.
type Dispatcher struct {
	db      *db.DB
	clock   clock.Clock
	sched   Scheduler
	client  *http.Client
	opt     Options
	log     *slog.Logger
	results *prometheus.CounterVec
}

// NewDispatcher returns the dispatcher; its counters are registered on reg
// (nil: not registered).
func NewDispatcher(d *db.DB, c clock.Clock, sched Scheduler, opt Options, log *slog.Logger, reg prometheus.Registerer) *Dispatcher {
	results := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mdnhub_callback_attempts_total",
		Help: "Callback delivery attempts by result: delivered, retrying (failed, will retry), failed (gave up).",
	}, []string{"result"})
	if reg != nil {
		reg.MustRegister(results)
	}
	return &Dispatcher{db: d, clock: c, sched: sched, client: NewClient(opt.Timeout, opt.AllowPrivate), opt: opt, log: log, results: results}
}

// Signature is the value of the X-Mdnhub-Signature header for a body.
func Signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Attempt makes one delivery attempt of an event (the delivery job). attempt
// is the number of attempts the job expects already made; a job that is
// stale (the event moved on) does nothing, and one whose attempt another run
// still claims gets ErrClaimed, to run again later. On failure it schedules
// the next attempt after the retry interval, in the same transaction that
// records the failure, until the attempts are used up.
func (d *Dispatcher) Attempt(ctx context.Context, eventID, attempt int64) error {
	now := d.clock.Now()
	var (
		userID                    int64
		event, payload, deliverID string
		target, secret            string
	)
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE callback_events SET status = 'sending', claim_until = $1
			WHERE id = $2 AND attempts = $3 AND (status = 'pending' OR (status = 'sending' AND claim_until < $4))`,
			now.Add(d.opt.Timeout+time.Minute).Unix(), eventID, attempt, now.Unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return claimedOrStale(ctx, tx, eventID, attempt)
		}
		return tx.QueryRowContext(ctx, `SELECT e.user_id, e.event, e.payload, e.delivery_id, u.callback_url, u.callback_secret
			FROM callback_events e JOIN users u ON u.id = e.user_id WHERE e.id = $1`, eventID).
			Scan(&userID, &event, &payload, &deliverID, &target, &secret)
	})
	if errors.Is(err, errStale) {
		return nil
	}
	if err != nil {
		return err
	}
	code, sendErr := d.post(ctx, event, payload, deliverID, target, secret, now)
	return d.record(ctx, eventID, attempt+1, target, code, sendErr)
}

var errStale = errors.New("stale delivery job")

// claimedOrStale tells why a job could not claim its attempt: another run
// of the same attempt holds the claim (ErrClaimed, the job must come back),
// or the event has moved on (errStale, the job is done).
func claimedOrStale(ctx context.Context, tx *sql.Tx, eventID, attempt int64) error {
	var status string
	var attempts int64
	var until sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT status, attempts, claim_until FROM callback_events WHERE id = $1`, eventID).
		Scan(&status, &attempts, &until)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errStale
	case err != nil:
		return err
	case status == "sending" && attempts == attempt:
		return fmt.Errorf("%w: event %d, until %s", ErrClaimed, eventID, time.Unix(until.Int64, 0).UTC().Format(time.RFC3339))
	}
	return errStale
}

// ErrClaimed is Attempt's error when the attempt its job makes is claimed by
// an earlier run whose outcome is not recorded: that run may still be going
// on another node, or it died, or could not write its outcome. The job must
// run again once the claim has run out (at most the callback timeout and a
// minute after the claim began), not end: nothing else would deliver the
// event.
var ErrClaimed = errors.New("callback event claimed by an unfinished attempt")

// post sends one attempt: the event's fields as a form, "event" first.
func (d *Dispatcher) post(ctx context.Context, event, payload, deliveryID, target, secret string, now time.Time) (int, error) {
	if target == "" {
		return 0, errors.New("the account has no callback URL any more")
	}
	var pairs [][2]string
	if err := json.Unmarshal([]byte(payload), &pairs); err != nil {
		return 0, err
	}
	var b strings.Builder
	b.WriteString("event=" + url.QueryEscape(event))
	for _, p := range pairs {
		b.WriteString("&" + url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
	}
	body := []byte(b.String())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(b.String()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "mdnhub-callback/1")
	req.Header.Set("X-Mdnhub-Event", event)
	req.Header.Set("X-Mdnhub-Delivery", deliveryID)
	req.Header.Set("X-Mdnhub-Timestamp", strconv.FormatInt(now.Unix(), 10))
	if secret != "" {
		req.Header.Set("X-Mdnhub-Signature", Signature(secret, body))
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// record stores the outcome of attempt number n and schedules the next one.
func (d *Dispatcher) record(ctx context.Context, eventID, n int64, target string, code int, sendErr error) error {
	now := d.clock.Now()
	result := "delivered"
	errText := ""
	if sendErr != nil {
		// The client's errors name the URL, whose query string or user
		// name may be a customer's secret: neither reaches the log.
		errText = redactErr(sendErr, target)
		if len(errText) > 500 {
			errText = errText[:500]
		}
		result = "retrying"
		if n >= d.opt.Attempts {
			result = "failed"
		}
		level := slog.LevelWarn
		if errors.Is(sendErr, ErrForbiddenAddress) {
			errText = "refused: " + errText
		}
		d.log.Log(ctx, level, "callback attempt failed", "event", eventID, "attempt", n, "url", RedactURL(target), "err", errText)
	}
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		switch result {
		case "delivered":
			_, err := tx.ExecContext(ctx, `UPDATE callback_events SET status = 'delivered', attempts = $1, last_code = $2,
				last_error = '', last_attempt_at = $3, delivered_at = $3, next_attempt_at = NULL, url = $4 WHERE id = $5`,
				n, code, now.Unix(), target, eventID)
			return err
		case "failed":
			_, err := tx.ExecContext(ctx, `UPDATE callback_events SET status = 'failed', attempts = $1, last_code = $2,
				last_error = $3, last_attempt_at = $4, next_attempt_at = NULL, url = $5 WHERE id = $6`,
				n, code, errText, now.Unix(), target, eventID)
			return err
		}
		next := now.Add(d.opt.RetryInterval)
		if _, err := tx.ExecContext(ctx, `UPDATE callback_events SET status = 'pending', attempts = $1, last_code = $2,
			last_error = $3, last_attempt_at = $4, next_attempt_at = $5, url = $6 WHERE id = $7`,
			n, code, errText, now.Unix(), next.Unix(), target, eventID); err != nil {
			return err
		}
		return d.sched.ScheduleCallback(ctx, tx, eventID, n, next)
	})
	if err != nil {
		return err
	}
	d.results.WithLabelValues(result).Inc()
	return nil
}

// Redeliver starts a new series of attempts for an event of the user (0: any
// user, for the operator), now.
func (d *Dispatcher) Redeliver(ctx context.Context, userID, eventID int64) error {
	return d.db.Tx(ctx, func(tx *sql.Tx) error {
		where, args := `id = $1`, []any{eventID}
		if userID != 0 {
			where, args = `id = $1 AND user_id = $2`, append(args, userID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE callback_events SET status = 'pending', attempts = 0, next_attempt_at = NULL
			WHERE `+where+` AND status <> 'sending'`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return d.sched.ScheduleCallback(ctx, tx, eventID, 0, d.clock.Now())
	})
}

// Delivery is one event in the delivery log.
type Delivery struct {
	ID, UserID, Attempts, LastCode, CreatedAt, LastAttemptAt, NextAttemptAt int64
	Event, DeliveryID, Status, LastError, URL                               string
	Fields                                                                  [][2]string
}

// Log returns a user's callback deliveries, newest first.
func (d *Dispatcher) Log(ctx context.Context, userID int64, limit int) ([]Delivery, error) {
	rows, err := d.db.R.QueryContext(ctx, `SELECT id, user_id, event, payload, delivery_id, status, attempts, last_code, last_error,
		url, created_at, COALESCE(last_attempt_at, 0), COALESCE(next_attempt_at, 0)
		FROM callback_events WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(r db.Row) (x Delivery, err error) {
		var payload string
		if err := r.Scan(&x.ID, &x.UserID, &x.Event, &payload, &x.DeliveryID, &x.Status, &x.Attempts, &x.LastCode,
			&x.LastError, &x.URL, &x.CreatedAt, &x.LastAttemptAt, &x.NextAttemptAt); err != nil {
			return x, err
		}
		json.Unmarshal([]byte(payload), &x.Fields)
		return x, nil
	})
}
