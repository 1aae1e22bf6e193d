package cli

import (
	"fmt"
	"strings"
)

// topUsage lists every command: those without verbs by their summary, the
// nouns by what they are about and their verbs.
func topUsage(cmds []*command) string {
	var b strings.Builder
	b.WriteString("usage: mdnhub <command> [<verb>] [flags] [arguments]\n\ncommands:\n")
	about := map[string]string{}
	for _, n := range nouns() {
		about[n.name] = n.summary
	}
	shown := map[string]bool{}
	for _, c := range cmds {
		if shown[c.noun] {
			continue
		}
		shown[c.noun] = true
		if c.verb == "" {
			fmt.Fprintf(&b, "  %-10s %s\n", c.noun, c.summary)
			continue
		}
		fmt.Fprintf(&b, "  %-10s %s\n  %-10s %s\n", c.noun, about[c.noun], "", verbList(verbsOf(cmds, c.noun), " | "))
	}
	b.WriteString(`
Every command but version takes -config FILE (key = value lines) and -db FILE (the
SQLite file, overriding db.path); MDNHUB_* environment variables override the file.
"mdnhub <command> -h" shows a command's verbs, or its flags when it has no verbs;
"mdnhub <command> <verb> -h" shows the flags of one verb.
`)
	return b.String()
}

// nounUsage lists the verbs of a noun, each with its summary and example.
func nounUsage(name string, verbs []*command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: mdnhub %s <verb> [flags] [arguments]\n\n", name)
	for _, n := range nouns() {
		if n.name == name {
			fmt.Fprintf(&b, "%s\n\n", upperFirst(n.summary))
		}
	}
	b.WriteString("verbs:\n")
	for _, v := range verbs {
		fmt.Fprintf(&b, "  %-13s %s\n  %-13s e.g. %s\n", v.verb, v.summary, "", v.example)
	}
	fmt.Fprintf(&b, "\n\"mdnhub %s <verb> -h\" shows the flags of one verb.\n", name)
	return b.String()
}
