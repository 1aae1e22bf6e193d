package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"mdnhub/internal/app"
	"mdnhub/internal/catalog"
)

// codesCommands manage the service codes that SMS-Activate-style clients
// name services by (go, am, wa, ...): built-in defaults the operator
// overrides, extends or turns off.
func codesCommands() []*command {
	return []*command{{
		noun: "services", verb: "codes",
		summary: "list the service codes of the SMS-Activate protocol and the service each names",
		example: "mdnhub services codes",
		setup: func(*flag.FlagSet) action {
			return func(ctx context.Context, r *run) error {
				return r.withApp(ctx, func(a *app.App) error {
					codes, err := a.Catalog.ServiceCodes(ctx)
					if err != nil {
						return err
					}
					t := newTable(r.Stdout, "code", "service", "set_by", "in_force")
					for _, sc := range codes {
						who, target := "default", sc.Target
						if sc.Operator {
							who = "operator"
						}
						if sc.Off {
							target = "(off)"
						}
						t.row(sc.Code, target, who, sc.Service.ID != 0)
					}
					return t.flush()
				})
			}
		},
	}, {
		noun: "services", verb: "code-set",
		summary: "make a service code name a service, or turn it off with -off; it overrides the default",
		example: "mdnhub services code-set -code ot -name Other",
		setup: func(fs *flag.FlagSet) action {
			code := fs.String("code", "", "service code, 1 to 16 letters, digits or '_' (required)")
			name := fs.String("name", "", "service the code names (required unless -off)")
			off := fs.Bool("off", false, "turn the code off: clients asking for it get BAD_SERVICE")
			return func(ctx context.Context, r *run) error {
				if *code == "" || (*name == "") == !*off {
					return r.usagef("-code and exactly one of -name or -off are required")
				}
				return r.withApp(ctx, func(a *app.App) error {
					err := a.Catalog.SetServiceCode(ctx, *code, *name)
					if errors.Is(err, catalog.ErrUnknownService) {
						return fmt.Errorf("no service %q", *name)
					}
					if err != nil {
						return err
					}
					if *off {
						fmt.Fprintf(r.Stdout, "code %s turned off\n", *code)
					} else {
						fmt.Fprintf(r.Stdout, "code %s names %s\n", *code, *name)
					}
					return nil
				})
			}
		},
	}, {
		noun: "services", verb: "code-delete",
		summary: "remove the operator's setting of a service code, bringing back its default if it has one",
		example: "mdnhub services code-delete -code go",
		setup: func(fs *flag.FlagSet) action {
			code := fs.String("code", "", "service code (required)")
			return func(ctx context.Context, r *run) error {
				if err := r.required("code", *code); err != nil {
					return err
				}
				return r.withApp(ctx, func(a *app.App) error {
					err := a.Catalog.DeleteServiceCode(ctx, *code)
					if errors.Is(err, catalog.ErrUnknownCode) {
						return fmt.Errorf("the operator has not set code %q", *code)
					}
					if err != nil {
						return err
					}
					fmt.Fprintf(r.Stdout, "code %s deleted\n", *code)
					return nil
				})
			}
		},
	}}
}
