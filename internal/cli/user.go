package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app"
	"mdnhub/internal/money"
)

// userCommands manage accounts: creation, keys, balance, role, settings and
// suspension.
func userCommands() []*command {
	return []*command{{
		noun: "user", verb: "create",
		summary: "create a user and print its API key (shown this once)",
		example: "mdnhub user create -name alice -email alice@example.com",
		setup: func(fs *flag.FlagSet) action {
			name := fs.String("name", "", "user name (required)")
			email := fs.String("email", "", "e-mail address")
			return func(ctx context.Context, r *run) error {
				if err := r.required("name", *name); err != nil {
					return err
				}
				return r.withApp(ctx, func(a *app.App) error {
					u, err := a.Accounts.Create(ctx, *name, *email)
					if err != nil {
						return err
					}
					key, err := a.Accounts.GenerateKey(ctx, u.ID)
					if err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "created user %s (id %d)\napi_key: %s\n", u.Username, u.ID, key)
					return nil
				})
			}
		},
	}, {
		noun: "user", verb: "show",
		summary: "show a user's account, balance and latest ledger entries",
		example: "mdnhub user show -name alice",
		setup: func(fs *flag.FlagSet) action {
			return withUser(fs, showUser)
		},
	}, {
		noun: "user", verb: "list",
		summary: "list users, or those whose name or e-mail contains -q, with their balance and state",
		example: "mdnhub user list -q example.com",
		setup: func(fs *flag.FlagSet) action {
			q := fs.String("q", "", "part of the user name or e-mail address")
			limit := fs.Int("limit", 100, "how many to list")
			after := fs.Int64("after", 0, "list users after this id (the last one of the previous list)")
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					us, err := a.Accounts.Search(ctx, *q, *after, *limit)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "id", "user", "e-mail", "role", "balance", "api key", "suspended")
					for _, u := range us {
						t.row(u.ID, u.Username, u.Email, u.Role, money.Text(u.BalanceCents), u.HasAPIKey, u.Suspended)
					}
					return t.flush()
				})
			}
		},
	}, {
		noun: "user", verb: "credit",
		summary: "add to or take from a user's balance, with a reason kept in the ledger",
		example: `mdnhub user credit -name alice -amount 25.00 -reason "wire 2026-11-26"`,
		setup: func(fs *flag.FlagSet) action {
			amount := fs.String("amount", "", "dollars to add, negative to take away (required)")
			reason := fs.String("reason", "", "why the balance changes, kept in the ledger (required)")
			return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				cents, err := money.Parse(*amount)
				if err != nil {
					return r.usagef("-amount: %v", err)
				}
				balance, err := a.Accounts.Credit(ctx, u.ID, cents, strings.TrimSpace(*reason))
				var funds *account.InsufficientFundsError
				if errors.As(err, &funds) {
					return fmt.Errorf("the balance is $%s; it cannot go below zero", money.Text(funds.BalanceCents))
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(r.Stdout, "balance of %s is now $%s\n", u.Username, money.Text(balance))
				return nil
			})
		},
	}, {
		noun: "user", verb: "key",
		summary: "give a user a new API key; the previous one stops working at once",
		example: "mdnhub user key -name alice",
		setup: func(fs *flag.FlagSet) action {
			return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				key, err := a.Accounts.GenerateKey(ctx, u.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(r.Stdout, "new api_key for %s: %s\n(the previous key no longer works)\n", u.Username, key)
				return nil
			})
		},
	}, {
		noun: "user", verb: "key-revoke",
		summary: "take a user's API key away: calls with it stop at once; the user makes a new one on the account page",
		example: "mdnhub user key-revoke -name alice",
		setup: func(fs *flag.FlagSet) action {
			return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				if err := a.Accounts.RevokeKey(ctx, u.ID); err != nil {
					return err
				}
				fmt.Fprintf(r.Stdout, "the API key of %s is revoked: calls with it answer Invalid user name or API key\n"+
					"(a new key: the account page's mailed link, or mdnhub user key -name %s)\n", u.Username, u.Username)
				return nil
			})
		},
	}, {
		noun: "user", verb: "role",
		summary: "set a user's role: user or admin",
		example: "mdnhub user role -name bob -role admin",
		setup: func(fs *flag.FlagSet) action {
			role := fs.String("role", "", "user or admin")
			return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				if err := a.Accounts.SetRole(ctx, u.ID, *role); err != nil {
					return err
				}
				fmt.Fprintf(r.Stdout, "%s is now %s\n", u.Username, *role)
				return nil
			})
		},
	}, {
		noun: "user", verb: "set",
		summary: "change a user's settings: how request_status answers it",
		example: "mdnhub user set -name alice -request-status-format object",
		setup: func(fs *flag.FlagSet) action {
			format := fs.String("request-status-format", "", "how request_status answers this user: array, object, or default for compat.request_status_object")
			act := withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
				if err := a.Accounts.SetRequestStatusFormat(ctx, u.ID, *format); err != nil {
					return err
				}
				u, err := a.Accounts.Get(ctx, u.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(r.Stdout, "request_status answers %s with %s\n", u.Username, statusFormatText(u.RequestStatusFormat))
				return nil
			})
			return func(ctx context.Context, r *run) error {
				if *format == "" {
					return r.usagef("give a setting to change, e.g. -request-status-format object")
				}
				return act(ctx, r)
			}
		},
	}, {
		noun: "user", verb: "suspend",
		summary: "suspend a user: every API call answers Account suspended, on every server at once",
		example: "mdnhub user suspend -name alice",
		setup:   func(fs *flag.FlagSet) action { return suspendAction(fs, true) },
	}, {
		noun: "user", verb: "unsuspend",
		summary: "lift a user's suspension",
		example: "mdnhub user unsuspend -name alice",
		setup:   func(fs *flag.FlagSet) action { return suspendAction(fs, false) },
	}}
}

