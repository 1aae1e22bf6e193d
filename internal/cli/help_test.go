package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// flagNames are the flags cmd takes, sorted.
func flagNames(cmd *command) []string {
	r, _ := newRun(&CLI{}, cmd)
	var names []string
	r.fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// helpFlag matches a flag's line in PrintDefaults' output.
var helpFlag = regexp.MustCompile(`(?m)^  -([a-z-]+)`)

// TestVerbHelp: "mdnhub NOUN VERB -h" exits 0 and shows the verb's own
// flags, no other, and its example.
func TestVerbHelp(t *testing.T) {
	for _, cmd := range commands() {
		line := slices.DeleteFunc([]string{cmd.noun, cmd.verb, "-h"}, func(s string) bool { return s == "" })
		t.Run(strings.Join(line[:len(line)-1], "_"), func(t *testing.T) {
			for _, help := range []string{"-h", "--help"} {
				line[len(line)-1] = help
				code, out, errOut := runCLI(t, nil, line...)
				if code != 0 || errOut != "" {
					t.Fatalf("%v: exit %d, stderr %q", line, code, errOut)
				}
				var shown []string
				for _, m := range helpFlag.FindAllStringSubmatch(out, -1) {
					shown = append(shown, m[1])
				}
				if want := flagNames(cmd); !slices.Equal(shown, want) {
					t.Errorf("%v shows flags %v, want %v:\n%s", line, shown, want, out)
				}
				if !strings.Contains(out, "  "+cmd.example+"\n") || !strings.HasPrefix(out, "usage: mdnhub "+cmd.noun) {
					t.Errorf("%v lacks the usage line or the example:\n%s", line, out)
				}
			}
			// help NOUN VERB says the same.
			_, viaHelp, _ := runCLI(t, nil, append([]string{"help"}, line[:len(line)-1]...)...)
			_, direct, _ := runCLI(t, nil, line...)
			if viaHelp != direct {
				t.Errorf("help %v differs from -h:\n%s\n%s", line, viaHelp, direct)
			}
		})
	}
}

// TestStrayFlag: a flag the verb does not take is refused with exit 2 and
// named, before anything is opened; a flag of a sibling verb is tried where
// there is one (the mistake the shared flag sets used to let through).
func TestStrayFlag(t *testing.T) {
	cmds := commands()
	for _, cmd := range cmds {
		stray := "bogus"
		own := flagNames(cmd)
		for _, sib := range verbsOf(cmds, cmd.noun) {
			for _, f := range flagNames(sib) {
				if !slices.Contains(own, f) {
					stray = f
				}
			}
		}
		line := slices.DeleteFunc([]string{cmd.noun, cmd.verb, "-" + stray, "1"}, func(s string) bool { return s == "" })
		code, out, errOut := runCLI(t, nil, line...)
		if code != 2 || out != "" || !strings.Contains(errOut, "flag provided but not defined: -"+stray+"\n") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", line, code, out, errOut)
		}
	}
}

// TestStrayArgument: a verb without arguments refuses them, and a verb with
// arguments refuses flags after them.
func TestStrayArgument(t *testing.T) {
	for _, cmd := range commands() {
		if cmd.args != "" {
			continue
		}
		line := slices.DeleteFunc([]string{cmd.noun, cmd.verb, "extra"}, func(s string) bool { return s == "" })
		if code, _, errOut := runCLI(t, nil, line...); code != 2 || !strings.Contains(errOut, `unexpected argument "extra"`) {
			t.Errorf("%v: exit %d, stderr %q", line, code, errOut)
		}
	}
	code, _, errOut := runCLI(t, nil, "numbers", "disable", "12125550100", "-db", "x.db")
	if code != 2 || !strings.Contains(errOut, "flag -db after the arguments") {
		t.Errorf("flag after arguments: exit %d, stderr %q", code, errOut)
	}
}

