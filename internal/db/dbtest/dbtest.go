// Package dbtest gives tests a fresh, migrated database of each engine.
//
// SQLite always runs, on a file in the test's temporary folder. PostgreSQL runs
// when MDNHUB_TEST_POSTGRES_DSN names a server (an administrative connection,
// e.g. postgres://postgres@127.0.0.1:5432/postgres); each test gets its own
// database cloned from a migrated template. Without that variable the
// PostgreSQL half is skipped locally, and fails in CI (CI=true): a missing
// peer must never pass silently there.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"mdnhub/internal/db"
)

// EnvDSN names the variable with the administrative PostgreSQL DSN.
const EnvDSN = "MDNHUB_TEST_POSTGRES_DSN"

// ForEachDB runs fn as a subtest on SQLite and on PostgreSQL.
func ForEachDB(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database on a temporary file, closed at cleanup.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "test.db"), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

var seq atomic.Int64

// Postgres returns a fresh migrated database on the server named by
// MDNHUB_TEST_POSTGRES_DSN, dropped at cleanup.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	DSN := PostgresDSN(t, "")
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{Driver: "postgres", DSN: DSN, MaxConns: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// PostgresDSN creates a fresh migrated database and returns its DSN; the
// database is dropped at cleanup. name, when not empty, prefixes the database
// name for easier debugging.
func PostgresDSN(t testing.TB, name string) string {
	t.Helper()
	admin := os.Getenv(EnvDSN)
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: PostgreSQL tests cannot run (CI must start a server)", EnvDSN)
		}
		t.Skipf("%s not set; PostgreSQL half skipped (it runs in CI)", EnvDSN)
	}
	ctx := context.Background()
	adb, err := openAdmin(ctx, admin)
	if err != nil {
		t.Fatalf("postgres admin connection: %v", err)
	}
	defer adb.Close()
	tmpl, err := ensureTemplate(ctx, adb, admin)
	if err != nil {
		t.Fatalf("postgres template: %v", err)
	}
	if name == "" {
		name = "t"
	}
	dbName := fmt.Sprintf("%s_%d_%d_%d", name, os.Getpid(), time.Now().UnixNano()%1e6, seq.Add(1))
	if _, err := adb.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", dbName, tmpl)); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := openAdmin(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close()
		c.ExecContext(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", dbName))
	})
	return withDatabase(admin, dbName)
}

func openAdmin(ctx context.Context, dsn string) (*sql.DB, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDBFromPool(pool), nil
}

func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		// key=value form
		return dsn + " dbname=" + name
	}
	u.Path = "/" + name
	return u.String()
}

// ensureTemplate creates, once per server and schema version, a migrated
// template database that test databases are cloned from (much faster than
// migrating each one). An advisory lock keeps parallel test binaries from
// building it twice.
func ensureTemplate(ctx context.Context, adb *sql.DB, admin string) (string, error) {
	tmpl := "mdnhub_tmpl_" + schemaFingerprint()
	conn, err := adb.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(4242)")
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return tmpl, nil
	}
	building := tmpl + "_build"
	conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, db.Options{Driver: "postgres", DSN: withDatabase(admin, building)})
	if err != nil {
		return "", err
	}
	err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+tmpl); err != nil {
		return "", err
	}
	return tmpl, nil
}

// schemaFingerprint changes whenever a migration file changes, so a stale
// template from an earlier schema is never used.
func schemaFingerprint() string {
	sum := db.MigrationsDigest()
	return strings.ToLower(sum[:12])
}
