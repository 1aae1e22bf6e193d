package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"time"

	"mdnhub/internal/app"
	"mdnhub/internal/inventory"
	"mdnhub/internal/money"
)

// numbersCommands manage the inventory: import, list, and switch numbers on
// and off.
func numbersCommands() []*command {
	return []*command{{
		noun: "numbers", verb: "import", args: "FILE",
		summary: "add or update numbers from a CSV file (- for standard input): mdn,carrier,state,gateway,short_rental",
		example: "mdnhub numbers import numbers.csv",
		setup:   func(*flag.FlagSet) action { return importNumbers },
	}, {
		noun: "numbers", verb: "list",
		summary: "list numbers with their state, carrier, gateway and whether they are held",
		example: "mdnhub numbers list -limit 50",
		setup: func(fs *flag.FlagSet) action {
			limit := fs.Int("limit", 100, "how many to list")
			offset := fs.Int("offset", 0, "how many to skip")
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					ns, err := a.Inventory.List(ctx, *limit, *offset)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "mdn", "state", "carrier", "gateway", "short", "enabled", "online", "held")
					for _, n := range ns {
						t.row(n.MDN, n.State, n.Carrier, n.Gateway, n.ShortRental, n.Enabled, n.Online, n.HeldBy != 0)
					}
					return t.flush()
				})
			}
		},
	},
		{
			noun: "numbers", verb: "history", args: "MDN",
			summary: "list a number's requests and rentals, newest first",
			example: "mdnhub numbers history 12125550100",
			setup: func(fs *flag.FlagSet) action {
				limit := fs.Int("limit", 50, "how many requests and how many rentals to list")
				return func(ctx context.Context, r *run) error {
					if len(r.args()) != 1 {
						return r.usagef("give one MDN")
					}
					return r.withApp(ctx, func(a *app.App) error { return numberHistory(ctx, r, a, r.args()[0], *limit) })
				}
			},
		},
		numbersSwitch("enable", "offer numbers again", "mdnhub numbers enable 12125550100"),
		numbersSwitch("disable", "never offer numbers again until enabled", "mdnhub numbers disable 12125550100 12125550101"),
		numbersSwitch("online", "mark numbers online, as a gateway reports it", "mdnhub numbers online 12125550100"),
		numbersSwitch("offline", "mark numbers offline, as a gateway reports it", "mdnhub numbers offline 12125550100"),
	}
}

// importNumbers checks the whole file, then stores it in one transaction.
func importNumbers(ctx context.Context, r *run) error {
	if len(r.args()) != 1 {
		return r.usagef("give one CSV file (- for standard input): mdn,carrier,state,gateway,short_rental")
	}
	// The file is checked before the database is opened: its mistakes are
	// the likelier ones, and all of them are reported at once.
	items, err := readNumbersCSV(r.args()[0])
	if err != nil {
		return err
	}
	return r.withApp(ctx, func(a *app.App) error {
		added, err := a.Inventory.Put(ctx, items)
		if err != nil {
			return err
		}
		fmt.Fprintf(r.Stdout, "imported %d numbers (%d new, %d updated)\n", len(items), added, len(items)-added)
		// Not an error: undeclared gateways are allowed (docs/gateways.md),
		// but a misspelled or forgotten one is a likely first-day mistake.
		warned := map[string]bool{"": true, "sim": true}
		for _, it := range items {
			if _, declared := a.Config.Gateways[it.Gateway]; !declared && !warned[it.Gateway] {
				warned[it.Gateway] = true
				fmt.Fprintf(r.Stderr, "mdnhub: warning: gateway %q is not declared in the configuration: its numbers cannot send SMS and receive only through mdnhub sim send\n", it.Gateway)
			}
		}
		return nil
	})
}

// numbersSwitch is enable, disable, online or offline: the verb, applied to
// every MDN given.
func numbersSwitch(verb, summary, example string) *command {
	return &command{
		noun: "numbers", verb: verb, args: "MDN...",
		summary: summary,
		example: example,
		setup: func(*flag.FlagSet) action {
			return func(ctx context.Context, r *run) error {
				if len(r.args()) == 0 {
					return r.usagef("give one or more MDNs")
				}
				return r.withApp(ctx, func(a *app.App) error {
					for _, mdn := range r.args() {
						var err error
						switch verb {
						case "enable", "disable":
							err = a.Inventory.SetEnabled(ctx, mdn, verb == "enable")
						default:
							err = a.Inventory.SetOnline(ctx, mdn, verb == "online")
						}
						if err != nil {
							return fmt.Errorf("%s: %w", mdn, err)
						}
					}
					fmt.Fprintf(r.Stdout, "%d numbers: %s\n", len(r.args()), verb+"d")
					return nil
				})
			}
		},
	}
}

// numberHistory prints the requests and rentals of a number, newest first.
func numberHistory(ctx context.Context, r *run, a *app.App, mdn string, limit int) error {
	norm, err := inventory.NormalizeMDN(mdn)
	if err != nil {
		return fmt.Errorf("%s: %w", mdn, err)
	}
	n, err := a.Inventory.Get(ctx, norm)
	if err != nil {
		return fmt.Errorf("%s: %w", norm, err)
	}
	reqs, err := a.Requests.ByNumber(ctx, n.ID, limit)
	if err != nil {
		return err
	}
	rents, err := a.Rentals.ByNumber(ctx, n.ID, limit)
	if err != nil {
		return err
	}
	type line struct {
		at     int64
		id     int64
		values []any
	}
	var lines []line
	utc := func(unix int64) string {
		if unix == 0 {
			return ""
		}
		return time.Unix(unix, 0).UTC().Format(time.DateTime)
	}
	for _, q := range reqs {
		lines = append(lines, line{q.CreatedAt, q.ID, []any{"request", q.ID, q.UserID, q.Service, q.Status, money.Text(q.PriceCents),
			utc(q.CreatedAt), utc(q.ClosedAt)}})
	}
	for _, rt := range rents {
		status := rt.Status
		if rt.EndReason != "" {
			status += " (" + rt.EndReason + ")"
		}
		lines = append(lines, line{rt.CreatedAt, rt.ID, []any{"rental", rt.ID, rt.UserID, rt.Service, status, money.Text(rt.PriceCents),
			utc(rt.CreatedAt), utc(rt.EndedAt)}})
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].at != lines[j].at {
			return lines[i].at > lines[j].at
		}
		return lines[i].id > lines[j].id
	})
	t := newTable(r.Stdout, "kind", "id", "user", "service", "status", "price", "created (UTC)", "ended (UTC)")
	for _, l := range lines {
		t.row(l.values...)
	}
	return t.flush()
}
