package rental_test

import (
	"errors"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/db"
	"mdnhub/internal/rental"
)

// A number's rentals for the operator, newest first, renewals included;
// one report by id.
func TestByNumberAndReport(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000", "12125550001")
		u, _ := e.User(t, 10000)
		a := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550000"})
		renewal := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550000"})
		other := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550001"})
		rs, err := e.Rentals.ByNumber(ctx, a.NumberID, 10)
		if err != nil || len(rs) != 2 || rs[0].ID != renewal.ID || rs[1].ID != a.ID {
			t.Fatalf("rentals of %s: %+v, %v", a.MDN, rs, err)
		}
		if rs, _ := e.Rentals.ByNumber(ctx, other.NumberID, 10); len(rs) != 1 || rs[0].ID != other.ID {
			t.Fatalf("rentals of %s: %+v", other.MDN, rs)
		}
		if err := e.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: other.ID}); err != nil {
			t.Fatal(err)
		}
		reps, _ := e.Rentals.Reports(ctx, false)
		if len(reps) != 1 {
			t.Fatalf("reports %+v", reps)
		}
		rep, err := e.Rentals.Report(ctx, reps[0].ID)
		if err != nil || rep != reps[0] || rep.MDN != other.MDN || rep.Status != "pending" {
			t.Fatalf("report %+v, %v", rep, err)
		}
		if _, err := e.Rentals.Report(ctx, rep.ID+100); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("unknown report: %v", err)
		}
	})
}
