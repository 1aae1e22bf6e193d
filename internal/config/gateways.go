package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Gateways holds the declared gateways: name → settings. In the file each
// setting is a line "gateway.<name>.<key> = value"; in the environment
// MDNHUB_GATEWAY__<NAME>__<KEY>=value (double underscores, since names and
// keys may contain single ones). Every gateway needs a kind (smpp or
// httppush); the kind's package checks the other settings.
type Gateways map[string]map[string]string

var gatewayName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// GatewayKinds are the kinds a declared gateway may have.
var GatewayKinds = []string{"smpp", "httppush"}

// setGateway records one gateway setting set at origin, or the problem with it.
func (c *Config) setGateway(name, key, value, origin string) {
	name, key = strings.ToLower(strings.TrimSpace(name)), strings.ToLower(strings.TrimSpace(key))
	if !gatewayName.MatchString(name) {
		c.problem(origin, fmt.Sprintf("gateway name %q: use 1 to 32 lower-case letters, digits, '-' or '_'", name))
		return
	}
	if key == "" {
		c.problem(origin, fmt.Sprintf("gateway %s: empty setting name", name))
		return
	}
	if c.Gateways == nil {
		c.Gateways = Gateways{}
	}
	if c.Gateways[name] == nil {
		c.Gateways[name] = map[string]string{}
		// Problems of the gateway as a whole (a missing kind) point to
		// where it was first mentioned.
		c.setOrigin("gateway."+name, origin)
	}
	c.Gateways[name][key] = strings.TrimSpace(value)
	c.setOrigin("gateway."+name+"."+key, origin)
}

// loadGatewayEnv applies MDNHUB_GATEWAY__<NAME>__<KEY> variables from environ.
func (c *Config) loadGatewayEnv(environ []string) {
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(k, gatewayEnvPrefix)
		if !ok {
			continue
		}
		name, key, ok := strings.Cut(rest, "__")
		if !ok {
			c.problem(k, "expected MDNHUB_GATEWAY__<NAME>__<KEY>")
			continue
		}
		c.setGateway(name, key, v, k)
	}
}

// gatewayEnvPrefix starts every gateway setting's environment variable.
const gatewayEnvPrefix = "MDNHUB_GATEWAY__"

func (g Gateways) validate(bad func(key, format string, args ...any)) {
	// In name order, so that the list of problems is the same every run.
	names := make([]string, 0, len(g))
	for name := range g {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		kv := g[name]
		if name == "sim" {
			bad("gateway.sim", "the name sim belongs to the built-in simulator")
			continue
		}
		kind := kv["kind"]
		known := false
		for _, k := range GatewayKinds {
			known = known || kind == k
		}
		if !known {
			bad("gateway."+name+".kind", "must be one of %s, got %q", strings.Join(GatewayKinds, ", "), kind)
		}
	}
}

// secretSetting tells which gateway settings the dump redacts.
func secretSetting(key string) bool {
	return strings.Contains(key, "password") || strings.Contains(key, "token") || strings.Contains(key, "secret")
}

func (g Gateways) dumpLines() []string {
	var lines []string
	for name, kv := range g {
		for k, v := range kv {
			if secretSetting(k) && v != "" {
				v = "<redacted>"
			}
			lines = append(lines, fmt.Sprintf("gateway.%s.%s = %s", name, k, v))
		}
	}
	sort.Strings(lines)
	return lines
}
