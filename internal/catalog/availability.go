package catalog

import (
	"context"
	"log/slog"
	"time"
)

// Available returns the approximate availability of a service from the last
// refresh; it never touches the inventory on the caller's behalf.
func (c *Catalog) Available(serviceID int64) Availability {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.avail[serviceID]
}

// Refresh recomputes the availability of every service: numbers that are
// enabled, online, free and not burnt for the service.
func (c *Catalog) Refresh(ctx context.Context) error {
	rows, err := c.db.R.QueryContext(ctx,
		`SELECT s.id,
		   (SELECT COUNT(*) FROM numbers n
		     WHERE n.held_by IS NULL AND n.enabled AND n.online
		       AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = n.id AND b.service_id = s.id)),
		   (SELECT COUNT(*) FROM numbers n
		     WHERE n.held_by IS NULL AND n.enabled
		       AND NOT EXISTS (SELECT 1 FROM burns b WHERE b.number_id = n.id AND b.service_id = s.id))
		 FROM services s WHERE s.enabled`)
	if err != nil {
		return err
	}
	defer rows.Close()
	next := make(map[int64]Availability)
	for rows.Next() {
		var id int64
		var a Availability
		if err := rows.Scan(&id, &a.OneTime, &a.LongTerm); err != nil {
			return err
		}
		next[id] = a
	}
	if err := rows.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.avail, c.availTime = next, c.clock.Now()
	c.mu.Unlock()
	return nil
}

// RunRefresher refreshes availability every interval until ctx ends. It is a
// per-node cache, not state: every node keeps its own copy.
func (c *Catalog) RunRefresher(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
			log.Warn("availability refresh failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RecommendedMarkup is the 75th percentile of the markups that won a number
// for the service in the last 24 hours, and at least 10.
func (c *Catalog) RecommendedMarkup(ctx context.Context, serviceID int64) (int64, error) {
	since := c.clock.Now().Add(-24 * time.Hour).Unix()
	var n int64
	if err := c.db.R.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM requests WHERE service_id = $1 AND won_at >= $2`, serviceID, since).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 10, nil
	}
	// Nearest-rank percentile: the ceil(0.75 n)-th smallest markup.
	rank := (75*n + 99) / 100
	var markup int64
	if err := c.db.R.QueryRowContext(ctx,
		`SELECT markup FROM requests WHERE service_id = $1 AND won_at >= $2 ORDER BY markup LIMIT 1 OFFSET $3`,
		serviceID, since, rank-1).Scan(&markup); err != nil {
		return 0, err
	}
	return max(markup, 10), nil
}
