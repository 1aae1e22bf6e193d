package proxy

import (
	"context"
	"database/sql"
	"errors"

	"mdnhub/internal/db"
)

// ErrNotDue is returned by Expire before the rental's end.
var ErrNotDue = errors.New("proxy rental not due for expiry yet")

// Expire ends a rental at the end of its time (the expiry job): its
// credentials stop working and its tunnels are closed. It does nothing for a
// rental already ended, so the job may run twice.
func (s *Service) Expire(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var (
			status  string
			expires int64
		)
		err := tx.QueryRowContext(ctx, `SELECT status, expires_at FROM proxy_rentals WHERE id = $1`+s.db.ForUpdate(), id).Scan(&status, &expires)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "active") {
			return nil
		}
		if err != nil {
			return err
		}
		now := s.clock.Now().Unix()
		if expires > now {
			return ErrNotDue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proxy_rentals SET status = 'ended', ended_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		s.revokeAfterCommit(tx, id)
		return nil
	})
}

// Redialer runs a port's redial action (an HTTP call or a command) and
// returns its output.
type Redialer interface {
	Redial(ctx context.Context, p Port) (output string, err error)
}

// RequestRedial asks for a new IP on an exclusively rented port: the redial
// runs as a durable job. Shared rentals redial automatically.
func (s *Service) RequestRedial(ctx context.Context, userID int64, ref Ref) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.find(ctx, tx, userID, ref, false)
		if err != nil {
			return err
		}
		if !r.Exclusive {
			return ErrNoExclusive
		}
		var action string
		if err := tx.QueryRowContext(ctx, `SELECT redial_action FROM proxy_ports WHERE id = $1`, r.Port).Scan(&action); err != nil {
			return err
		}
		if action == "" {
			return ErrNoRedial
		}
		return s.queueRedial(ctx, tx, r.Port, userID)
	})
}

func (s *Service) queueRedial(ctx context.Context, tx *sql.Tx, port string, userID int64) error {
	now := s.clock.Now().Unix()
	var uid any
	if userID != 0 {
		uid = userID
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO proxy_redials (port_id, user_id, created_at) VALUES ($1, $2, $3) RETURNING id`,
		port, uid, now).Scan(&id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE proxy_ports SET last_redial_at = $1 WHERE id = $2`, now, port); err != nil {
		return err
	}
	return s.sched.ScheduleRedial(ctx, tx, id)
}

// RunRedial performs a queued redial (the redial job) and records its
// outcome. A redial already finished is not run again.
func (s *Service) RunRedial(ctx context.Context, redialID int64, r Redialer) error {
	var portID, status string
	if err := s.db.R.QueryRowContext(ctx, `SELECT port_id, status FROM proxy_redials WHERE id = $1`, redialID).Scan(&portID, &status); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}
	if status != "pending" {
		return nil
	}
	p, err := s.Port(ctx, portID)
	if err != nil {
		return err
	}
	out, runErr := r.Redial(ctx, p)
	status = "done"
	if runErr != nil {
		status = "failed"
		out = runErr.Error() + "\n" + out
		s.log.Warn("proxy redial failed", "port", portID, "err", runErr)
	} else {
		s.log.Info("proxy redialled", "port", portID)
	}
	if len(out) > 4000 {
		out = out[:4000]
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE proxy_redials SET status = $1, output = $2, finished_at = $3 WHERE id = $4`,
			status, out, s.clock.Now().Unix(), redialID)
		return err
	})
}

// QueueAutoRedials queues a redial for every shared port whose redial
// interval has passed (the periodic job); exclusively rented ports are
// redialled only on their renter's request. It returns how many it queued.
func (s *Service) QueueAutoRedials(ctx context.Context) (int, error) {
	now := s.clock.Now().Unix()
	rows, err := s.db.R.QueryContext(ctx, `SELECT p.id FROM proxy_ports p
		WHERE p.enabled AND p.redial_minutes > 0 AND p.redial_action <> '' AND p.last_redial_at + p.redial_minutes * 60 <= $1
		  AND NOT EXISTS (SELECT 1 FROM proxy_rentals x WHERE x.port_id = p.id AND x.status = 'active' AND x.expires_at > $1 AND x.exclusive)`, now)
	if err != nil {
		return 0, err
	}
	ports, err := db.Collect(rows, func(r db.Row) (id string, err error) { return id, r.Scan(&id) })
	if err != nil {
		return 0, err
	}
	for _, id := range ports {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.queueRedial(ctx, tx, id, 0) })
		if err != nil {
			return 0, err
		}
	}
	return len(ports), nil
}

// Redial is one redial in the operator's log.
type Redial struct {
	ID         int64
	Port       string
	UserID     int64
	Status     string
	Output     string
	CreatedAt  int64
	FinishedAt int64
}

// Redials lists the latest redials, newest first.
func (s *Service) Redials(ctx context.Context, limit int) ([]Redial, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, port_id, COALESCE(user_id, 0), status, output, created_at, COALESCE(finished_at, 0)
		FROM proxy_redials ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(row db.Row) (r Redial, err error) {
		return r, row.Scan(&r.ID, &r.Port, &r.UserID, &r.Status, &r.Output, &r.CreatedAt, &r.FinishedAt)
	})
}
