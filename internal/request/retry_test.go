package request_test

import (
	"errors"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/request"
)

// Asking for another code marks the request's message count; only an open
// request that received something can ask, and only its owner.
func TestAskAnother(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 3)...)
		u, _ := e.User(t, 1000)
		other, _ := e.User(t, 1000)
		r := mustCreate(t, e, u.ID, svc, nil)

		if _, ok, err := e.Requests.LastRetry(ctx, r.ID); ok || err != nil {
			t.Fatalf("retry before any: %v %v", ok, err)
		}
		if _, err := e.Requests.AskAnother(ctx, u.ID, r.ID); !errors.Is(err, request.ErrNoMessage) {
			t.Fatalf("before a message: %v", err)
		}
		deliver(t, e, r.MDN, "G-111111 is your Google verification code.")
		if _, err := e.Requests.AskAnother(ctx, other.ID, r.ID); !errors.Is(err, request.ErrNotFound) {
			t.Fatalf("another user's: %v", err)
		}
		got, err := e.Requests.AskAnother(ctx, u.ID, r.ID)
		if err != nil || got.Messages != 1 || got.AskedAt != apptest.Start.Unix() {
			t.Fatalf("ask: %+v %v", got, err)
		}
		e.Clock.Advance(10 * time.Second)
		deliver(t, e, r.MDN, "G-222222 is your Google verification code.")
		if last, ok, err := e.Requests.LastRetry(ctx, r.ID); !ok || err != nil || last != got {
			t.Fatalf("last retry: %+v %v %v", last, ok, err)
		}
		// Asking again moves the mark.
		again, err := e.Requests.AskAnother(ctx, u.ID, r.ID)
		if err != nil || again.Messages != 2 || again.AskedAt != apptest.Start.Unix()+10 {
			t.Fatalf("ask again: %+v %v", again, err)
		}
		if last, _, _ := e.Requests.LastRetry(ctx, r.ID); last != again {
			t.Fatalf("last retry after the second ask: %+v", last)
		}
		// Nothing is charged for it.
		if b := e.Balance(t, u.ID); b != 1000-120 {
			t.Fatalf("balance %d", b)
		}
		// An ended request cannot ask.
		e.Clock.Advance(time.Hour)
		if err := e.Requests.Expire(ctx, r.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		var closed *request.ClosedError
		if _, err := e.Requests.AskAnother(ctx, u.ID, r.ID); !errors.As(err, &closed) || closed.Status != request.StatusCompleted {
			t.Fatalf("after expiry: %v", err)
		}
		e.CheckLedger(t)
	})
}

// Finishing a completed request frees its number at once, keeps its status
// and charge, and is idempotent; the expiry job later finds nothing to do.
func TestFinish(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 120, 0)
		amazon := e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, apptest.Seq("212", 1)...)
		u, _ := e.User(t, 1000)
		other, _ := e.User(t, 1000)

		r := mustCreate(t, e, u.ID, svc, nil)
		if _, err := e.Requests.Finish(ctx, u.ID, r.ID); !errors.Is(err, request.ErrNoMessage) {
			t.Fatalf("before a message: %v", err)
		}
		// The only number is held: nobody else gets one.
		if _, err := create(t, e, other.ID, amazon, nil); err == nil {
			t.Fatal("a held number was handed out")
		}
		deliver(t, e, r.MDN, "G-111111 is your Google verification code.")
		if _, err := e.Requests.Finish(ctx, other.ID, r.ID); !errors.Is(err, request.ErrNotFound) {
			t.Fatalf("another user's: %v", err)
		}
		e.Clock.Advance(30 * time.Second)
		done, err := e.Requests.Finish(ctx, u.ID, r.ID)
		if err != nil || done.Status != request.StatusCompleted || done.ClosedAt != apptest.Start.Unix()+30 {
			t.Fatalf("finish: %+v %v", done, err)
		}
		got, err := e.Requests.Get(ctx, u.ID, r.ID)
		if err != nil || got.Open() || got.Status != request.StatusCompleted || got.TillExpiration(e.Clock.Now()) != 0 {
			t.Fatalf("after finish: %+v %v", got, err)
		}
		// Again: nothing changes.
		if again, err := e.Requests.Finish(ctx, u.ID, r.ID); err != nil || again.ClosedAt != done.ClosedAt {
			t.Fatalf("finish again: %+v %v", again, err)
		}
		// The number is free now, for another service.
		if o := mustCreate(t, e, other.ID, amazon, nil); o.MDN != r.MDN {
			t.Fatalf("the finished request's number was not handed out: %+v", o)
		}
		// The expiry job finds the request closed.
		e.Clock.Advance(time.Hour)
		if err := e.Requests.Expire(ctx, r.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if b := e.Balance(t, u.ID); b != 1000-120 {
			t.Fatalf("balance %d, want the charge kept", b)
		}

		// A rejected request cannot be finished.
		e.Numbers(t, apptest.Seq("305", 1)...)
		x := mustCreate(t, e, u.ID, svc, nil)
		if err := e.Requests.Reject(ctx, u.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		var closed *request.ClosedError
		if _, err := e.Requests.Finish(ctx, u.ID, x.ID); !errors.As(err, &closed) || closed.Status != request.StatusRejected {
			t.Fatalf("rejected: %v", err)
		}
		e.CheckLedger(t)
	})
}
