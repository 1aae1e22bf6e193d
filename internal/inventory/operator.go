package inventory

import (
	"context"
	"fmt"
	"strings"

	"mdnhub/internal/db"
)

// Number states the operator filters by.
const (
	FilterEnabled  = "enabled"
	FilterDisabled = "disabled"
	FilterOnline   = "online"
	FilterOffline  = "offline"
	FilterHeld     = "held"
	FilterFree     = "free"
)

// numberStates are the conditions of each filter.
var numberStates = map[string]string{
	FilterEnabled:  `enabled`,
	FilterDisabled: `NOT enabled`,
	FilterOnline:   `online`,
	FilterOffline:  `NOT online`,
	FilterHeld:     `held_by IS NOT NULL`,
	FilterFree:     `held_by IS NULL`,
}

// Search selects numbers for the operator's list.
type Search struct {
	// Digits: numbers whose MDN contains these digits (punctuation in the
	// query is ignored).
	Digits  string
	Gateway string
	State   string // a US state, e.g. NY
	// Status: one of the Filter* states, "" for any.
	Status string
	After  string // the last MDN of the previous page
	Limit  int
}

// Find lists the numbers that match, ordered by MDN, those after s.After:
// pages of the operator's list, keyed by the last MDN shown.
func (s *Store) Find(ctx context.Context, q Search) ([]Number, error) {
	a := s.db.NewArgs()
	conds := []string{`mdn > ` + a.Add(q.After)}
	var digits strings.Builder
	for _, r := range q.Digits {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case strings.ContainsRune(" -().+", r):
		default:
			return nil, fmt.Errorf("%w: search by the digits of a number", ErrInvalid)
		}
	}
	if d := digits.String(); d != "" {
		conds = append(conds, `mdn LIKE `+a.Add("%"+d+"%"))
	}
	if q.Gateway != "" {
		conds = append(conds, `gateway = `+a.Add(q.Gateway))
	}
	if q.State != "" {
		conds = append(conds, `state = `+a.Add(strings.ToUpper(q.State)))
	}
	if q.Status != "" {
		c, ok := numberStates[q.Status]
		if !ok {
			return nil, fmt.Errorf("%w: state must be enabled, disabled, online, offline, held or free", ErrInvalid)
		}
		conds = append(conds, c)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+numberColumns+` FROM numbers WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY mdn LIMIT `+a.Add(limit), a.List()...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanNumber)
}

// GatewayCount is how many numbers name one gateway.
type GatewayCount struct {
	Gateway                      string
	Total, Enabled, Online, Held int64
}

// CountByGateway returns the inventory totals of each gateway named by a
// number, by name: gateways the configuration does not declare show up
// here too.
func (s *Store) CountByGateway(ctx context.Context) ([]GatewayCount, error) {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT gateway, COUNT(*),
		   COALESCE(SUM(CASE WHEN enabled THEN 1 ELSE 0 END), 0),
		   COALESCE(SUM(CASE WHEN enabled AND online THEN 1 ELSE 0 END), 0),
		   COALESCE(SUM(CASE WHEN held_by IS NOT NULL THEN 1 ELSE 0 END), 0)
		 FROM numbers GROUP BY gateway ORDER BY gateway`)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(r db.Row) (c GatewayCount, err error) {
		return c, r.Scan(&c.Gateway, &c.Total, &c.Enabled, &c.Online, &c.Held)
	})
}
