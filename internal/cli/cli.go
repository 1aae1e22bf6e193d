// Package cli is mdnhub's command line: every operator action, for people
// and scripts. Each command is an entry of one table (see command): a noun,
// a verb for nouns that have several, a one-line summary with an example,
// its own flags and the function that runs it. Run dispatches a command
// line to its entry, parses only that entry's flags and turns the outcome
// into an exit code: 0 done, 1 failed, 2 a mistake in the command line.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// CLI runs mdnhub's commands. Stdout and Stderr are required; the other
// fields default to the process's own.
type CLI struct {
	Stdout, Stderr io.Writer
	// Env looks up one environment variable (default os.LookupEnv).
	Env func(string) (string, bool)
	// Environ lists the environment as key=value (default os.Environ).
	Environ func() []string
	// BuildInfo reports how the binary was built, for mdnhub version
	// (default runtime/debug.ReadBuildInfo).
	BuildInfo func() (*debug.BuildInfo, bool)
}

// Run executes one command line (without the program name) and returns the
// process exit code.
func (c *CLI) Run(ctx context.Context, args []string) int {
	cmds := commands()
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, topUsage(cmds))
		return 2
	}
	if args[0] == "help" {
		// "mdnhub help NOUN [VERB]" is "mdnhub NOUN [VERB] -h".
		args = append(args[1:len(args):len(args)], "-h")
	}
	if isHelp(args[0]) {
		fmt.Fprint(c.Stdout, topUsage(cmds))
		return 0
	}
	noun := args[0]
	verbs := verbsOf(cmds, noun)
	switch {
	case len(verbs) == 0:
		fmt.Fprintf(c.Stderr, "mdnhub: unknown command %q\n\n%s", noun, topUsage(cmds))
		return 2
	case verbs[0].verb == "":
		return c.exec(ctx, verbs[0], args[1:])
	case len(args) == 1:
		fmt.Fprintf(c.Stderr, "mdnhub: mdnhub %s: missing action (%s)\n\n%s", noun, verbList(verbs, ", "), nounUsage(noun, verbs))
		return 2
	case isHelp(args[1]):
		fmt.Fprint(c.Stdout, nounUsage(noun, verbs))
		return 0
	}
	for _, cmd := range verbs {
		if cmd.verb == args[1] {
			return c.exec(ctx, cmd, args[2:])
		}
	}
	fmt.Fprintf(c.Stderr, "mdnhub: mdnhub %s: unknown action %q (want %s)\n", noun, args[1], verbList(verbs, ", "))
	return 2
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// exec parses the flags of one command and runs it.
func (c *CLI) exec(ctx context.Context, cmd *command, args []string) int {
	r, act := newRun(c, cmd)
	if err := r.parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.Stdout, r.usage())
			return 0
		}
		fmt.Fprintf(c.Stderr, "mdnhub: %s: %v\n\n%s", r.name(), err, r.usage())
		return 2
	}
	err := act(ctx, r)
	if err == nil {
		return 0
	}
	fmt.Fprintln(c.Stderr, "mdnhub:", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// env returns the CLI's environment lookups, defaulting to the process's.
func (c *CLI) env() (lookup func(string) (string, bool), environ []string) {
	lookup, list := c.Env, c.Environ
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if list == nil {
		list = os.Environ
	}
	return lookup, list()
}

// verbList joins the verbs of a noun with sep.
func verbList(verbs []*command, sep string) string {
	names := make([]string, len(verbs))
	for i, v := range verbs {
		names[i] = v.verb
	}
	return strings.Join(names, sep)
}
