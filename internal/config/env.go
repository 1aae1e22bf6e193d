package config

import (
	"fmt"
	"sort"
	"strings"
)

// EnvName is the environment variable that overrides key.
func EnvName(key string) string {
	return "MDNHUB_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// notSettings are the MDNHUB_* variables that are not settings yet belong to
// the project, so EnvWarnings keeps quiet about them: the test suite's and
// the benchmarks' knobs, and the one mdnhub sets for redial commands. A new
// such variable must be added here (a test finds any that is missing).
var notSettings = []string{
	"MDNHUB_TEST_POSTGRES_DSN", // scripts/test.sh → internal/db/dbtest
	"MDNHUB_PORT",              // given to proxy redial commands (internal/proxy/redial)
	"MDNHUB_BENCH",             // turns the benchmarks on
	"MDNHUB_BENCH_N",           // internal/gateway/smpp benchmark
	"MDNHUB_BENCH_WINDOW",
	"MDNHUB_BENCH_NUMBERS",
	"MDNHUB_BENCH_GIB", // internal/proxy/front benchmark
	"MDNHUB_BENCH_WORKERS",
	"MDNHUB_BENCH_PHASES",
	"MDNHUB_BENCH_ONLY",
	"MDNHUB_BENCH_CPUPROFILE",
	"MDNHUB_BENCH_MEMPROFILE",
	"MDNHUB_BENCH_WRAP",
	"MDNHUB_BENCH_FRONT_CHILD",
	"MDNHUB_MODEL_SEED",  // internal/check model test: the seed to replay
	"MDNHUB_MODEL_STEPS", // and its number of steps
	"MDNHUB_CRASH_SEED",  // e2e crash test: the seed to replay
	"MDNHUB_SCREENSHOTS", // e2e browser tests: where screenshots go
}

// EnvWarnings returns one warning for every MDNHUB_* variable in environ
// ("NAME=value" entries) that is not a setting, not a gateway setting and not
// in notSettings, naming the closest setting's variable when one is near.
// A misspelled file key is an error; a misspelled variable is only a warning,
// because the environment is shared with other programs and tools.
func EnvWarnings(environ []string) []string {
	var c Config
	known := map[string]bool{}
	var names []string
	for _, f := range c.fields() {
		known[EnvName(f.key)] = true
		names = append(names, EnvName(f.key))
	}
	for _, n := range notSettings {
		known[n] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if !strings.HasPrefix(upper, "MDNHUB_") || known[name] || strings.HasPrefix(name, gatewayEnvPrefix) {
			continue
		}
		hint := ""
		switch {
		case strings.HasPrefix(upper, "MDNHUB_GATEWAY_"):
			hint = " (gateway settings are MDNHUB_GATEWAY__<NAME>__<SETTING>, with double underscores)"
		default:
			if s := closest(upper, names); s != "" {
				hint = " (did you mean " + s + "?)"
			}
		}
		out = append(out, fmt.Sprintf("unknown environment variable %s%s", name, hint))
	}
	sort.Strings(out)
	return out
}

// suggestKey is " (did you mean <key>?)" for an unknown file key close to a
// known one, or written as its environment variable; otherwise "".
func (c *Config) suggestKey(key string) string {
	var keys []string
	for _, f := range c.fields() {
		if EnvName(f.key) == strings.ToUpper(key) {
			return " (did you mean " + f.key + "?)"
		}
		keys = append(keys, f.key)
	}
	if s := closest(strings.ToLower(key), keys); s != "" {
		return " (did you mean " + s + "?)"
	}
	return ""
}

// closest returns the candidate most likely meant by name: one a few typing
// mistakes away, else the only one that starts with name and a separator
// (a key written without its last word); "" when none is convincing.
func closest(name string, candidates []string) string {
	// Compared without the shared prefix, so that its length does not make
	// a short name look long enough for a loose match.
	norm := func(s string) string {
		return strings.TrimPrefix(strings.ToUpper(strings.ReplaceAll(s, ".", "_")), "MDNHUB_")
	}
	n := norm(name)
	limit := 2
	switch {
	case len(n) < 6:
		limit = 1
	case len(n) >= 16:
		limit = 3
	}
	best, bestD := "", limit+1
	var prefixed []string
	for _, c := range candidates {
		if d := distance(n, norm(c)); d < bestD {
			best, bestD = c, d
		}
		if strings.HasPrefix(norm(c), n+"_") {
			prefixed = append(prefixed, c)
		}
	}
	if best == "" && len(prefixed) == 1 {
		best = prefixed[0]
	}
	return best
}

// distance is the optimal string alignment distance of a and b: insertions,
// deletions, substitutions and swaps of neighbours each count one, so
// DRVIER is one step from DRIVER.
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
