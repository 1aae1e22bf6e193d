package db_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// Two processes on one PostgreSQL database: what one commits reaches the
// other's feed by the publisher, after the commit; and when a process goes
// quiet (it died between a commit and its notification), the other drops
// every view within about ChangeStaleness instead of trusting them for
// ever, while a process that is alive and idle keeps the other's views
// trusted; a process that commits and closes before its publisher is up is
// heard too.
func TestChangeFeedAcrossProcesses(t *testing.T) {
	dsn := dbtest.PostgresDSN(t, "feed")
	open := func() *db.DB {
		d, err := db.Open(context.Background(), db.Options{Driver: "postgres", DSN: dsn, MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	a, b := open(), open()
	a.PublishAfterCommit()
	b.PublishAfterCommit()
	until := func(what string, within time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(within); !ok(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %v", what, within)
			}
		}
	}
	touch := func(d *db.DB, user int64) {
		t.Helper()
		if err := d.Tx(context.Background(), func(tx *sql.Tx) error { db.Touch(tx, user); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	until("both hear", 10*time.Second, func() bool { return a.Hearing() && b.Hearing() })
	// Let the first heartbeats and the feeds' own "everything changed" at
	// connection pass.
	time.Sleep(2 * db.ChangeStaleness)

	seq := b.ChangeSeq()
	touch(a, 7)
	until("b hears a's change", 2*time.Second, func() bool { return !b.UnchangedSince(7, seq) })
	if !b.UnchangedSince(8, seq) {
		t.Fatal("an untouched user changed in b")
	}

	// a alive and idle: its heartbeat keeps b trusting its views.
	seq = b.ChangeSeq()
	time.Sleep(3 * db.ChangeStaleness)
	if !b.UnchangedSince(9, seq) {
		t.Fatal("b dropped its views while a was alive and quiet")
	}

	// A command (no publisher) that opens the database, commits and closes
	// at once: its change reaches b all the same; and a server that commits
	// before its publisher is up.
	seq = b.ChangeSeq()
	c := open()
	touch(c, 11)
	c.Close()
	s := open()
	s.PublishAfterCommit()
	touch(s, 12)
	until("b hears a new server's first change", 2*time.Second, func() bool { return !b.UnchangedSince(12, seq) })
	until("b hears a short-lived process's change", 2*time.Second, func() bool { return !b.UnchangedSince(11, seq) })

	// a dies right after a commit: its notification never leaves.
	db.SilencePublisher(a)
	seq = b.ChangeSeq()
	touch(a, 10)
	until("b drops its views after a went quiet", 3*db.ChangeStaleness, func() bool { return !b.UnchangedSince(10, seq) })
}
