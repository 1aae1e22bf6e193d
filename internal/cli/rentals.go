package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app"
	"mdnhub/internal/money"
	"mdnhub/internal/rental"
)

// rentalsCommands show long-term rentals and settle the problems renters
// report.
func rentalsCommands() []*command {
	return []*command{{
		noun: "rentals", verb: "list",
		summary: "list a user's long-term rentals, renewals included",
		example: "mdnhub rentals list -name alice",
		setup: func(fs *flag.FlagSet) action {
			limit := fs.Int("limit", 50, "how many to list")
			return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				rs, err := a.Rentals.List(ctx, u.ID, *limit)
				if err != nil {
					return err
				}
				t := newTable(r.Stdout, "id", "first", "mdn", "service", "days", "price", "status", "autorenew", "expires (UTC)")
				for _, rt := range rs {
					status := rt.Status
					if rt.EndReason != "" {
						status += " (" + rt.EndReason + ")"
					}
					t.row(rt.ID, rt.FirstID, rt.MDN, rt.Service, rt.Days, money.Text(rt.PriceCents), status, rt.Autorenew,
						rt.Expires().UTC().Format(time.DateTime))
				}
				return t.flush()
			})
		},
	}, {
		noun: "rentals", verb: "reports",
		summary: "list the problems renters reported, open ones unless -all",
		example: "mdnhub rentals reports -all",
		setup: func(fs *flag.FlagSet) action {
			all := fs.Bool("all", false, "include resolved reports")
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					reps, err := a.Rentals.Reports(ctx, *all)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "report", "rental", "user", "mdn", "status", "reported (UTC)")
					for _, rep := range reps {
						t.row(rep.ID, rep.RentalID, rep.UserID, rep.MDN, rep.Text(), time.Unix(rep.CreatedAt, 0).UTC().Format(time.DateTime))
					}
					return t.flush()
				})
			}
		},
	}, {
		noun: "rentals", verb: "resolve",
		summary: "settle a report: replace the number, refund the unused part, or decline",
		example: "mdnhub rentals resolve -id 3 -replace",
		setup: func(fs *flag.FlagSet) action {
			id := fs.Int64("id", 0, "report id, as listed by rentals reports (required)")
			replace := fs.Bool("replace", false, "give the renter another number for the remaining time")
			refund := fs.Bool("refund", false, "refund the unused part and end the rental")
			decline := fs.String("decline", "", "decline the report with this reason")
			return func(ctx context.Context, r *run) error {
				if *id == 0 {
					return r.usagef("-id is required, with -replace, -refund or -decline REASON")
				}
				return r.withApp(ctx, func(a *app.App) error {
					rep, err := a.Rentals.Resolve(ctx, *id, rental.Resolution{Replace: *replace, Refund: *refund, Decline: *decline})
					if err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "report %d: %s\n", rep.ID, rep.Text())
					return nil
				})
			}
		},
	}}
}
