package request

import (
	"context"

	"mdnhub/internal/db"
)

// OpenCounts are the requests that hold a number or a bid now.
type OpenCounts struct {
	Reserved  int64 // waiting for their first SMS
	Completed int64 // completed, keeping the number until their time ends
	Awaiting  int64 // premium bids waiting for a number
}

// Total is every open request.
func (c OpenCounts) Total() int64 { return c.Reserved + c.Completed + c.Awaiting }

// OpenCounts counts the open requests of every user by status.
func (s *Service) OpenCounts(ctx context.Context) (OpenCounts, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT status, COUNT(*) FROM requests WHERE closed_at IS NULL GROUP BY status`)
	if err != nil {
		return OpenCounts{}, err
	}
	type count struct {
		status string
		n      int64
	}
	cs, err := db.Collect(rows, func(r db.Row) (c count, err error) { return c, r.Scan(&c.status, &c.n) })
	var out OpenCounts
	for _, c := range cs {
		switch c.status {
		case StatusReserved:
			out.Reserved += c.n
		case StatusCompleted:
			out.Completed += c.n
		case StatusAwaiting:
			out.Awaiting += c.n
		}
	}
	return out, err
}

// ServiceOutcomes are the outcomes of one service's requests made in a
// period.
type ServiceOutcomes struct {
	Service   string
	Total     int64
	Completed int64 // got their SMS (open or ended)
	Rejected  int64
	TimedOut  int64
	Pending   int64 // reserved or bidding, still waiting
}

// CompletionRate is the share of the decided requests (completed, rejected
// or timed out) that got their SMS, 0..1; -1 when none is decided yet.
func (o ServiceOutcomes) CompletionRate() float64 {
	decided := o.Completed + o.Rejected + o.TimedOut
	if decided == 0 {
		return -1
	}
	return float64(o.Completed) / float64(decided)
}

// OutcomesSince counts, per service, the requests made at or after since
// (unix seconds) by their outcome, the busiest service first.
func (s *Service) OutcomesSince(ctx context.Context, since int64) ([]ServiceOutcomes, error) {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT s.name, COUNT(*),
		   COALESCE(SUM(CASE WHEN r.status = $2 THEN 1 ELSE 0 END), 0),
		   COALESCE(SUM(CASE WHEN r.status = $3 THEN 1 ELSE 0 END), 0),
		   COALESCE(SUM(CASE WHEN r.status = $4 THEN 1 ELSE 0 END), 0)
		 FROM requests r JOIN services s ON s.id = r.service_id
		 WHERE r.created_at >= $1
		 GROUP BY s.name ORDER BY COUNT(*) DESC, s.name`, since, StatusCompleted, StatusRejected, StatusTimedOut)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(r db.Row) (o ServiceOutcomes, err error) {
		err = r.Scan(&o.Service, &o.Total, &o.Completed, &o.Rejected, &o.TimedOut)
		o.Pending = o.Total - o.Completed - o.Rejected - o.TimedOut
		return o, err
	})
}

// ByNumber returns the requests that were given the number, newest first,
// at most limit: the number's history for the operator.
func (s *Service) ByNumber(ctx context.Context, numberID int64, limit int) ([]Request, error) {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT `+requestColumns+requestFrom+` WHERE r.number_id = $1 ORDER BY r.id DESC LIMIT $2`, numberID, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanRequest)
}
