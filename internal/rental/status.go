package rental

import (
	"context"
	"database/sql"
	"time"
)

// Status is what ltr_status and ltr_activate answer.
type Status struct {
	MDN        string
	Show       string // online, offline or awaiting mdn
	TillChange int64  // seconds until the status changes by itself, 0: no change scheduled
	NextOnline int64  // unix time it is or will be online, 0: not scheduled
	Now        time.Time
}

// Status tells whether a rental's number is online, and when that changes.
func (s *Service) Status(ctx context.Context, userID int64, ref Ref) (Status, error) {
	r, err := s.Find(ctx, userID, ref)
	if err != nil {
		return Status{}, err
	}
	if r.Status == StatusEnded {
		return Status{}, ErrEnded
	}
	return s.status(ctx, r)
}

func (s *Service) status(ctx context.Context, r Rental) (Status, error) {
	now := s.clock.Now()
	st := Status{MDN: r.MDN, Now: now}
	if r.Status == StatusAwaiting {
		st.Show = ShowAwaiting
		return st, nil
	}
	var (
		online              bool
		onlineUntil, nextAt sql.NullInt64
	)
	if err := s.db.R.QueryRowContext(ctx, `SELECT online, online_until, online_at FROM numbers WHERE id = $1`, r.NumberID).
		Scan(&online, &onlineUntil, &nextAt); err != nil {
		return Status{}, err
	}
	switch {
	case online:
		st.Show, st.NextOnline = ShowOnline, now.Unix()
		if onlineUntil.Valid {
			st.TillChange = max(onlineUntil.Int64-now.Unix(), 0)
		}
	default:
		st.Show = ShowOffline
		if nextAt.Valid {
			st.NextOnline = nextAt.Int64
			st.TillChange = max(nextAt.Int64-now.Unix(), 0)
		}
	}
	return st, nil
}

// Activate asks the number's gateway to bring a parked number online for the
// online window; an online number gets a fresh window. Gateways without
// parking keep numbers online, and nothing changes.
func (s *Service) Activate(ctx context.Context, userID int64, ref Ref) (Status, error) {
	r, err := s.Find(ctx, userID, ref)
	if err != nil {
		return Status{}, err
	}
	if r.Status == StatusEnded {
		return Status{}, ErrEnded
	}
	if r.Status == StatusAwaiting || !s.gateways.Parking(r.Gateway) {
		return s.status(ctx, r)
	}
	n, err := s.inv.Get(ctx, r.MDN)
	if err != nil {
		return Status{}, err
	}
	var delay time.Duration
	if !n.Online && n.OnlineAt == 0 {
		// Ask the gateway outside the transaction: it may be a network call.
		if delay, err = s.gateways.Activate(ctx, r.Gateway, r.MDN); err != nil {
			return Status{}, err
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.active(ctx, tx, userID, Ref{ID: r.ID})
		if err != nil {
			return err
		}
		n, err := s.inv.Lock(ctx, tx, r.NumberID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		switch {
		case n.Online:
			return s.openWindow(ctx, tx, n.ID, r.Gateway, now)
		case n.OnlineAt != 0:
			return nil // an activation is already on its way
		default:
			at := now.Add(delay)
			if at.Nanosecond() != 0 {
				at = at.Truncate(time.Second).Add(time.Second)
			}
			if err := s.inv.SetActivation(ctx, tx, n.ID, at.Unix()); err != nil {
				return err
			}
			return s.sched.ScheduleNumberOnline(ctx, tx, n.ID, at)
		}
	})
	if err != nil {
		return Status{}, err
	}
	return s.status(ctx, r)
}

// openWindow keeps a rented number on a parking gateway online for the
// online window from now, and schedules its parking.
func (s *Service) openWindow(ctx context.Context, tx *sql.Tx, numberID int64, gateway string, now time.Time) error {
	if !s.gateways.Parking(gateway) {
		return nil
	}
	until := now.Add(s.opt.OnlineWindow).Unix()
	if err := s.inv.SetOnlineWindow(ctx, tx, numberID, until); err != nil {
		return err
	}
	return s.sched.ScheduleNumberPark(ctx, tx, numberID, time.Unix(until, 0))
}

// Park parks a rented number whose online window ended at until (the park
// job). A window extended since, or a number no longer rented, is left alone.
func (s *Service) Park(ctx context.Context, numberID int64, until time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.inv.ParkIfDue(ctx, tx, numberID, until.Unix())
		return err
	})
}

// BringOnline completes an activation due at at (the online job): the number
// is online for the online window while rented, indefinitely otherwise.
func (s *Service) BringOnline(ctx context.Context, numberID int64, at time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		due, err := s.inv.ActivationDue(ctx, tx, numberID, at.Unix())
		if err != nil || !due {
			return err
		}
		var gateway string
		var rented bool
		if err := tx.QueryRowContext(ctx,
			`SELECT n.gateway, EXISTS (SELECT 1 FROM rentals r WHERE r.number_id = n.id AND r.status = 'active')
			 FROM numbers n WHERE n.id = $1`, numberID).Scan(&gateway, &rented); err != nil {
			return err
		}
		if rented {
			return s.openWindow(ctx, tx, numberID, gateway, s.clock.Now())
		}
		if err := s.inv.SetOnlineWindow(ctx, tx, numberID, 0); err != nil {
			return err
		}
		return s.inv.Available(ctx, tx, numberID)
	})
}
