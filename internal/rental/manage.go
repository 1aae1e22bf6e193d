package rental

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mdnhub/internal/inventory"
	"mdnhub/internal/money"
)

// Autorenew returns a rental's auto-renew flag, setting it first when set is
// not nil. Only rentals not yet ended can be changed.
func (s *Service) Autorenew(ctx context.Context, userID int64, ref Ref, set *bool) (bool, error) {
	if set == nil {
		r, err := s.Find(ctx, userID, ref)
		if err == nil && r.Status == StatusEnded {
			return false, ErrEnded
		}
		return r.Autorenew, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.active(ctx, tx, userID, ref)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE rentals SET autorenew = $1 WHERE id = $2`, *set, r.ID)
		return err
	})
	return *set, err
}

// Forward sets voice-call forwarding of a rented number to destination (a
// normalized US number; "" turns forwarding off) through its gateway.
func (s *Service) Forward(ctx context.Context, userID int64, ref Ref, destination string) error {
	r, err := s.Find(ctx, userID, ref)
	if err != nil {
		return err
	}
	if r.Status != StatusActive {
		if r.Status == StatusEnded {
			return ErrEnded
		}
		return ErrAwaiting
	}
	if err := s.gateways.Forward(ctx, r.Gateway, r.MDN, destination); err != nil {
		if errors.Is(err, ErrUnsupported) {
			return ErrForwarding
		}
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.active(ctx, tx, userID, Ref{ID: r.ID})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE rentals SET forward_to = $1 WHERE id = $2`, destination, r.ID)
		return err
	})
}

// SwitchService changes the service of a rental whose service is Unknown, or
// sets the service filter of an Unlimited rental. The number must be fresh
// for the new service (not burnt by, nor kept for, anyone else); a higher
// price for the rental's duration is charged as the difference.
func (s *Service) SwitchService(ctx context.Context, userID int64, ref Ref, service string) error {
	svc, err := s.catalog.Lookup(ctx, service)
	if err != nil {
		return err
	}
	if IsUnlimited(svc.Name) {
		return fmt.Errorf("%w: cannot switch to Unlimited", ErrInvalid)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.active(ctx, tx, userID, ref)
		if err != nil {
			return err
		}
		unlimited := IsUnlimited(r.Service)
		if !unlimited && !strings.EqualFold(r.Service, UnknownService) {
			return ErrNotSwitchable
		}
		if r.NumberID != 0 {
			var taken bool
			err := tx.QueryRowContext(ctx, `SELECT
				EXISTS (SELECT 1 FROM burns WHERE number_id = $1 AND service_id = $2 AND user_id <> $3)
				OR EXISTS (SELECT 1 FROM rental_holds WHERE number_id = $1 AND service_id = $2 AND user_id <> $3 AND until > $4)`,
				r.NumberID, svc.ID, r.UserID, s.clock.Now().Unix()).Scan(&taken)
			if err != nil {
				return err
			}
			if taken {
				return ErrNotFresh
			}
		}
		price, err := priceFor(svc, r.Days)
		if err != nil {
			return err
		}
		if diff := price - r.PriceCents; diff > 0 {
			text := fmt.Sprintf("Service switch of rental %d (%s) from %s to %s, %d days: $%s",
				r.ID, r.MDN, r.Service, svc.Name, r.Days, money.Text(diff))
			if err := s.charge(ctx, tx, r, diff, text); err != nil {
				return err
			}
			r.PriceCents = price
		}
		if unlimited {
			_, err = tx.ExecContext(ctx, `UPDATE rentals SET filter_service = $1, price_cents = $2 WHERE id = $3`, svc.Name, r.PriceCents, r.ID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE rentals SET service_id = $1, price_cents = $2 WHERE id = $3`, svc.ID, r.PriceCents, r.ID)
		}
		return err
	})
}

// NormalizeDestination checks a forwarding destination: a US number, or ""
// to turn forwarding off.
func NormalizeDestination(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return inventory.NormalizeMDN(s)
}
