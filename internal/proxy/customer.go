package proxy

import (
	"context"
	"database/sql"
	"errors"
)

// Rental returns one of the user's proxy rentals, ended or not;
// ErrNotFound when it is not the user's. A rental past its end that the
// expiry job has not closed yet shows as ended.
func (s *Service) Rental(ctx context.Context, userID, id int64) (Rental, error) {
	r, err := scanRental(s.db.R.QueryRowContext(ctx, `SELECT `+rentalColumns+` FROM proxy_rentals WHERE id = $1 AND user_id = $2`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Rental{}, ErrNotFound
	}
	if err != nil {
		return Rental{}, err
	}
	if r.ExpiresAt <= s.clock.Now().Unix() {
		r.Status = "ended"
	}
	return r, nil
}
