package rental

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/db"
	"mdnhub/internal/money"
)

// Report is a renter's report that a rented number does not work.
type Report struct {
	ID         int64
	RentalID   int64
	UserID     int64
	MDN        string
	Status     string // pending, replaced, refunded, declined
	Outcome    string // the new MDN, the refunded amount, or the reason
	CreatedAt  int64
	ResolvedAt int64
}

// Text is how ltr_reported_status shows the report.
func (r Report) Text() string {
	switch r.Status {
	case "replaced":
		return "replaced with " + r.Outcome
	case "refunded":
		return "refunded " + r.Outcome
	case "declined":
		return "declined: " + r.Outcome
	}
	return r.Status
}

const reportColumns = `id, rental_id, user_id, mdn, status, outcome, created_at, COALESCE(resolved_at, 0)`

// ErrAwaiting is returned for an action that needs the number of a
// reservation that has none yet.
var ErrAwaiting = errors.New("the reservation has no number yet")

func scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var r Report
	err := row.Scan(&r.ID, &r.RentalID, &r.UserID, &r.MDN, &r.Status, &r.Outcome, &r.CreatedAt, &r.ResolvedAt)
	return r, err
}

// ReportProblem records that a rented number does not work, for the operator.
func (s *Service) ReportProblem(ctx context.Context, userID int64, ref Ref) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.active(ctx, tx, userID, ref)
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrAwaiting
		}
		var pending bool
		if err := tx.QueryRowContext(ctx,
			`SELECT EXISTS (SELECT 1 FROM rental_reports p JOIN rentals x ON x.id = p.rental_id
			 WHERE x.first_id = $1 AND p.status = 'pending')`, r.FirstID).Scan(&pending); err != nil {
			return err
		}
		if pending {
			return ErrAlreadyReported
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO rental_reports (rental_id, user_id, mdn, status, created_at) VALUES ($1, $2, $3, 'pending', $4)`,
			r.ID, r.UserID, r.MDN, s.clock.Now().Unix())
		return err
	})
}

// ReportStatus returns the latest report on the rental or its chain.
func (s *Service) ReportStatus(ctx context.Context, userID int64, ref Ref) (Report, error) {
	r, err := s.Find(ctx, userID, ref)
	if err != nil {
		return Report{}, err
	}
	rep, err := scanReport(s.db.R.QueryRowContext(ctx,
		`SELECT `+reportColumns+` FROM rental_reports WHERE rental_id IN (SELECT id FROM rentals WHERE first_id = $1)
		 ORDER BY id DESC LIMIT 1`, r.FirstID))
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, ErrNoReport
	}
	return rep, err
}

// Reports lists reports, pending ones only unless all is true, oldest first.
func (s *Service) Reports(ctx context.Context, all bool) ([]Report, error) {
	where := ` WHERE status = 'pending'`
	if all {
		where = ""
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+reportColumns+` FROM rental_reports`+where+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanReport)
}

// Resolution is the operator's answer to a report.
type Resolution struct {
	Replace bool   // move the rental to another number of the same service
	Refund  bool   // refund the unused part and end the rental
	Decline string // the reason for declining
}

// Resolve settles a pending report: replacing the number (same service, the
// remaining time), refunding the unused part pro rata and ending the rental,
// or declining with a reason.
func (s *Service) Resolve(ctx context.Context, reportID int64, res Resolution) (Report, error) {
	n := 0
	for _, b := range []bool{res.Replace, res.Refund, strings.TrimSpace(res.Decline) != ""} {
		if b {
			n++
		}
	}
	if n != 1 {
		return Report{}, fmt.Errorf("%w: choose exactly one of replace, refund or decline with a reason", ErrInvalid)
	}
	var rep Report
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		rep, err = scanReport(tx.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM rental_reports WHERE id = $1`+s.db.ForUpdate(), reportID))
		if err != nil {
			return db.NoRows(err)
		}
		if rep.Status != "pending" {
			return fmt.Errorf("%w: report %d is already %s", ErrInvalid, rep.ID, rep.Status)
		}
		// The report stands for the rental's chain: renewals since it was
		// made are the same number for the same customer.
		r, err := s.find(ctx, tx, rep.UserID, Ref{ID: rep.RentalID}, s.lockFor())
		if err != nil {
			return err
		}
		now := s.clock.Now()
		switch {
		case res.Decline != "":
			rep.Status, rep.Outcome = "declined", strings.TrimSpace(res.Decline)
		case r.Status != StatusActive:
			return ErrEnded
		case res.Replace:
			if rep.Outcome, err = s.replace(ctx, tx, r, now); err != nil {
				return err
			}
			rep.Status = "replaced"
		case res.Refund:
			total := r.Days * 24 * 3600
			left := min(max(r.ExpiresAt-now.Unix(), 0), total)
			cents := r.PriceCents * left / total
			if cents > 0 {
				reason := "Refund of the unused part of rental " + strconv.FormatInt(r.ID, 10)
				if _, err := account.Post(ctx, tx, r.UserID, cents, account.KindRefund, reason, r.ID, now.Unix()); err != nil {
					return err
				}
			}
			if err := s.end(ctx, tx, r, EndRefunded, now.Unix()); err != nil {
				return err
			}
			rep.Status, rep.Outcome = "refunded", money.Text(cents)
		}
		rep.ResolvedAt = now.Unix()
		_, err = tx.ExecContext(ctx, `UPDATE rental_reports SET status = $1, outcome = $2, resolved_at = $3 WHERE id = $4`,
			rep.Status, rep.Outcome, rep.ResolvedAt, rep.ID)
		return err
	})
	return rep, err
}

// replace moves a rental to another eligible number for its service; the
// faulty number goes back to the pool without a hold. It returns the new MDN.
func (s *Service) replace(ctx context.Context, tx *sql.Tx, r Rental, now time.Time) (string, error) {
	n, err := s.inv.Allocate(ctx, tx, s.criteria(r), now.Unix())
	if err != nil {
		return "", err
	}
	old := r.NumberID
	if _, err := tx.ExecContext(ctx, `UPDATE rentals SET number_id = $1, mdn = $2, carrier = $3 WHERE id = $4`,
		n.ID, n.MDN, n.Carrier, r.ID); err != nil {
		return "", err
	}
	if err := s.openWindow(ctx, tx, n.ID, n.Gateway, now); err != nil {
		return "", err
	}
	if s.gateways.Parking(r.Gateway) {
		if err := s.inv.SetOnlineWindow(ctx, tx, old, 0); err != nil {
			return "", err
		}
	}
	return n.MDN, s.inv.Release(ctx, tx, old)
}
