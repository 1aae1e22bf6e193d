package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app"
	"mdnhub/internal/money"
	"mdnhub/internal/proxy"
)

// proxyCommands manage mobile proxy ports, their redials and rentals.
func proxyCommands() []*command {
	return []*command{{
		noun: "proxy", verb: "port-set",
		summary: "add or change a proxy port: what customers see, its capacity, upstream and redial",
		example: "mdnhub proxy port-set -id 50001 -location NJ -carrier TMobile -upstream socks5://10.0.0.2:1080 -redial-action https://10.0.0.2/rotate",
		setup: func(fs *flag.FlagSet) action {
			id := fs.String("id", "", "port id, e.g. 50001 (required)")
			location := fs.String("location", "", "location shown to customers, e.g. NJ")
			carrier := fs.String("carrier", "", "carrier shown to customers")
			redialMin := fs.Int64("redial", 15, "automatic redial interval of a shared port in minutes, 0: never")
			capacity := fs.Int64("capacity", 1, "most shared leases at once")
			exclusive := fs.Bool("exclusive", true, "exclusive rental allowed")
			upstream := fs.String("upstream", "", "socks5://host:port, http://host:port, direct or direct://<source IP>")
			redialAction := fs.String("redial-action", "", "http(s) URL to GET, or a command line, that changes the IP")
			timeout := fs.Duration("redial-timeout", time.Minute, "time limit of the redial action")
			return func(ctx context.Context, r *run) error {
				p := proxy.Port{ID: *id, Location: *location, Carrier: *carrier, RedialMinutes: *redialMin, Capacity: *capacity,
					ExclusiveAllowed: *exclusive, Upstream: *upstream, RedialAction: *redialAction, RedialTimeout: *timeout, Enabled: true}
				return r.withApp(ctx, func(a *app.App) error {
					if err := a.Proxies.PutPort(ctx, p); err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "port %s saved\n", p.ID)
					return nil
				})
			}
		},
	}, {
		noun: "proxy", verb: "ports",
		summary: "list proxy ports with their leases, upstream and services",
		example: "mdnhub proxy ports",
		setup: func(*flag.FlagSet) action {
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					ports, err := a.Proxies.ListPorts(ctx, true)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "port", "location", "carrier", "redial", "capacity", "leases", "exclusive", "enabled", "upstream", "services")
					for _, p := range ports {
						t.row(p.ID, p.Location, p.Carrier, fmt.Sprintf("%dm", p.RedialMinutes), p.Capacity,
							p.Leases, p.Exclusive, p.Enabled, p.Upstream, strings.Join(p.Services, ", "))
					}
					return t.flush()
				})
			}
		},
	},
		portSwitch("port-enable", "offer a proxy port again", "mdnhub proxy port-enable -id 50001"),
		portSwitch("port-disable", "stop offering a proxy port", "mdnhub proxy port-disable -id 50001"),
		{
			noun: "proxy", verb: "redials",
			summary: "list the latest redials (IP changes) with their outcome",
			example: "mdnhub proxy redials -limit 20",
			setup: func(fs *flag.FlagSet) action {
				limit := fs.Int("limit", 50, "how many to list")
				return func(ctx context.Context, r *run) error {
					return r.withApp(ctx, func(a *app.App) error {
						rs, err := a.Proxies.Redials(ctx, *limit)
						if err != nil {
							return err
						}
						t := newTable(r.Stdout, "id", "port", "by user", "status", "requested (UTC)", "output")
						for _, rd := range rs {
							by := "auto"
							if rd.UserID != 0 {
								by = fmt.Sprint(rd.UserID)
							}
							t.row(rd.ID, rd.Port, by, rd.Status, time.Unix(rd.CreatedAt, 0).UTC().Format(time.DateTime),
								strings.ReplaceAll(strings.TrimSpace(rd.Output), "\n", " | "))
						}
						return t.flush()
					})
				}
			},
		}, {
			noun: "proxy", verb: "rentals",
			summary: "list a user's proxy rentals",
			example: "mdnhub proxy rentals -name alice",
			setup: func(fs *flag.FlagSet) action {
				limit := fs.Int("limit", 50, "how many to list")
				return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
					rs, err := a.Proxies.Rentals(ctx, u.ID, *limit)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "id", "port", "service", "exclusive", "proxy user", "minutes", "price", "status", "expires (UTC)")
					for _, rt := range rs {
						t.row(rt.ID, rt.Port, rt.Service, rt.Exclusive, rt.ProxyUser, rt.Minutes,
							money.Text(rt.PriceCents), rt.Status, time.Unix(rt.ExpiresAt, 0).UTC().Format(time.DateTime))
					}
					return t.flush()
				})
			},
		}}
}

// portSwitch is port-enable or port-disable.
func portSwitch(verb, summary, example string) *command {
	return &command{
		noun: "proxy", verb: verb,
		summary: summary,
		example: example,
		setup: func(fs *flag.FlagSet) action {
			id := fs.String("id", "", "port id, e.g. 50001 (required)")
			return func(ctx context.Context, r *run) error {
				if err := r.required("id", *id); err != nil {
					return err
				}
				return r.withApp(ctx, func(a *app.App) error {
					if err := a.Proxies.SetPortEnabled(ctx, *id, verb == "port-enable"); err != nil {
						return fmt.Errorf("port %q: %w", *id, err)
					}
					fmt.Fprintf(r.Stdout, "port %s %sd\n", *id, strings.TrimPrefix(verb, "port-"))
					return nil
				})
			}
		},
	}
}
