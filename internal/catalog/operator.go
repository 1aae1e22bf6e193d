package catalog

import (
	"context"

	"mdnhub/internal/db"
)

// All returns every service, hidden ones (not enabled) included, by name:
// the operator's list.
func (c *Catalog) All(ctx context.Context) ([]Service, error) {
	rows, err := c.db.R.QueryContext(ctx, `SELECT `+serviceColumns+` FROM services ORDER BY name_key`)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanService)
}
