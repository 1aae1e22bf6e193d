package cli

import (
	"context"
	"flag"
	"strings"
	"time"

	"mdnhub/internal/app"
)

// messagesCommands show the SMS that only the operator sees.
func messagesCommands() []*command {
	return []*command{{
		noun: "messages", verb: "unowned",
		summary: "list the SMS that arrived while nobody held their number, newest first",
		example: "mdnhub messages unowned -limit 20",
		setup: func(fs *flag.FlagSet) action {
			limit := fs.Int("limit", 50, "how many to list")
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					ms, err := a.Messages.Unowned(ctx, 0, 0, *limit)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "id", "received (UTC)", "to", "from", "gateway", "pin", "text")
					for _, m := range ms {
						t.row(m.ID, time.Unix(m.ReceivedAt, 0).UTC().Format(time.DateTime), m.MDN, m.From, m.Gateway, m.PIN,
							strings.Join(strings.Fields(m.Text), " "))
					}
					return t.flush()
				})
			}
		},
	}}
}
