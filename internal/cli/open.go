package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"mdnhub/internal/app"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
)

// settings adjust the configuration of one command beyond -config and -db.
type settings struct {
	// overrides are "key" → "value" settings given by flags; empty values
	// are ignored.
	overrides map[string]string
	// defaults gets the loaded configuration and returns settings that
	// apply only where the file, the environment and the flags left the
	// default.
	defaults func(config.Config) map[string]string
}

// loadConfig reads the -config file and the environment, then applies -db
// and the command's settings. Unknown MDNHUB_* variables are warned about on
// stderr; every mistake in the file, the environment and the flags comes
// back in one error.
func (r *run) loadConfig(s settings) (config.Config, error) {
	lookup, environ := r.env()
	for _, w := range config.EnvWarnings(environ) {
		fmt.Fprintln(r.Stderr, "mdnhub: warning:", w)
	}
	cfg, err := config.Load(r.config, lookup, environ)
	if err != nil {
		return cfg, err
	}
	overrides := map[string]string{"db.path": r.db}
	for k, v := range s.overrides {
		overrides[k] = v
	}
	for k, v := range overrides {
		if v != "" {
			cfg.Override(k, v, "command line")
		}
	}
	if s.defaults != nil {
		for k, v := range s.defaults(cfg) {
			if !cfg.IsSet(k) {
				cfg.Override(k, v, "default of this command")
			}
		}
	}
	return cfg, cfg.Validate()
}

// withApp opens the app for a one-shot command, runs fn and closes the app.
// Only warnings and errors are logged, on stderr.
func (r *run) withApp(ctx context.Context, fn func(a *app.App) error) error {
	return r.openApp(ctx, settings{}, func(config.Config) *slog.Logger {
		return app.NewLogger(config.Log{Level: "warn", Format: "text"}, r.Stderr)
	}, fn)
}

// openApp loads the configuration with s, opens the app with the logger
// that logger makes for it, runs fn and closes the app.
func (r *run) openApp(ctx context.Context, s settings, logger func(config.Config) *slog.Logger, fn func(a *app.App) error) error {
	cfg, err := r.loadConfig(s)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, logger(cfg), clock.Real{})
	if err != nil {
		return err
	}
	err = fn(a)
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	return err
}

// table writes aligned columns: a header, then one row per call.
type table struct{ tw *tabwriter.Writer }

// newTable starts a table on w with the given column names.
func newTable(w io.Writer, columns ...string) *table {
	t := &table{tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)}
	t.row(toAny(columns)...)
	return t
}

// row writes one row, each value as fmt.Sprint formats it.
func (t *table) row(values ...any) {
	for i, v := range values {
		if i > 0 {
			fmt.Fprint(t.tw, "\t")
		}
		fmt.Fprint(t.tw, v)
	}
	fmt.Fprint(t.tw, "\n")
}

// flush writes the table out.
func (t *table) flush() error { return t.tw.Flush() }

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
