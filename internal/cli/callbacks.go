package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app"
	"mdnhub/internal/callback"
)

// callbacksCommands manage customers' webhooks and their deliveries.
func callbacksCommands() []*command {
	return []*command{{
		noun: "callbacks", verb: "set",
		summary: "set or turn off a user's callback URL and signing secret",
		example: "mdnhub callbacks set -name alice -url https://hooks.example.com/mdnhub",
		setup: func(fs *flag.FlagSet) action {
			target := fs.String("url", "", "callback URL; empty turns callbacks off")
			secret := fs.String("secret", "", "signing secret, 16 to 128 characters; empty keeps or generates one")
			return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				s, err := a.Accounts.SetCallback(ctx, u.ID, *target, *secret)
				if err != nil {
					return err
				}
				if s.URL == "" {
					fmt.Fprintf(r.Stdout, "callbacks of %s are off\n", u.Username)
					return nil
				}
				fmt.Fprintf(r.Stdout, "callbacks of %s go to %s\nsigning secret: %s\n", u.Username, s.URL, s.Secret)
				return nil
			})
		},
	}, {
		noun: "callbacks", verb: "log",
		summary: "list a user's latest callback deliveries and their outcome",
		example: "mdnhub callbacks log -name alice -limit 20",
		setup: func(fs *flag.FlagSet) action {
			limit := fs.Int("limit", 50, "how many deliveries to list")
			return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				ds, err := a.Callbacks.Log(ctx, u.ID, *limit)
				if err != nil {
					return err
				}
				t := newTable(r.Stdout, "id", "event", "status", "attempts", "last code", "last error", "created (UTC)", "next attempt (UTC)")
				for _, d := range ds {
					next := ""
					if d.NextAttemptAt != 0 {
						next = time.Unix(d.NextAttemptAt, 0).UTC().Format(time.DateTime)
					}
					t.row(d.ID, d.Event, d.Status, d.Attempts, d.LastCode, d.LastError, time.Unix(d.CreatedAt, 0).UTC().Format(time.DateTime), next)
				}
				return t.flush()
			})
		},
	}, {
		noun: "callbacks", verb: "list",
		summary: "list the callback deliveries of every account, failed ones first, then the others, newest first",
		example: "mdnhub callbacks list -limit 20",
		setup: func(fs *flag.FlagSet) action {
			limit := fs.Int("limit", 50, "how many deliveries to list")
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					ds, _, err := a.Callbacks.Deliveries(ctx, callback.Page{}, *limit)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "id", "user", "event", "status", "attempts", "last code", "last error", "created (UTC)")
					for _, d := range ds {
						t.row(d.ID, d.UserID, d.Event, d.Status, d.Attempts, d.LastCode, d.LastError, time.Unix(d.CreatedAt, 0).UTC().Format(time.DateTime))
					}
					return t.flush()
				})
			}
		},
	}, {
		noun: "callbacks", verb: "redeliver",
		summary: "deliver an event again; the running server sends it",
		example: "mdnhub callbacks redeliver -id 42",
		setup: func(fs *flag.FlagSet) action {
			id := fs.Int64("id", 0, "event id, as listed by callbacks log (required)")
			return func(ctx context.Context, r *run) error {
				if *id == 0 {
					return r.usagef("-id is required")
				}
				return r.withApp(ctx, func(a *app.App) error {
					if err := a.Callbacks.Redeliver(ctx, 0, *id); err != nil {
						return fmt.Errorf("event %d: %w", *id, err)
					}
					fmt.Fprintf(r.Stdout, "event %d will be delivered again by the running server\n", *id)
					return nil
				})
			}
		},
	}}
}
