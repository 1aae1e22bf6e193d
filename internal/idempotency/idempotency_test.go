package idempotency_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
	"mdnhub/internal/idempotency"
)

var ctx = context.Background()

// fixture is a user with $10 and a change that charges it 1.00 and answers
// the new balance.
type fixture struct {
	d      *db.DB
	clk    *clock.Fake
	userID int64
}

func newFixture(t *testing.T, d *db.DB) fixture {
	t.Helper()
	clk := clock.NewFake(time.Unix(1600108956, 0))
	accounts := account.NewService(d, clk, time.Minute, 100)
	u, err := accounts.Create(ctx, "alice", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Credit(ctx, u.ID, 1000, "test"); err != nil {
		t.Fatal(err)
	}
	return fixture{d: d, clk: clk, userID: u.ID}
}

func (f fixture) call(key, fp string) *idempotency.Call[int64] {
	return &idempotency.Call[int64]{UserID: f.userID, Key: key, Command: "request", Fingerprint: fp,
		Now: f.clk.Now().Unix(), Secret: "alice's api key", Render: func(balance int64) ([]byte, error) {
			return fmt.Appendf(nil, `"charged, %d left"`, balance), nil
		}}
}

// charge runs the keyed change: a 1.00 debit in the ledger.
func (f fixture) charge(c *idempotency.Call[int64]) (int64, error) {
	var left int64
	err := f.d.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		left, err = idempotency.Run(ctx, tx, c, func() (int64, error) {
			return account.Post(ctx, tx, f.userID, -100, account.KindRequest, "test charge", 0, f.clk.Now().Unix())
		})
		return err
	})
	return left, err
}

func (f fixture) balance(t *testing.T) int64 {
	t.Helper()
	var b int64
	if err := f.d.R.QueryRowContext(ctx, `SELECT balance_cents FROM users WHERE id = $1`, f.userID).Scan(&b); err != nil {
		t.Fatal(err)
	}
	if err := account.CheckLedger(ctx, f.d.R); err != nil {
		t.Fatal(err)
	}
	return b
}

func (f fixture) keys(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRetryAnswersOnceAndChargesOnce(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		first := f.call("k-1", "fp")
		if _, err := f.charge(first); err != nil {
			t.Fatal(err)
		}
		if string(first.Answer) != `"charged, 900 left"` {
			t.Fatalf("first answer %q", first.Answer)
		}
		var replay *idempotency.Replay
		for range 3 {
			_, err := f.charge(f.call("k-1", "fp"))
			if !errors.As(err, &replay) || !bytes.Equal(replay.Answer, first.Answer) {
				t.Fatalf("retry: %v", err)
			}
		}
		if b := f.balance(t); b != 900 {
			t.Fatalf("balance %d after retries, want 900", b)
		}

		// Other parameters or another command with the same key: refused.
		if _, err := f.charge(f.call("k-1", "other")); !errors.Is(err, idempotency.ErrReused) {
			t.Fatalf("other parameters: %v", err)
		}
		c := f.call("k-1", "fp")
		c.Command = "ltr_rent"
		if _, err := f.charge(c); !errors.Is(err, idempotency.ErrReused) {
			t.Fatalf("other command: %v", err)
		}
		// Another key is another call; no key at all is an ordinary one.
		if _, err := f.charge(f.call("k-2", "fp")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.charge(nil); err != nil {
			t.Fatal(err)
		}
		if b := f.balance(t); b != 700 {
			t.Fatalf("balance %d, want 700", b)
		}

		// A key older than a day is free again, before and after the purge.
		f.clk.Advance(idempotency.TTL)
		again := f.call("k-1", "other")
		if _, err := f.charge(again); err != nil || string(again.Answer) != `"charged, 600 left"` {
			t.Fatalf("expired key: %v %q", err, again.Answer)
		}
		f.clk.Advance(time.Hour)
		n, err := idempotency.NewKeys(d, f.clk).Purge(ctx)
		if err != nil || n != 1 {
			t.Fatalf("purge: %d, %v (want k-2 only)", n, err)
		}
		if f.keys(t) != 1 {
			t.Fatalf("%d keys left, want 1", f.keys(t))
		}
	})
}

