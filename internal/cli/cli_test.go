package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
)

// runCLI runs one command line with an environment of env alone and
// returns its exit code, stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIContext(context.Background(), env, args...)
}

// runCLIContext is runCLI under ctx (for serve and demo, which run until
// ctx ends).
func runCLIContext(ctx context.Context, env map[string]string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	c := &CLI{Stdout: &out, Stderr: &errOut,
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ: func() []string {
			var kv []string
			for k, v := range env {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
	}
	code := c.Run(ctx, args)
	return code, out.String(), errOut.String()
}

// testDB is a throwaway database of one engine, with a whole app on it (a
// fake clock set to now: the CLI runs on the real one) to prepare data and
// look at what a command changed, and the environment that points the CLI
// at the same database.
type testDB struct {
	*apptest.Env
	driver string
	env    map[string]string
}

// forEachDB runs fn on a fresh database of each engine. The PostgreSQL half
// is skipped without MDNHUB_TEST_POSTGRES_DSN.
func forEachDB(t *testing.T, fn func(t *testing.T, d *testDB)) {
	t.Helper()
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) { fn(t, newTestDB(t, driver)) })
	}
}

// newTestDB makes a fresh database of driver.
func newTestDB(t *testing.T, driver string) *testDB {
	t.Helper()
	e := apptest.New(t, driver, nil)
	e.Clock.Set(time.Now())
	env := map[string]string{"MDNHUB_DB_DRIVER": driver}
	if driver == "postgres" {
		env["MDNHUB_DB_DSN"] = e.Config.DB.DSN
	} else {
		env["MDNHUB_DB_PATH"] = e.Config.DB.Path
	}
	return &testDB{Env: e, driver: driver, env: env}
}

// run runs one command line on the database.
func (d *testDB) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLI(t, d.env, args...)
}

// mustRun runs one command line on the database and fails the test unless
// it exits 0; it returns stdout.
func (d *testDB) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := d.run(t, args...)
	if code != 0 {
		t.Fatalf("mdnhub %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
	}
	return out
}

// writeFile writes text to name in a fresh directory and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
