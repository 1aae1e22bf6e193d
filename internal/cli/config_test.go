package cli

import (
	"strconv"
	"strings"
	"testing"
)

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// TestConfigListsEverything: mistakes in the file, the environment and the
// flags come back together, and unknown variables are warned about.
func TestConfigListsEverything(t *testing.T) {
	conf := writeFile(t, "mdnhub.conf", "# settings\ndb.drvier = postgres\n\nlog.level = loud\nsim.min_delay = 3\n")
	env := map[string]string{
		"MDNHUB_DB_DRVIER":         "postgres",
		"MDNHUB_REQUESTS_MAX_OPEN": "0",
		"MDNHUB_TEST_POSTGRES_DSN": "postgres://localhost/test",
	}
	code, stdout, stderr := runCLI(t, env, "config", "-config", conf)
	want := "mdnhub: warning: unknown environment variable MDNHUB_DB_DRVIER (did you mean MDNHUB_DB_DRIVER?)\n" +
		"mdnhub: invalid configuration:\n" +
		"  " + conf + ":2: unknown setting \"db.drvier\" (did you mean db.driver?)\n" +
		"  " + conf + ":5: sim.min_delay: \"3\" is not a duration such as 90s or 15m\n" +
		"  MDNHUB_REQUESTS_MAX_OPEN: requests.max_open: must be at least 1\n" +
		"  " + conf + ":4: log.level: must be debug, info, warn or error, got \"loud\"\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
}

// TestConfigDump: the dump shows -db and the environment, secrets
// redacted.
func TestConfigDump(t *testing.T) {
	code, stdout, stderr := runCLI(t, map[string]string{"MDNHUB_DB_DSN": "postgres://u:hunter2@h/db"}, "config", "-db", "x.db")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"db.path = x.db\t", "db.dsn = <redacted>\t", "proxy.idle_timeout = 5m0s\t"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dump lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "hunter2") {
		t.Errorf("dump shows the password of db.dsn:\n%s", stdout)
	}
}