// A change that fails after its answer was written, before commit, leaves
// neither the charge nor the answer; a refused change stores nothing, so a
// retry runs it again.
func TestFailureRollsBackChargeAndAnswer(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		crash := errors.New("crash before commit")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			c := f.call("k", "fp")
			if _, err := idempotency.Run(ctx, tx, c, func() (int64, error) {
				return account.Post(ctx, tx, f.userID, -100, account.KindRequest, "test charge", 0, f.clk.Now().Unix())
			}); err != nil {
				return err
			}
			if c.Answer == nil {
				t.Error("no answer written inside the transaction")
			}
			return crash
		})
		if !errors.Is(err, crash) {
			t.Fatal(err)
		}
		if f.balance(t) != 1000 || f.keys(t) != 0 {
			t.Fatalf("after a failed commit: balance %d, %d keys", f.balance(t), f.keys(t))
		}

		// The answer cannot be rendered: the charge is rolled back too.
		c := f.call("k", "fp")
		c.Render = func(int64) ([]byte, error) { return nil, errors.New("cannot render") }
		if _, err := f.charge(c); err == nil {
			t.Fatal("render failure ignored")
		}
		if f.balance(t) != 1000 || f.keys(t) != 0 {
			t.Fatalf("after a render failure: balance %d, %d keys", f.balance(t), f.keys(t))
		}

		// A refusal stores nothing: the retry is a new attempt.
		refused := errors.New("insufficient funds")
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := idempotency.Run(ctx, tx, f.call("k", "fp"), func() (int64, error) { return 0, refused })
			return err
		})
		if !errors.Is(err, refused) || f.keys(t) != 0 {
			t.Fatalf("refusal: %v, %d keys", err, f.keys(t))
		}
		if _, err := f.charge(f.call("k", "fp")); err != nil || f.balance(t) != 900 {
			t.Fatalf("retry after refusal: %v, balance %d", err, f.balance(t))
		}
	})
}

// Retries sent at once, before the first has answered: one charge, and
// every one answers the same.
func TestConcurrentRetriesChargeOnce(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const n = 8
		answers := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				c := f.call("same", "fp")
				_, err := f.charge(c)
				var replay *idempotency.Replay
				switch {
				case errors.As(err, &replay):
					answers[i] = replay.Answer
				case err == nil:
					answers[i] = c.Answer
				default:
					errs[i] = err
				}
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if string(answers[i]) != `"charged, 900 left"` {
				t.Fatalf("call %d answered %q", i, answers[i])
			}
		}
		if b := f.balance(t); b != 900 {
			t.Fatalf("balance %d: charged more than once", b)
		}
	})
}

// A change in two transactions (send_sms): in flight between them, a retry
// is told so; finished, it replays; abandoned (refunded), the key is free.
func TestPendingChange(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		hold := func(c *idempotency.Call[int64], ref string) error {
			return d.Tx(ctx, func(tx *sql.Tx) error {
				if err := c.Begin(ctx, tx); err != nil {
					return err
				}
				return c.Pending(ctx, tx, ref)
			})
		}
		first := f.call("k", "fp")
		if err := hold(first, "outbound:1"); err != nil {
			t.Fatal(err)
		}
		if err := hold(f.call("k", "fp"), "outbound:2"); !errors.Is(err, idempotency.ErrInFlight) {
			t.Fatalf("retry in flight: %v", err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return first.Finish(ctx, tx, 7) }); err != nil {
			t.Fatal(err)
		}
		var replay *idempotency.Replay
		if err := hold(f.call("k", "fp"), "outbound:3"); !errors.As(err, &replay) || string(replay.Answer) != `"charged, 7 left"` {
			t.Fatalf("retry after finish: %v", err)
		}
		// Abandon frees only a pending key.
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return idempotency.Abandon(ctx, tx, "outbound:1") }); err != nil {
			t.Fatal(err)
		}
		if f.keys(t) != 1 {
			t.Fatal("Abandon deleted an answered key")
		}
		if err := hold(f.call("k2", "fp"), "outbound:4"); err != nil {
			t.Fatal(err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return idempotency.Abandon(ctx, tx, "outbound:4") }); err != nil {
			t.Fatal(err)
		}
		if err := hold(f.call("k2", "fp"), "outbound:5"); err != nil {
			t.Fatalf("key of an abandoned change: %v", err)
		}
	})
}

