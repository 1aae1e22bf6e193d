package db_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// Transactions that share a commit (SQLite's group commit) stay apart: each
// caller's change commits or not by its own outcome, a failed one leaves
// nothing behind, its after-commit hooks run only when it committed, a
// panic reaches its own caller, and a caller whose context has ended is not
// run. Both engines must answer alike.
func TestTxSharedCommitKeepsCallersApart(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE gc (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		errOwn := errors.New("refused by fn")
		const n = 200
		var hooks atomic.Int64
		results := make([]error, n)
		panics := make([]any, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				defer func() { panics[i] = recover() }()
				results[i] = d.Tx(ctx, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO gc (id, v) VALUES ($1, $2)`, i, i); err != nil {
						return err
					}
					d.AfterCommit(tx, func() { hooks.Add(1) })
					switch {
					case i%5 == 1:
						return errOwn
					case i%7 == 2:
						// A statement that fails: the row 0 exists (or
						// soon will); the change above must go too.
						_, err := tx.ExecContext(ctx, `INSERT INTO gc (id, v) VALUES (0, 0)`)
						if err == nil {
							return errors.New("duplicate accepted")
						}
						return err
					case i%11 == 3:
						panic("fn panicked")
					}
					return nil
				})
			}(i)
		}
		wg.Wait()
		var committed []int
		for i := 0; i < n; i++ {
			switch {
			case i%5 == 1:
				if !errors.Is(results[i], errOwn) {
					t.Errorf("%d: %v, want its own error", i, results[i])
				}
			case i%7 == 2:
				if results[i] == nil && panics[i] == nil {
					t.Errorf("%d: a duplicate key committed", i)
				}
			case i%11 == 3:
				if panics[i] != "fn panicked" {
					t.Errorf("%d: panic %v", i, panics[i])
				}
			default:
				if results[i] != nil || panics[i] != nil {
					t.Errorf("%d: %v %v", i, results[i], panics[i])
				}
				committed = append(committed, i)
			}
		}
		rows, err := d.R.QueryContext(ctx, `SELECT id FROM gc ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Int64s(rows)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(committed) {
			t.Fatalf("%d rows stored, want %d: %v", len(got), len(committed), got)
		}
		for k, id := range got {
			if id != int64(committed[k]) {
				t.Fatalf("row %d is %d, want %d", k, id, committed[k])
			}
		}
		if hooks.Load() != int64(len(committed)) {
			t.Errorf("%d hooks ran, want %d", hooks.Load(), len(committed))
		}
		// A caller whose context has ended is not run.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		ran := false
		if err := d.Tx(cctx, func(tx *sql.Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
			t.Errorf("canceled caller: %v, ran %v", err, ran)
		}
	})
}

// The change feed: a touched user's views are stale from its commit on, a
// rolled-back touch changes nothing, and views are trusted only while the
// feed hears other processes (here, its watcher has started).
func TestChangeFeed(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		deadline := time.Now().Add(10 * time.Second)
		for !d.Hearing() {
			if time.Now().After(deadline) {
				t.Fatal("the change feed never hears other processes")
			}
			time.Sleep(10 * time.Millisecond)
		}
		var heard []int64
		var mu sync.Mutex
		d.OnChange(func(users []int64, all bool) {
			mu.Lock()
			heard = append(heard, users...)
			mu.Unlock()
		})
		// Settled: on SQLite a change of the file this process has not
		// accounted for yet (the connections' own start-up) is first
		// taken as a change, until the watcher has looked.
		seq := d.ChangeSeq()
		for deadline := time.Now().Add(2 * time.Second); !d.UnchangedSince(7, seq); seq = d.ChangeSeq() {
			if time.Now().After(deadline) {
				t.Fatal("user 7 keeps changing while nothing happens")
			}
			time.Sleep(10 * time.Millisecond)
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			db.Touch(tx, 7)
			return errors.New("rolled back")
		})
		if err == nil || !d.UnchangedSince(7, seq) {
			t.Fatalf("a rolled-back touch counted: %v", err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { db.Touch(tx, 7, 8); return nil }); err != nil {
			t.Fatal(err)
		}
		if d.UnchangedSince(7, seq) || d.UnchangedSince(8, seq) || !d.UnchangedSince(9, seq) {
			t.Error("the feed does not follow the touches")
		}
		if !d.UnchangedSince(7, d.ChangeSeq()) {
			t.Error("a value read after the change is not trusted")
		}
		mu.Lock()
		defer mu.Unlock()
		if len(heard) < 2 || heard[0] != 7 || heard[1] != 8 {
			t.Errorf("listeners heard %v", heard)
		}
	})
}
