package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"mdnhub/internal/clock"
	"mdnhub/internal/config"
)

// CLI runs mdnhub's subcommands: every operator action, for people and
// scripts.
type CLI struct {
	Stdout, Stderr io.Writer
	Env            func(string) (string, bool)
	Environ        func() []string
}

const usage = `usage: mdnhub <command> [flags]

commands:
  serve      run the API server
  demo       run the server on a SQLite file with sample services, numbers,
             a demo user and the simulator; prints an API key
  migrate    bring the database schema up to date and exit
  config     print the effective configuration (secrets redacted)
  user       create | show | credit | key | role | set
  numbers    import | list | enable | disable | online | offline
  services   set | import | list | rules | rule-add | rule-delete
  rentals    list | reports | resolve
  callbacks  set | log | redeliver
  proxy      port-set | ports | port-enable | port-disable | redials | rentals
  sim        send: inject an inbound SMS as if a gateway received it
  check      verify the invariants of money, numbers, messages and jobs

Every command takes -config FILE (key = value lines); MDNHUB_* environment
variables override the file. Run "mdnhub <command> -h" for its flags.
`

// Run executes one subcommand and returns the process exit code.
func (c *CLI) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = c.serve(ctx, args[1:], false)
	case "demo":
		err = c.serve(ctx, args[1:], true)
	case "migrate":
		err = c.migrate(ctx, args[1:])
	case "config":
		err = c.config(args[1:])
	case "user":
		err = c.user(ctx, args[1:])
	case "numbers":
		err = c.numbers(ctx, args[1:])
	case "services":
		err = c.services(ctx, args[1:])
	case "rentals":
		err = c.rentals(ctx, args[1:])
	case "callbacks":
		err = c.callbacks(ctx, args[1:])
	case "proxy":
		err = c.proxy(ctx, args[1:])
	case "sim":
		err = c.sim(ctx, args[1:])
	case "check":
		err = c.checkInvariants(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(c.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(c.Stderr, "mdnhub: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(c.Stderr, "mdnhub:", err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// common are the flags every command takes.
type common struct {
	config string // configuration file
	db     string // SQLite file, overriding db.path
}

// flags makes a flag set with the common -config and -db flags.
func (c *CLI) flags(name string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("mdnhub "+name, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	cm := &common{}
	fs.StringVar(&cm.config, "config", "", "configuration file (key = value lines)")
	fs.StringVar(&cm.db, "db", "", "SQLite file (overrides db.path)")
	return fs, cm
}

// loadConfig reads the file and environment, then applies overrides given as
// "key=value" by flags. Unknown MDNHUB_* variables are warned about on
// stderr; every mistake in the file, the environment and the flags comes
// back in one error.
func (c *CLI) loadConfig(path string, overrides map[string]string) (config.Config, error) {
	return c.loadConfigWith(path, overrides, nil)
}

// loadConfigWith is loadConfig with a command's own defaults: defaults gets
// the loaded configuration and returns settings that apply only where the
// file, the environment and the flags left the default.
func (c *CLI) loadConfigWith(path string, overrides map[string]string, defaults func(config.Config) map[string]string) (config.Config, error) {
	env := c.Env
	if env == nil {
		env = os.LookupEnv
	}
	environ := c.Environ
	if environ == nil {
		environ = os.Environ
	}
	vars := environ()
	for _, w := range config.EnvWarnings(vars) {
		fmt.Fprintln(c.Stderr, "mdnhub: warning:", w)
	}
	cfg, err := config.Load(path, env, vars)
	if err != nil {
		return cfg, err
	}
	for k, v := range overrides {
		if v != "" {
			cfg.Override(k, v, "command line")
		}
	}
	if defaults != nil {
		for k, v := range defaults(cfg) {
			if !cfg.IsSet(k) {
				cfg.Override(k, v, "default of this command")
			}
		}
	}
	return cfg, cfg.Validate()
}

// open loads the configuration and opens the app for a one-shot command.
func (c *CLI) open(ctx context.Context, cm *common) (*App, error) {
	cfg, err := c.loadConfig(cm.config, map[string]string{"db.path": cm.db})
	if err != nil {
		return nil, err
	}
	return Open(ctx, cfg, NewLogger(config.Log{Level: "warn", Format: "text"}, c.Stderr), clock.Real{})
}

func (c *CLI) migrate(ctx context.Context, args []string) error {
	fs, path := c.flags("migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.DB.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "database is at schema version %d\n", v)
	return nil
}

func (c *CLI) config(args []string) error {
	fs, path := c.flags("config")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.loadConfig(path.config, map[string]string{"db.path": path.db})
	if err != nil {
		return err
	}
	return cfg.Dump(c.Stdout)
}
