package cli

import (
	"context"
	"flag"
	"fmt"

	"mdnhub/internal/app"
)

// migrateCommand brings the schema up to date and prints its version.
func migrateCommand() *command {
	return &command{
		noun:    "migrate",
		summary: "bring the database schema up to date and exit",
		example: "MDNHUB_DB_DRIVER=postgres MDNHUB_DB_DSN=postgres://mdnhub@db/mdnhub mdnhub migrate",
		setup: func(*flag.FlagSet) action {
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					v, err := a.DB.Version(ctx)
					if err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "database is at schema version %d\n", v)
					return nil
				})
			}
		},
	}
}
