package callback_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/callback"
)

// An attempt whose outcome was never written leaves its event 'sending'
// under a claim: the job's context ended while the receiver was slow
// (River's job timeout, a shutdown), or the database failed as the outcome
// was written. The job then runs again. It must not end as a stale job while
// the claim lasts, or the event stays 'sending' with no job left to deliver
// it: it is tried again, and delivered once the claim has run out.
func TestAttemptCutShortIsTriedAgain(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e0 *apptest.Env) {
		e := apptest.New(t, driverOf(e0), allowPrivate)
		jobCtx, endJob := context.WithCancel(ctx)
		var calls atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.ReadAll(r.Body)
			if calls.Add(1) == 1 {
				endJob() // the job's time is up while the receiver works
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return
			}
			w.WriteHeader(http.StatusOK)
		}))
		t.Cleanup(srv.Close)
		uid, _, svc := setup(t, e, srv.URL)
		mustEvent(t, e, uid, svc)
		id := lastEvent(t, e, uid).id

		if err := e.Callbacks.Attempt(jobCtx, id, 0); err == nil {
			t.Fatal("an attempt whose context ended reported success")
		}
		if ev := lastEvent(t, e, uid); ev.status != "sending" || ev.attempts != 0 {
			t.Fatalf("after the cut attempt the event is %+v, want sending with no attempt recorded", ev)
		}
		// The job runs again at once: the claim of the cut attempt lasts.
		err := e.Callbacks.Attempt(ctx, id, 0)
		if !errors.Is(err, callback.ErrClaimed) {
			t.Fatalf("the job's next run under the claim returned %v, want ErrClaimed (it must run again later)", err)
		}
		if calls.Load() != 1 {
			t.Fatalf("the receiver was called %d times under the claim", calls.Load())
		}
		// Once the claim has run out, the next run delivers.
		e.Clock.Advance(e.Config.Callbacks.Timeout + time.Minute + time.Second)
		if err := e.Callbacks.Attempt(ctx, id, 0); err != nil {
			t.Fatal(err)
		}
		if ev := lastEvent(t, e, uid); ev.status != "delivered" || ev.attempts != 1 || calls.Load() != 2 {
			t.Fatalf("after the claim ran out: %+v, %d calls; want delivered at attempt 1 of the 2nd call", ev, calls.Load())
		}
	})
}
