package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEveryProblemListed loads a file with mistakes of every kind, and
// environment variables with more, and expects one error that lists each of
// them with where it was made.
func TestEveryProblemListed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mdnhub.conf")
	file := `# a configuration with many mistakes
db.drvier = postgres
db.driver = mysql

http.shutdown_timeout = 15
requests.max_open = twenty
sim.enabled = yes please
this line has no equals sign
log.level = loud
gateway.smsc1.addr = 127.0.0.1:2775
MDNHUB_LOG_FORMAT = json
proxy.max_conns = 10
db.max_conns = 0
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MDNHUB_CALLBACKS_ATTEMPTS": "lots", "MDNHUB_CALLBACKS_TIMEOUT": "1h"}
	c, err := Load(path, func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		[]string{"MDNHUB_GATEWAY__PUSH=1"})
	if err != nil {
		t.Fatalf("Load failed on a readable file: %v", err)
	}
	err = c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate: %v, want a *ValidationError", err)
	}
	want := []string{
		// Loading mistakes, in file order, then the environment's.
		path + `:2: unknown setting "db.drvier" (did you mean db.driver?)`,
		path + `:5: http.shutdown_timeout: "15" is not a duration such as 90s or 15m`,
		path + `:6: requests.max_open: "twenty" is not a whole number`,
		path + `:7: sim.enabled: "yes please" is not true or false`,
		path + `:8: expected key = value`,
		path + `:11: unknown setting "MDNHUB_LOG_FORMAT" (did you mean log.format?)`,
		path + `:12: unknown setting "proxy.max_conns" (did you mean proxy.max_conns_per_rental?)`,
		`MDNHUB_CALLBACKS_ATTEMPTS: callbacks.attempts: "lots" is not a whole number`,
		`MDNHUB_GATEWAY__PUSH: expected MDNHUB_GATEWAY__<NAME>__<KEY>`,
		// Invalid values, each where it was set.
		path + `:3: db.driver: must be sqlite or postgres, got "mysql"`,
		path + `:13: db.max_conns: must be between 1 and 1000`,
		`MDNHUB_CALLBACKS_TIMEOUT: callbacks.timeout: must be between 1s and 50s`,
		path + `:9: log.level: must be debug, info, warn or error, got "loud"`,
		path + `:10: gateway.smsc1.kind: must be one of smpp, httppush, got ""`,
	}
	if !slices.Equal(ve.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(ve.Problems, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(err.Error(), "invalid configuration:\n  "+path+":2: ") {
		t.Errorf("error text:\n%s", err)
	}
}

func TestOverrideOrigin(t *testing.T) {
	c := Default()
	if err := c.load(strings.NewReader("http.max_body_bytes = 10\n"), "f"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "f:1: http.max_body_bytes") {
		t.Fatalf("file value: %v", err)
	}
	c.Override("http.max_body_bytes", "20", "command line")
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "command line: http.max_body_bytes") {
		t.Fatalf("overridden value: %v", err)
	}
	if err := c.Set("http.max_body_bytes", "30"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "\n  http.max_body_bytes: must be") {
		t.Fatalf("value set by code keeps no origin: %v", err)
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.conf"), func(string) (string, bool) { return "", false }, nil)
	if err == nil || !strings.Contains(err.Error(), "missing.conf") {
		t.Fatalf("got %v", err)
	}
}
