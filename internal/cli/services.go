package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"mdnhub/internal/app"
	"mdnhub/internal/catalog"
	"mdnhub/internal/money"
)

// servicesCommands manage the catalog: services, prices and the rules that
// tell which service a message is for.
func servicesCommands() []*command {
	return []*command{{
		noun: "services", verb: "set",
		summary: "add or change a service: prices in dollars, reservation lifetime, hidden or not",
		example: "mdnhub services set -name Google -price 1.00 -ltr-price 20.00 -ltr-short-price 5.00 -lifetime 15m",
		setup: func(fs *flag.FlagSet) action {
			name := fs.String("name", "", "service name (required)")
			price := fs.String("price", "", "one-time price in dollars (required)")
			ltr := fs.String("ltr-price", "0", "30-day rental price in dollars")
			ltrShort := fs.String("ltr-short-price", "0", "3-day rental price in dollars")
			lifetime := fs.Duration("lifetime", 0, "reservation lifetime, e.g. 15m (0: requests.default_lifetime)")
			disabled := fs.Bool("disabled", false, "hide the service from list_services and request")
			return func(ctx context.Context, r *run) error {
				s := catalog.Service{Name: *name, Lifetime: *lifetime, Enabled: !*disabled}
				if err := parsePrices(&s, *price, *ltr, *ltrShort); err != nil {
					return r.usagef("%v", err)
				}
				return r.withApp(ctx, func(a *app.App) error {
					s, err := a.Catalog.Put(ctx, s)
					if err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "service %s saved\n", s.Name)
					return nil
				})
			}
		},
	}, {
		noun: "services", verb: "import", args: "FILE",
		summary: "add or change services from a CSV file (- for standard input): name,price,ltr_price,ltr_short_price,lifetime",
		example: "mdnhub services import services.csv",
		setup:   func(*flag.FlagSet) action { return importServices },
	}, {
		noun: "services", verb: "list",
		summary: "list services with their prices and lifetimes; hidden ones too with -all",
		example: "mdnhub services list",
		setup: func(fs *flag.FlagSet) action {
			all := fs.Bool("all", false, "include hidden services (set with -disabled), marked in a last column")
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					list := a.Catalog.List
					columns := []string{"name", "price", "ltr_price", "ltr_short_price", "lifetime"}
					if *all {
						list = a.Catalog.All
						columns = append(columns, "hidden")
					}
					ss, err := list(ctx)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, columns...)
					for _, s := range ss {
						row := []any{s.Name, money.Text(s.PriceCents), money.Text(s.LTRPriceCents), money.Text(s.LTRShortPriceCents), s.Lifetime}
						if *all {
							row = append(row, !s.Enabled)
						}
						t.row(row...)
					}
					return t.flush()
				})
			}
		},
	}, {
		noun: "services", verb: "rules",
		summary: "list the rules that detect a message's service by its sender or a word in it",
		example: "mdnhub services rules",
		setup: func(*flag.FlagSet) action {
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					rules, err := a.Catalog.Rules(ctx)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "id", "service", "kind", "pattern")
					for _, rule := range rules {
						t.row(rule.ID, rule.Service, rule.Kind, rule.Pattern)
					}
					return t.flush()
				})
			}
		},
	}, {
		noun: "services", verb: "rule-add",
		summary: "add a rule: messages from this sender, or with this word, are for the service",
		example: "mdnhub services rule-add -name Google -sender 22000",
		setup: func(fs *flag.FlagSet) action {
			name := fs.String("name", "", "service name (required)")
			sender := fs.String("sender", "", "sender number or short code that identifies the service")
			keyword := fs.String("keyword", "", "word or phrase in the text that identifies the service")
			return func(ctx context.Context, r *run) error {
				if *name == "" || (*sender == "") == (*keyword == "") {
					return r.usagef("-name and exactly one of -sender or -keyword are required")
				}
				kind, pattern := catalog.RuleSender, *sender
				if *keyword != "" {
					kind, pattern = catalog.RuleKeyword, *keyword
				}
				return r.withApp(ctx, func(a *app.App) error {
					rule, err := a.Catalog.AddRule(ctx, *name, kind, pattern)
					if err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "rule %d: %s %s %q\n", rule.ID, rule.Service, rule.Kind, rule.Pattern)
					return nil
				})
			}
		},
	}, {
		noun: "services", verb: "rule-delete",
		summary: "delete a detection rule",
		example: "mdnhub services rule-delete -id 7",
		setup: func(fs *flag.FlagSet) action {
			id := fs.Int64("id", 0, "rule id, as listed by services rules (required)")
			return func(ctx context.Context, r *run) error {
				if *id == 0 {
					return r.usagef("-id is required")
				}
				return r.withApp(ctx, func(a *app.App) error {
					if err := a.Catalog.DeleteRule(ctx, *id); err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "rule %d deleted\n", *id)
					return nil
				})
			}
		},
	}}
}

// importServices checks every line of the file before any is saved; what
// only the catalog can check (names, ranges) stops at its line, the earlier
// ones kept.
func importServices(ctx context.Context, r *run) error {
	if len(r.args()) != 1 {
		return r.usagef("give a CSV file: name,price,ltr_price,ltr_short_price,lifetime")
	}
	file := r.args()[0]
	rows, err := readServicesCSV(file)
	if err != nil {
		return err
	}
	return r.withApp(ctx, func(a *app.App) error {
		for _, row := range rows {
			if _, err := a.Catalog.Put(ctx, row.s); err != nil {
				return fmt.Errorf("%s:%d: %w", csvName(file), row.line, err)
			}
		}
		fmt.Fprintf(r.Stdout, "%d services saved\n", len(rows))
		return nil
	})
}

// parsePrices sets the prices of s from dollar amounts; price is required.
func parsePrices(s *catalog.Service, price, ltr, short string) error {
	var err error
	if strings.TrimSpace(price) == "" {
		return errors.New("a price is required")
	}
	if s.PriceCents, err = money.Parse(price); err != nil {
		return err
	}
	if strings.TrimSpace(ltr) != "" {
		if s.LTRPriceCents, err = money.Parse(ltr); err != nil {
			return err
		}
	}
	if strings.TrimSpace(short) != "" {
		if s.LTRShortPriceCents, err = money.Parse(short); err != nil {
			return err
		}
	}
	return nil
}
