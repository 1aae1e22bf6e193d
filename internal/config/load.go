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

// Set assigns one setting by its dotted key from its text form.
func (c *Config) Set(key, text string) error {
	for _, f := range c.fields() {
		if f.key == key {
			return assign(f, text)
		}
	}
	return fmt.Errorf("unknown setting %q", key)
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

// EnvName is the environment variable that overrides key.
func EnvName(key string) string {
	return "MDNHUB_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// LoadFile applies a file of "key = value" lines; blank lines and lines
// starting with # are ignored.
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
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			return fmt.Errorf("%s:%d: expected key = value", name, line)
		}
		key = strings.TrimSpace(key)
		if rest, ok := strings.CutPrefix(key, "gateway."); ok {
			gw, setting, ok := strings.Cut(rest, ".")
			if !ok {
				return fmt.Errorf("%s:%d: expected gateway.<name>.<setting>", name, line)
			}
			if err := c.setGateway(gw, setting, value); err != nil {
				return fmt.Errorf("%s:%d: %w", name, line, err)
			}
			continue
		}
		if err := c.Set(key, value); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	return sc.Err()
}

// LoadEnv applies every MDNHUB_* variable that names a setting, using lookup
// (os.LookupEnv in production).
func (c *Config) LoadEnv(lookup func(string) (string, bool)) error {
	for _, f := range c.fields() {
		if v, ok := lookup(EnvName(f.key)); ok {
			if err := assign(f, v); err != nil {
				return fmt.Errorf("%s: %w", EnvName(f.key), err)
			}
		}
	}
	return nil
}

// Load builds the configuration: defaults, then the file (if path is not
// empty), then the environment (lookup for settings, environ for gateway
// variables). It does not validate; call Validate after applying flags.
func Load(path string, lookup func(string) (string, bool), environ []string) (Config, error) {
	c := Default()
	if path != "" {
		if err := c.LoadFile(path); err != nil {
			return c, err
		}
	}
	if err := c.LoadEnv(lookup); err != nil {
		return c, err
	}
	if err := c.loadGatewayEnv(environ); err != nil {
		return c, err
	}
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
