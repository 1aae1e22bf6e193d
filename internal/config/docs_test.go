package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestDocsTable checks docs/configuration.md against the code both ways:
// every setting has a row, every row is a setting, and its environment
// variable and default are right.
func TestDocsTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Skip("docs not found:", err)
	}
	defaults := Default()
	fields := map[string]field{}
	for _, f := range defaults.fields() {
		fields[f.key] = f
	}
	code := regexp.MustCompile("`([^`]*)`")
	documented := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) != 4 {
			t.Errorf("row without 4 columns: %s", line)
			continue
		}
		key := strings.Trim(strings.TrimSpace(cells[0]), "`")
		f, ok := fields[key]
		if !ok {
			t.Errorf("documented key %s is not a setting", key)
			continue
		}
		documented[key] = true
		if env := strings.Trim(strings.TrimSpace(cells[1]), "`"); env != EnvName(key) {
			t.Errorf("%s: documented variable %s, want %s", key, env, EnvName(key))
		}
		// The first code span of the default column, or nothing for "".
		def := ""
		if m := code.FindStringSubmatch(cells[2]); m != nil {
			def = m[1]
		}
		var doc Config
		if err := doc.Set(key, def); err != nil {
			t.Errorf("%s: documented default %q: %v", key, def, err)
			continue
		}
		got := reflect.ValueOf(&doc).Elem().FieldByIndex(indexOf(t, key))
		if !reflect.DeepEqual(got.Interface(), f.value.Interface()) {
			t.Errorf("%s: documented default %q, code has %v", key, def, f.value.Interface())
		}
	}
	for key := range fields {
		if !documented[key] {
			t.Errorf("setting %s is missing from docs/configuration.md", key)
		}
	}
}

// indexOf is the field index path of the setting key in Config.
func indexOf(t *testing.T, key string) []int {
	var walk func(typ reflect.Type, path []int) []int
	walk = func(typ reflect.Type, path []int) []int {
		for i := 0; i < typ.NumField(); i++ {
			sf := typ.Field(i)
			p := append(append([]int(nil), path...), i)
			if sf.Tag.Get("key") == key {
				return p
			}
			if sf.Type.Kind() == reflect.Struct {
				if found := walk(sf.Type, p); found != nil {
					return found
				}
			}
		}
		return nil
	}
	p := walk(reflect.TypeOf(Config{}), nil)
	if p == nil {
		t.Fatalf("no field for %s", key)
	}
	return p
}