// withUser declares -name and returns an action that finds that user and
// hands it to fn with the open app.
func withUser(fs *flag.FlagSet, fn func(ctx context.Context, r *run, a *app.App, u account.User) error) action {
	name := fs.String("name", "", "user name or e-mail (required)")
	return func(ctx context.Context, r *run) error {
		if err := r.required("name", *name); err != nil {
			return err
		}
		return r.withApp(ctx, func(a *app.App) error {
			u, err := a.Accounts.Find(ctx, *name)
			if err != nil {
				return fmt.Errorf("user %q: %w", *name, err)
			}
			return fn(ctx, r, a, u)
		})
	}
}

// suspendAction suspends a user or lifts the suspension.
func suspendAction(fs *flag.FlagSet, suspend bool) action {
	return withUser(fs, func(ctx context.Context, r *run, a *app.App, u account.User) error {
		if err := a.Accounts.SetSuspended(ctx, u.ID, suspend); err != nil {
			return err
		}
		if suspend {
			fmt.Fprintf(r.Stdout, "%s is suspended: every API call answers Account suspended\n", u.Username)
		} else {
			fmt.Fprintf(r.Stdout, "%s is no longer suspended\n", u.Username)
		}
		return nil
	})
}

// statusFormatText says how request_status answers an account whose setting
// is format ("" follows the operator's default).
func statusFormatText(format string) string {
	switch format {
	case account.FormatObject:
		return "one object"
	case account.FormatArray:
		return "an array"
	}
	return "the operator's default (compat.request_status_object)"
}

// showUser prints a user's account and latest ledger entries.
func showUser(ctx context.Context, r *run, a *app.App, u account.User) error {
	fmt.Fprintf(r.Stdout, "user:     %s (id %d)\ne-mail:   %s\nrole:     %s\nbalance:  $%s\napi key:  %v\nsuspended: %v\nrequest_status: %s\n",
		u.Username, u.ID, u.Email, u.Role, money.Text(u.BalanceCents), u.HasAPIKey, u.Suspended, statusFormatText(u.RequestStatusFormat))
	entries, err := a.Accounts.Entries(ctx, u.ID, 20)
	if err != nil || len(entries) == 0 {
		return err
	}
	fmt.Fprintln(r.Stdout, "\nlatest ledger entries:")
	t := newTable(r.Stdout, "time", "amount", "balance", "kind", "reason")
	for _, e := range entries {
		t.row(time.Unix(e.CreatedAt, 0).UTC().Format(time.DateTime), money.Text(e.AmountCents), money.Text(e.BalanceCents), e.Kind, e.Reason)
	}
	return t.flush()
}
