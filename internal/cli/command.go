package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// command is one entry of the command table.
type command struct {
	noun string // the first word: user, numbers, serve, ...
	// verb is the second word; empty for a command that has none (serve,
	// demo, migrate, config, check, version).
	verb string
	// args names the positional arguments in the usage line, such as
	// "FILE" or "MDN..."; empty when the command takes none.
	args    string
	summary string // what the command does, one line
	example string // one complete command line
	// bare commands read no configuration: no -config and -db flags.
	bare bool
	// setup declares the command's own flags on fs and returns the action
	// that runs with their parsed values.
	setup func(fs *flag.FlagSet) action
}

// action runs a command whose flags are parsed.
type action func(ctx context.Context, r *run) error

// noun is a first word of the command line that has verbs.
type noun struct{ name, summary string }

// nouns lists, in the order mdnhub -h shows them, the nouns that have verbs
// with what they are about; commands without verbs are shown by their own
// summary.
func nouns() []noun {
	return []noun{
		{"user", "accounts, API keys, balances and suspension"},
		{"numbers", "the inventory of phone numbers"},
		{"services", "services, their prices and the rules that detect them"},
		{"rentals", "long-term rentals and their problem reports"},
		{"callbacks", "customers' webhooks and their deliveries"},
		{"proxy", "mobile proxy ports, redials and rentals"},
		{"messages", "SMS only the operator sees"},
		{"sim", "the simulator gateway"},
	}
}

// commands is the command table, in the order help lists it.
func commands() []*command {
	return slices.Concat(
		serverCommands(),
		[]*command{migrateCommand(), configCommand()},
		userCommands(),
		numbersCommands(),
		servicesCommands(),
		codesCommands(),
		rentalsCommands(),
		callbacksCommands(),
		proxyCommands(),
		messagesCommands(),
		simCommands(),
		[]*command{checkCommand(), benchCommand(), versionCommand()},
	)
}

// verbsOf returns the entries of noun, in table order.
func verbsOf(cmds []*command, noun string) []*command {
	var out []*command
	for _, c := range cmds {
		if c.noun == noun {
			out = append(out, c)
		}
	}
	return out
}

// run is one invocation of a command: its parsed flags and arguments.
type run struct {
	*CLI
	cmd    *command
	fs     *flag.FlagSet
	config string // -config: the configuration file
	db     string // -db: the SQLite file, overriding db.path
}

// newRun makes the flag set of cmd, with the common flags unless cmd is
// bare, and returns the invocation and the command's action.
func newRun(c *CLI, cmd *command) (*run, action) {
	r := &run{CLI: c, cmd: cmd}
	r.fs = flag.NewFlagSet(r.name(), flag.ContinueOnError)
	// Run reports parse errors and prints help itself, on the right stream.
	r.fs.SetOutput(io.Discard)
	r.fs.Usage = func() {}
	if !cmd.bare {
		r.fs.StringVar(&r.config, "config", "", "configuration file (key = value lines)")
		r.fs.StringVar(&r.db, "db", "", "SQLite file (overrides db.path)")
	}
	return r, cmd.setup(r.fs)
}

// name is the command as typed: "mdnhub user create".
func (r *run) name() string {
	return strings.TrimSpace("mdnhub " + r.cmd.noun + " " + r.cmd.verb)
}

// parse parses the command's flags. A command without positional arguments
// refuses any; in one with arguments, a flag after them is refused rather
// than taken for an argument.
func (r *run) parse(args []string) error {
	if err := r.fs.Parse(args); err != nil {
		return err
	}
	rest := r.fs.Args()
	if r.cmd.args == "" {
		if len(rest) > 0 {
			return fmt.Errorf("unexpected argument %q", rest[0])
		}
		return nil
	}
	if k := len(args) - len(rest); k > 0 && args[k-1] == "--" {
		return nil // what follows -- is arguments, whatever it looks like
	}
	for i, a := range rest {
		if i > 0 && len(a) > 1 && a[0] == '-' {
			return fmt.Errorf("flag %s after the arguments: flags go first", a)
		}
	}
	return nil
}

// args are the command's positional arguments.
func (r *run) args() []string { return r.fs.Args() }

// usagef reports a mistake in the command line, prefixed with the command.
func (r *run) usagef(format string, args ...any) error {
	return usageError{r.name() + ": " + fmt.Sprintf(format, args...)}
}

// required reports the first of the named flags (given with their values)
// that is empty.
func (r *run) required(flags ...string) error {
	for i := 0; i+1 < len(flags); i += 2 {
		if strings.TrimSpace(flags[i+1]) == "" {
			return r.usagef("-%s is required", flags[i])
		}
	}
	return nil
}

// usage is the help of one command: its synopsis, summary, example and
// flags with their defaults.
func (r *run) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s", r.name())
	if hasFlags(r.fs) {
		b.WriteString(" [flags]")
	}
	if r.cmd.args != "" {
		b.WriteString(" " + r.cmd.args)
	}
	fmt.Fprintf(&b, "\n\n%s\n\nexample:\n  %s\n", upperFirst(r.cmd.summary), r.cmd.example)
	if hasFlags(r.fs) {
		b.WriteString("\nflags:\n")
		r.fs.SetOutput(&b)
		r.fs.PrintDefaults()
		r.fs.SetOutput(io.Discard)
	}
	return b.String()
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// upperFirst capitalises the first letter of s and ends it with a period.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
