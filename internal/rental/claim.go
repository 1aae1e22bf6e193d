package rental

import (
	"context"
	"database/sql"

	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
)

// Claim is an SMS attributed to a rental.
type Claim struct {
	UserID   int64
	RentalID int64
	FirstID  int64
	Service  string // the rental's service, or for Unlimited the detected one ("Unknown" if none)
}

// ClaimMessages attributes SMS for numbers to their active rentals, inside
// the caller's transaction, with one read for the whole batch; ok[i] is
// false when the number was not rented at the time. For an Unlimited rental
// the service is detected among all services. The number is burnt for the
// service each message is for.
func (s *Service) ClaimMessages(ctx context.Context, tx *sql.Tx, arrivals []inventory.Arrival) (out []Claim, ok []bool, err error) {
	out, ok = make([]Claim, len(arrivals)), make([]bool, len(arrivals))
	ids := make([]int64, 0, len(arrivals))
	for _, a := range arrivals {
		ids = append(ids, a.NumberID)
	}
	in, args := s.db.In(nil, db.Anys(ids)...)
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.user_id, COALESCE(r.first_id, r.id), r.service_id, s.name, r.number_id, r.expires_at
		FROM rentals r JOIN services s ON s.id = r.service_id
		WHERE r.number_id IN (`+in+`) AND r.status = 'active' ORDER BY r.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	type active struct {
		Claim
		serviceID, expiresAt int64
	}
	byNumber := map[int64]active{}
	unlimited := false
	for rows.Next() {
		var (
			a        active
			numberID int64
		)
		if err := rows.Scan(&a.RentalID, &a.UserID, &a.FirstID, &a.serviceID, &a.Service, &numberID, &a.expiresAt); err != nil {
			rows.Close()
			return nil, nil, err
		}
		byNumber[numberID] = a // the newest rental of the number wins
		unlimited = unlimited || IsUnlimited(a.Service)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(byNumber) == 0 {
		return out, ok, err
	}
	var detect *catalog.Detector
	if unlimited {
		if detect, err = catalog.LoadDetector(ctx, s.db, tx, nil); err != nil {
			return nil, nil, err
		}
	}
	var burns []inventory.BurnKey
	for i, arr := range arrivals {
		a, found := byNumber[arr.NumberID]
		if !found || a.expiresAt <= arr.At {
			continue
		}
		c, serviceID := a.Claim, a.serviceID
		if IsUnlimited(c.Service) {
			id, name, matched := detect.Detect(arr.From, arr.Text, nil, IsUnlimited)
			c.Service, serviceID = UnknownService, 0
			if matched {
				c.Service, serviceID = name, id
			}
		}
		if serviceID != 0 {
			burns = append(burns, inventory.BurnKey{NumberID: arr.NumberID, ServiceID: serviceID, UserID: c.UserID})
		}
		out[i], ok[i] = c, true
	}
	return out, ok, s.inv.Burn(ctx, tx, arrivals[0].At, burns...)
}
