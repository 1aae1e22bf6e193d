package db

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migrationLockID is the PostgreSQL advisory lock that serialises migrations
// of nodes starting together.
const migrationLockID = 0x6d646e68 // "mdnh"

// Migrate brings the schema of mdnhub and of its job queue up to date. On
// PostgreSQL it holds an advisory lock meanwhile, so several nodes starting at
// once migrate one after the other; on SQLite the single writer connection
// plays that role within a process.
func (d *DB) Migrate(ctx context.Context) error {
	if d.Dialect == Postgres {
		conn, err := d.W.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockID)
	}
	if err := d.migrateApp(ctx); err != nil {
		return err
	}
	return d.migrateJobs(ctx)
}

func (d *DB) migrateApp(ctx context.Context) error {
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrationFS, "migrations/"+string(d.Dialect))
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, d.W, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func (d *DB) migrateJobs(ctx context.Context) error {
	m, err := rivermigrate.New(d.RiverDriver(), nil)
	if err == nil {
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// Version returns the current schema version of mdnhub's own migrations.
func (d *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	err := d.R.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version").Scan(&v)
	return v, err
}

// MigrationsDigest is a hex digest of every embedded migration file; tests
// use it to tell schema versions apart.
func MigrationsDigest() string {
	h := sha256.New()
	fs.WalkDir(migrationFS, ".", func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			b, _ := migrationFS.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}
