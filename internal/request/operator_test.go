package request_test

import (
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/request"
)

// The operator's figures: open requests by status, the outcomes of the
// last day's requests per service, and a number's requests.
func TestOperatorFigures(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, time.Hour)
		amazon := e.Service(t, "Amazon", 50, time.Hour)
		e.Numbers(t, apptest.Seq("212", 6)...)
		u, _ := e.User(t, 10000)
		old := mustCreate(t, e, u.ID, google, nil) // a day ago: not counted
		deliver(t, e, old.MDN, "G-111111 is your Google verification code.")
		e.Clock.Advance(25 * time.Hour)
		since := e.Clock.Now().Add(-24 * time.Hour).Unix()
		if err := e.Requests.Expire(ctx, old.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}

		done := mustCreate(t, e, u.ID, google, nil)
		deliver(t, e, done.MDN, "G-222222 is your Google verification code.")
		rejected := mustCreate(t, e, u.ID, google, nil)
		if err := e.Requests.Reject(ctx, u.ID, rejected.ID); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, e, u.ID, google, nil) // waiting
		timedOut := mustCreate(t, e, u.ID, amazon, nil)
		e.Clock.Advance(2 * time.Hour)
		if err := e.Requests.Expire(ctx, timedOut.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		waiting := mustCreate(t, e, u.ID, amazon, nil)

		open, err := e.Requests.OpenCounts(ctx)
		// done and the first waiting one are past their hour but not yet
		// expired by their jobs: still open.
		if err != nil || open != (request.OpenCounts{Reserved: 2, Completed: 1}) || open.Total() != 3 {
			t.Fatalf("open %+v, %v", open, err)
		}
		outs, err := e.Requests.OutcomesSince(ctx, since)
		want := []request.ServiceOutcomes{
			{Service: "Google", Total: 3, Completed: 1, Rejected: 1, Pending: 1},
			{Service: "Amazon", Total: 2, TimedOut: 1, Pending: 1},
		}
		if err != nil || len(outs) != 2 || outs[0] != want[0] || outs[1] != want[1] {
			t.Fatalf("outcomes %+v, %v", outs, err)
		}
		if r := outs[0].CompletionRate(); r != 0.5 {
			t.Fatalf("Google's rate %v", r)
		}
		if r := outs[1].CompletionRate(); r != 0 {
			t.Fatalf("Amazon's rate %v", r)
		}
		if r := (request.ServiceOutcomes{Pending: 3}).CompletionRate(); r != -1 {
			t.Fatalf("nothing decided: %v", r)
		}

		hist, err := e.Requests.ByNumber(ctx, waiting.NumberID, 10)
		if err != nil || len(hist) == 0 || hist[0].ID != waiting.ID {
			t.Fatalf("history %+v, %v", hist, err)
		}
		for i := 1; i < len(hist); i++ {
			if hist[i].ID >= hist[i-1].ID || hist[i].NumberID != waiting.NumberID {
				t.Fatalf("history out of order or of another number: %+v", hist)
			}
		}
	})
}
