package app

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"mdnhub/internal/money"
	"mdnhub/internal/rental"
)

func (c *CLI) rentals(ctx context.Context, args []string) error {
	verb, rest, err := sub(args, "rentals", "list", "reports", "resolve")
	if err != nil {
		return err
	}
	fs, path := c.flags("rentals " + verb)
	name := fs.String("name", "", "user name or e-mail (list)")
	limit := fs.Int("limit", 50, "how many to list (list)")
	all := fs.Bool("all", false, "include resolved reports (reports)")
	id := fs.Int64("id", 0, "report id (resolve)")
	replace := fs.Bool("replace", false, "give the renter another number for the remaining time (resolve)")
	refund := fs.Bool("refund", false, "refund the unused part and end the rental (resolve)")
	decline := fs.String("decline", "", "decline the report with this reason (resolve)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
	defer tw.Flush()
	switch verb {
	case "list":
		if *name == "" {
			return usagef("mdnhub rentals list: -name is required")
		}
		u, err := a.Accounts.Find(ctx, *name)
		if err != nil {
			return fmt.Errorf("user %q: %w", *name, err)
		}
		rs, err := a.Rentals.List(ctx, u.ID, *limit)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "id\tfirst\tmdn\tservice\tdays\tprice\tstatus\tautorenew\texpires (UTC)")
		for _, r := range rs {
			status := r.Status
			if r.EndReason != "" {
				status += " (" + r.EndReason + ")"
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%s\t%s\t%v\t%s\n", r.ID, r.FirstID, r.MDN, r.Service, r.Days,
				money.Text(r.PriceCents), status, r.Autorenew, r.Expires().UTC().Format(time.DateTime))
		}
	case "reports":
		reps, err := a.Rentals.Reports(ctx, *all)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "report\trental\tuser\tmdn\tstatus\treported (UTC)")
		for _, r := range reps {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.RentalID, r.UserID, r.MDN, r.Text(),
				time.Unix(r.CreatedAt, 0).UTC().Format(time.DateTime))
		}
	case "resolve":
		if *id == 0 {
			return usagef("mdnhub rentals resolve: -id is required, with -replace, -refund or -decline REASON")
		}
		rep, err := a.Rentals.Resolve(ctx, *id, rental.Resolution{Replace: *replace, Refund: *refund, Decline: *decline})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "report %d: %s\n", rep.ID, rep.Text())
	}
	return nil
}
