package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestEnvWarnings(t *testing.T) {
	environ := []string{
		"PATH=/bin",
		"MDNHUB_DB_DRIVER=sqlite",              // a setting
		"MDNHUB_GATEWAY__SMS1__KIND=smpp",      // a gateway setting
		"MDNHUB_TEST_POSTGRES_DSN=postgres://", // the test suite's
		"MDNHUB_BENCH=1",
		"MDNHUB_DB_DRVIER=postgres",
		"MDNHUB_LOG_LEVL=debug",
		"mdnhub_db_path=x.db",
		"MDNHUB_PROXY_MAX_CONNS=3",
		"MDNHUB_GATEWAY_SMS1_KIND=smpp",
		"MDNHUB_NONSENSE=1",
		"MDNHUB_HTTP_ADR",
	}
	want := []string{
		"unknown environment variable MDNHUB_DB_DRVIER (did you mean MDNHUB_DB_DRIVER?)",
		"unknown environment variable MDNHUB_GATEWAY_SMS1_KIND (gateway settings are MDNHUB_GATEWAY__<NAME>__<SETTING>, with double underscores)",
		"unknown environment variable MDNHUB_HTTP_ADR (did you mean MDNHUB_HTTP_ADDR?)",
		"unknown environment variable MDNHUB_LOG_LEVL (did you mean MDNHUB_LOG_LEVEL?)",
		"unknown environment variable MDNHUB_NONSENSE",
		"unknown environment variable MDNHUB_PROXY_MAX_CONNS (did you mean MDNHUB_PROXY_MAX_CONNS_PER_RENTAL?)",
		"unknown environment variable mdnhub_db_path (did you mean MDNHUB_DB_PATH?)",
	}
	if got := EnvWarnings(environ); !slices.Equal(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := EnvWarnings(nil); got != nil {
		t.Errorf("no environment, warnings %v", got)
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"db.driver", "db.dsn", "db.path", "log.level", "log.format"}
	for in, want := range map[string]string{
		"db.drvier": "db.driver",
		"db.pth":    "db.path",
		"DB.PATH":   "db.path",
		"log":       "", // two keys start with it: no guess
		"db.dns":    "db.dsn",
		"xyz.abc":   "",
		"http.addr": "",
	} {
		if got := closest(in, keys); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryProjectVariableKnown reads the project's code, scripts and docs
// for MDNHUB_* names: each must be a setting, a gateway setting or in
// notSettings, or running the tests would print warnings (and a documented
// name would be wrong).
func TestEveryProjectVariableKnown(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Skip("module root not found:", err)
	}
	known := map[string]bool{}
	for _, n := range notSettings {
		known[n] = true
	}
	var c Config
	for _, f := range c.fields() {
		known[EnvName(f.key)] = true
	}
	// The example of the warning in the docs is misspelled on purpose.
	known["MDNHUB_DB_DRVIER"] = true
	// What remains of MDNHUB_GATEWAY__<NAME>__<SETTING> in prose.
	known["MDNHUB_GATEWAY"] = true
	name := regexp.MustCompile(`MDNHUB_[A-Z0-9_]*[A-Z0-9]`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || path == filepath.Join(root, "internal", "config") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".sh", ".md":
		default:
			if path != filepath.Join(root, ".ci", "run") {
				return nil
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range name.FindAllString(string(b), -1) {
			if !known[n] && !strings.HasPrefix(n, gatewayEnvPrefix) {
				t.Errorf("%s: %s is neither a setting nor in notSettings (internal/config/env.go)", path, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
