package db_test

import (
	"path/filepath"
	"testing"

	"mdnhub/internal/db"
)

// SQLite's commit mark stands still while nothing commits and moves with
// every commit, this process's or another's, even one made outside Tx.
func TestCommitMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mark.db")
	open := func() *db.DB {
		d, err := db.Open(ctx, db.Options{Driver: "sqlite", Path: path, Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	a, b := open(), open()
	if _, err := a.W.ExecContext(ctx, `CREATE TABLE m (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	m0, ok := a.CommitMark()
	if !ok {
		t.Fatal("no commit mark on SQLite")
	}
	if _, err := a.R.ExecContext(ctx, `SELECT COUNT(*) FROM m`); err != nil {
		t.Fatal(err)
	}
	if m, _ := a.CommitMark(); m != m0 {
		t.Fatal("a read moved the mark")
	}
	for i, w := range []*db.DB{a, b} {
		if _, err := w.W.ExecContext(ctx, `INSERT INTO m (id) VALUES ($1)`, i); err != nil {
			t.Fatal(err)
		}
		m, _ := a.CommitMark()
		if m == m0 {
			t.Fatalf("commit %d did not move the mark", i)
		}
		m0 = m
	}
}