func TestValidKey(t *testing.T) {
	for k, want := range map[string]bool{
		"":                       false,
		"a":                      true,
		"order-42/retry 1":       true,
		"é":                      false,
		"tab\there":              false,
		string(make([]byte, 64)): false,
		"0123456789012345678901234567890123456789012345678901234567890123":  true,
		"01234567890123456789012345678901234567890123456789012345678901234": false,
	} {
		if got := idempotency.ValidKey(k); got != want {
			t.Errorf("ValidKey(%q) = %v", k, got)
		}
	}
}

// sealedAnswer is the stored answer of key, as a copy of the database shows
// it.
func (f fixture) sealedAnswer(t *testing.T, key string) []byte {
	t.Helper()
	var b []byte
	if err := f.d.R.QueryRowContext(ctx, `SELECT sealed_answer FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2`,
		f.userID, key).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

// The stored answer is sealed: the row shows neither the answer nor any
// part of it, the same answer is stored differently each time, and only
// the secret it was sealed with opens it. A retry presenting another
// secret changes nothing and is refused; so is a row whose seal nothing
// opens (an answer stored in the clear before, erased by the migration).
func TestAnswerSealed(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		first := f.call("k", "fp")
		if _, err := f.charge(first); err != nil {
			t.Fatal(err)
		}
		stored := f.sealedAnswer(t, "k")
		for _, clear := range [][]byte{first.Answer, []byte("charged"), []byte("900")} {
			if bytes.Contains(stored, clear) {
				t.Fatalf("the stored row %q holds %q in the clear", stored, clear)
			}
		}
		if len(stored) <= len(first.Answer) {
			t.Fatalf("stored %d bytes for a %d-byte answer", len(stored), len(first.Answer))
		}
		again := f.call("k2", "fp")
		if _, err := f.charge(again); err != nil {
			t.Fatal(err)
		}
		if other := f.sealedAnswer(t, "k2"); bytes.Equal(other[12:], stored[12:]) {
			t.Fatal("two keys' answers sealed alike")
		}

		// The same secret opens it, byte for byte.
		var replay *idempotency.Replay
		if _, err := f.charge(f.call("k", "fp")); !errors.As(err, &replay) || !bytes.Equal(replay.Answer, first.Answer) {
			t.Fatalf("retry with the same secret: %v", err)
		}
		// Another secret does not, and changes nothing.
		changed := f.call("k", "fp")
		changed.Secret = "alice's new api key"
		if _, err := f.charge(changed); !errors.Is(err, idempotency.ErrSealed) {
			t.Fatalf("retry with another secret: %v", err)
		}
		// Other parameters are still reused ones, whatever the secret.
		changed = f.call("k", "other")
		changed.Secret = "alice's new api key"
		if _, err := f.charge(changed); !errors.Is(err, idempotency.ErrReused) {
			t.Fatalf("other parameters, another secret: %v", err)
		}
		// A sealed answer moved to another key's row does not open there.
		if _, err := d.W.ExecContext(ctx, `UPDATE idempotency_keys SET sealed_answer = $1 WHERE user_id = $2 AND idem_key = 'k2'`,
			stored, f.userID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.charge(f.call("k2", "fp")); !errors.Is(err, idempotency.ErrSealed) {
			t.Fatalf("an answer moved to another key: %v", err)
		}
		// An empty seal (what the migration leaves of an answer stored in
		// the clear) is an answer, not a call in progress, and opens with
		// nothing.
		if _, err := d.W.ExecContext(ctx, `UPDATE idempotency_keys SET sealed_answer = $1 WHERE user_id = $2 AND idem_key = 'k'`,
			[]byte{}, f.userID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.charge(f.call("k", "fp")); !errors.Is(err, idempotency.ErrSealed) {
			t.Fatalf("an empty seal: %v", err)
		}
		if b := f.balance(t); b != 800 {
			t.Fatalf("balance %d, want 800: a refused retry charged", b)
		}

		// A keyed call without a secret is the caller's mistake: refused
		// before anything changes.
		none := f.call("k3", "fp")
		none.Secret = ""
		if _, err := f.charge(none); err == nil || errors.Is(err, idempotency.ErrSealed) || f.balance(t) != 800 {
			t.Fatalf("a call without a secret: %v, balance %d", err, f.balance(t))
		}
	})
}
