package cli

import (
	"context"
	"flag"
	"fmt"

	"mdnhub/internal/app"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
)

// simCommands inject messages as a gateway would deliver them.
func simCommands() []*command {
	return []*command{{
		noun: "sim", verb: "send",
		summary: "deliver an inbound SMS as if the number's gateway received it",
		example: `mdnhub sim send -to 12125550100 -from 22000 -text "G-804036 is your Google verification code."`,
		setup: func(fs *flag.FlagSet) action {
			to := fs.String("to", "", "receiving number, one of the inventory's MDNs (required)")
			from := fs.String("from", "", "sender number or short code (required)")
			text := fs.String("text", "", "message text (required)")
			id := fs.String("id", "", "gateway message id; a repeated id is stored once")
			return func(ctx context.Context, r *run) error {
				if *to == "" || *from == "" || *text == "" {
					return r.usagef("-to, -from and -text are required")
				}
				return r.withApp(ctx, func(a *app.App) error {
					return simSend(ctx, r, a, message.Inbound{To: *to, From: *from, Text: *text, GatewayID: *id})
				})
			}
		},
	}}
}

// simSend delivers in as the number's own gateway would; a number that is
// not in the inventory is stored as unowned.
func simSend(ctx context.Context, r *run, a *app.App, in message.Inbound) error {
	in.Gateway = "cli"
	if mdn, err := inventory.NormalizeMDN(in.To); err == nil {
		if n, err := a.Inventory.Get(ctx, mdn); err == nil {
			in.Gateway = n.Gateway
		}
	}
	d, err := a.Messages.Deliver(ctx, in)
	if err != nil {
		return err
	}
	switch {
	case d.Duplicate:
		fmt.Fprintf(r.Stdout, "message %d was already delivered\n", d.Message.ID)
	case d.Unowned:
		fmt.Fprintf(r.Stdout, "message %d stored as unowned: nobody holds %s\n", d.Message.ID, d.Message.MDN)
	default:
		to := fmt.Sprintf("request %d", d.Message.RequestID)
		if d.Message.RentalID != 0 {
			to = fmt.Sprintf("rental %d", d.Message.RentalID)
		}
		fmt.Fprintf(r.Stdout, "message %d delivered to %s of user %d, service %s (pin %q)\n",
			d.Message.ID, to, d.Message.UserID, d.Message.Service, d.Message.PIN)
	}
	return nil
}