// TestNounHelp: "mdnhub NOUN -h" lists the verbs with their summaries and
// examples; a missing or unknown verb is exit 2.
func TestNounHelp(t *testing.T) {
	cmds := commands()
	for _, n := range nouns() {
		verbs := verbsOf(cmds, n.name)
		if len(verbs) == 0 {
			t.Fatalf("noun %s has no verbs", n.name)
		}
		for _, line := range [][]string{{n.name, "-h"}, {n.name, "help"}, {"help", n.name}} {
			code, out, errOut := runCLI(t, nil, line...)
			if code != 0 || errOut != "" {
				t.Fatalf("%v: exit %d, stderr %q", line, code, errOut)
			}
			for _, v := range verbs {
				if !strings.Contains(out, "  "+v.verb+" ") || !strings.Contains(out, v.summary) || !strings.Contains(out, "e.g. "+v.example+"\n") {
					t.Errorf("%v lacks verb %s:\n%s", line, v.verb, out)
				}
			}
		}
		code, out, errOut := runCLI(t, nil, n.name)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "mdnhub: mdnhub "+n.name+": missing action (") ||
			!strings.Contains(errOut, "e.g. "+verbs[0].example) {
			t.Errorf("%s alone: exit %d, stdout %q, stderr %q", n.name, code, out, errOut)
		}
		code, _, errOut = runCLI(t, nil, n.name, "frobnicate")
		if code != 2 || !strings.Contains(errOut, `unknown action "frobnicate" (want `+verbList(verbs, ", ")+")") {
			t.Errorf("%s frobnicate: exit %d, stderr %q", n.name, code, errOut)
		}
	}
}

// TestTopHelp: "mdnhub -h" names every command with its verbs; no command
// line is exit 2 with the same list on stderr, an unknown command too.
func TestTopHelp(t *testing.T) {
	cmds := commands()
	for _, line := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		code, out, errOut := runCLI(t, nil, line...)
		if code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", line, code, errOut)
		}
		for _, c := range cmds {
			want := fmt.Sprintf("  %-10s %s\n", c.noun, c.summary)
			if c.verb != "" {
				want = verbList(verbsOf(cmds, c.noun), " | ") + "\n"
			}
			if !strings.Contains(out, want) {
				t.Errorf("%v lacks %q:\n%s", line, want, out)
			}
		}
	}
	_, top, _ := runCLI(t, nil, "-h")
	if code, out, errOut := runCLI(t, nil); code != 2 || out != "" || errOut != top {
		t.Errorf("no command: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "frobnicate"); code != 2 || !strings.HasPrefix(errOut, "mdnhub: unknown command \"frobnicate\"\n\nusage:") {
		t.Errorf("unknown command: exit %d, stderr %q", code, errOut)
	}
}

// TestTable: every entry is complete, and no noun or verb is given twice.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		key := strings.TrimSpace(c.noun + " " + c.verb)
		if seen[key] {
			t.Errorf("%s is in the table twice", key)
		}
		seen[key] = true
		// The example runs this very command (some after environment
		// settings).
		example := regexp.MustCompile(`(^| )mdnhub ` + regexp.QuoteMeta(key) + `( |$)`)
		if c.summary == "" || c.setup == nil || !example.MatchString(c.example) {
			t.Errorf("%s: summary %q, example %q, setup %v", key, c.summary, c.example, c.setup != nil)
		}
		if c.verb == "" && len(verbsOf(commands(), c.noun)) > 1 {
			t.Errorf("%s has no verb but other entries", c.noun)
		}
	}
	for _, n := range nouns() {
		if seen[n.name] {
			t.Errorf("noun %s is also a command without verbs", n.name)
		}
	}
}

// TestOperatorGuide: the command index of docs/operator.md names every
// command with the example its help shows.
func TestOperatorGuide(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "operator.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		row := "| `" + strings.TrimSpace(c.noun+" "+c.verb) + "` | "
		if !strings.Contains(string(guide), row) || !strings.Contains(string(guide), "`"+c.example+"` |") {
			t.Errorf("docs/operator.md lacks the row of %q with its example %q", strings.TrimSpace(c.noun+" "+c.verb), c.example)
		}
	}
}
