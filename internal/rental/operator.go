package rental

import (
	"context"

	"mdnhub/internal/db"
)

// ByNumber returns the rentals of the number, renewals included, newest
// first, at most limit: the number's history for the operator. A rental
// whose report was settled by a replacement is listed under its new number.
func (s *Service) ByNumber(ctx context.Context, numberID int64, limit int) ([]Rental, error) {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT `+rentalColumns+rentalFrom+` WHERE r.number_id = $1 ORDER BY r.id DESC LIMIT $2`, numberID, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanRental)
}

// Report returns one report, for the operator.
func (s *Service) Report(ctx context.Context, id int64) (Report, error) {
	r, err := scanReport(s.db.R.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM rental_reports WHERE id = $1`, id))
	return r, db.NoRows(err)
}
