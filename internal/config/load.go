package config

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// field is one settable leaf of Config, found by reflection on the key tags.
type field struct {
	key    string
	help   string
	secret bool
	value  reflect.Value
}

func (c *Config) fields() []field {
	var out []field
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			fv := v.Field(i)
			if key := sf.Tag.Get("key"); key != "" {
				out = append(out, field{key: key, help: sf.Tag.Get("help"), secret: sf.Tag.Get("secret") == "true", value: fv})
				continue
			}
			if fv.Kind() == reflect.Struct {
				walk(fv)
			}
		}
	}
	walk(reflect.ValueOf(c).Elem())
	return out
}

// Set assigns one setting by its dotted key from its text form. The value
// has no recorded origin afterwards; Override records one.
func (c *Config) Set(key, text string) error {
	for _, f := range c.fields() {
		if f.key == key {
			if err := assign(f, text); err != nil {
				return err
			}
			delete(c.origin, key)
			return nil
		}
	}
	return fmt.Errorf("unknown setting %q%s", key, c.suggestKey(key))
}

// Override assigns one setting like Set and remembers where the value came
// from (a file:line, an environment variable, "command line"), so that
// Validate can point there. A mistake is not returned but kept, and Validate
// reports it together with every other problem.
func (c *Config) Override(key, text, origin string) {
	if err := c.Set(key, text); err != nil {
		c.problem(origin, err.Error())
		return
	}
	c.setOrigin(key, origin)
}

func (c *Config) setOrigin(key, origin string) {
	if c.origin == nil {
		c.origin = map[string]string{}
	}
	c.origin[key] = origin
}

// problem records a loading mistake for Validate.
func (c *Config) problem(origin, msg string) {
	c.problems = append(c.problems, at(origin, msg))
}

func assign(f field, text string) error {
	text = strings.TrimSpace(text)
	switch f.value.Interface().(type) {
	case string:
		f.value.SetString(text)
	case bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", f.key, text)
		}
		f.value.SetBool(b)
	case int, int64:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", f.key, text)
		}
		f.value.SetInt(n)
	case time.Duration:
		d, err := time.ParseDuration(text)
		if err != nil {
			return fmt.Errorf("%s: %q is not a duration such as 90s or 15m", f.key, text)
		}
		f.value.SetInt(int64(d))
	default:
		return fmt.Errorf("%s: unsupported setting type", f.key)
	}
	return nil
}

// LoadFile applies a file of "key = value" lines; blank lines and lines
// starting with # are ignored. It fails only when the file cannot be read:
// mistakes in it are kept for Validate, each with the file name and line.
func (c *Config) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	return c.load(f, path)
}

func (c *Config) load(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		origin := fmt.Sprintf("%s:%d", name, line)
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			c.problem(origin, "expected key = value")
			continue
		}
		key = strings.TrimSpace(key)
		if rest, ok := strings.CutPrefix(key, "gateway."); ok {
			gw, setting, ok := strings.Cut(rest, ".")
			if !ok {
				c.problem(origin, "expected gateway.<name>.<setting>")
				continue
			}
			c.setGateway(gw, setting, value, origin)
			continue
		}
		c.Override(key, value, origin)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("config file %s: %w", name, err)
	}
	return nil
}

// LoadEnv applies every MDNHUB_* variable that names a setting, using lookup
// (os.LookupEnv in production). Values that do not parse are kept for
// Validate, each with its variable's name.
func (c *Config) LoadEnv(lookup func(string) (string, bool)) {
	for _, f := range c.fields() {
		name := EnvName(f.key)
		if v, ok := lookup(name); ok {
			c.Override(f.key, v, name)
		}
	}
}

// Load builds the configuration: defaults, then the file (if path is not
// empty), then the environment (lookup for settings, environ for gateway
// variables). It fails only when the file cannot be read; every other
// mistake is reported by Validate, which must be called after applying
// flags (with Override).
func Load(path string, lookup func(string) (string, bool), environ []string) (Config, error) {
	c := Default()
	if path != "" {
		if err := c.LoadFile(path); err != nil {
			return c, err
		}
	}
	c.LoadEnv(lookup)
	c.loadGatewayEnv(environ)
	return c, nil
}

// Dump writes every setting as "key = value" with secrets redacted, sorted by key.
func (c *Config) Dump(w io.Writer) error {
	fs := c.fields()
	sort.Slice(fs, func(i, j int) bool { return fs[i].key < fs[j].key })
	for _, f := range fs {
		v := fmt.Sprint(f.value.Interface())
		if f.secret && v != "" {
			v = "<redacted>"
		}
		if _, err := fmt.Fprintf(w, "%s = %s\t# %s\n", f.key, v, f.help); err != nil {
			return err
		}
	}
	for _, line := range c.Gateways.dumpLines() {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
