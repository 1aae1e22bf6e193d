package rental

import (
	"context"
	"database/sql"
	"errors"

	"mdnhub/internal/catalog"
)

// Claim is an SMS attributed to a rental.
type Claim struct {
	UserID   int64
	RentalID int64
	FirstID  int64
	Service  string // the rental's service, or for Unlimited the detected one ("Unknown" if none)
}

// ClaimMessage attributes an SMS for a number to its active rental, inside
// the caller's transaction; ok is false when the number is not rented. For
// an Unlimited rental the service is detected among all services. The number
// is burnt for the service the message is for.
func (s *Service) ClaimMessage(ctx context.Context, tx *sql.Tx, numberID int64, from, text string, now int64) (c Claim, ok bool, err error) {
	var (
		serviceID int64
		service   string
	)
	err = tx.QueryRowContext(ctx,
		`SELECT r.id, r.user_id, COALESCE(r.first_id, r.id), r.service_id, s.name
		 FROM rentals r JOIN services s ON s.id = r.service_id
		 WHERE r.number_id = $1 AND r.status = 'active' AND r.expires_at > $2 ORDER BY r.id DESC LIMIT 1`, numberID, now).
		Scan(&c.RentalID, &c.UserID, &c.FirstID, &serviceID, &service)
	if errors.Is(err, sql.ErrNoRows) {
		return Claim{}, false, nil
	}
	if err != nil {
		return Claim{}, false, err
	}
	c.Service = service
	if IsUnlimited(service) {
		c.Service, serviceID, err = s.detect(ctx, tx, from, text)
		if err != nil {
			return Claim{}, false, err
		}
	}
	if serviceID != 0 {
		if err := s.inv.Burn(ctx, tx, numberID, serviceID, c.UserID, now); err != nil {
			return Claim{}, false, err
		}
	}
	return c, true, nil
}

// detect finds the service of an SMS among every service but Unlimited.
func (s *Service) detect(ctx context.Context, tx *sql.Tx, from, text string) (string, int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM services WHERE enabled`)
	if err != nil {
		return "", 0, err
	}
	names := map[int64]string{}
	var ids []int64
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return "", 0, err
		}
		if !IsUnlimited(name) {
			names[id] = name
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", 0, err
	}
	id, found, err := catalog.Detect(ctx, tx, from, text, ids)
	if err != nil || !found {
		return UnknownService, 0, err
	}
	return names[id], id, nil
}
