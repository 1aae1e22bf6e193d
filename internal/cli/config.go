package cli

import (
	"context"
	"flag"
)

// configCommand prints the effective configuration.
func configCommand() *command {
	return &command{
		noun:    "config",
		summary: "print the effective configuration (secrets redacted)",
		example: "mdnhub config -config /etc/mdnhub.conf",
		setup: func(*flag.FlagSet) action {
			return func(_ context.Context, r *run) error {
				cfg, err := r.loadConfig(settings{})
				if err != nil {
					return err
				}
				return cfg.Dump(r.Stdout)
			}
		},
	}
}
