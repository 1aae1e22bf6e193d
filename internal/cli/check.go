package cli

import (
	"context"
	"flag"
	"fmt"

	"mdnhub/internal/app"
	"mdnhub/internal/check"
	"mdnhub/internal/message"
)

// checkCommand verifies every invariant of the database, on one snapshot;
// the exit code is 1 when one is broken.
func checkCommand() *command {
	return &command{
		noun:    "check",
		summary: "verify the invariants of money, numbers, messages and jobs; exit 1 listing every violation",
		example: "mdnhub check -config /etc/mdnhub.conf",
		setup: func(*flag.FlagSet) action {
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					rep, err := check.Run(ctx, a.DB, check.Options{Now: a.Clock.Now(), SendGrace: message.SendGrace})
					if err != nil {
						return err
					}
					fmt.Fprint(r.Stdout, rep.String())
					return rep.Err()
				})
			}
		},
	}
}
