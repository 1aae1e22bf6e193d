package callback_test

import (
	"slices"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/callback"
)

// The operator's list of deliveries across accounts: failed ones first,
// newest first, then the others, newest first, paged across the seam.
func TestDeliveriesFailedFirst(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		uid, _, svc := setup(t, e, "http://callback.invalid/hook")
		e.Numbers(t, apptest.Seq("917", 4)...)
		other, _ := e.User(t, 100000)
		e.WithCallback(t, other.ID)
		for i := range 6 {
			who := uid
			if i%2 == 1 {
				who = other.ID
			}
			mustEvent(t, e, who, svc)
		}
		var ids []int64
		rows, err := e.DB.R.QueryContext(ctx, `SELECT id FROM callback_events ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) != 6 {
			t.Fatalf("events %v", ids)
		}
		// The 2nd and 4th failed.
		if _, err := e.DB.W.ExecContext(ctx, `UPDATE callback_events SET status = 'failed' WHERE id IN ($1, $2)`, ids[1], ids[3]); err != nil {
			t.Fatal(err)
		}
		want := []int64{ids[3], ids[1], ids[5], ids[4], ids[2], ids[0]}
		for _, limit := range []int{1, 2, 3, 4, 6, 10} {
			var got []int64
			var p callback.Page
			for n := 0; ; n++ {
				ds, next, err := e.Callbacks.Deliveries(ctx, p, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(ds) > limit || n > 10 {
					t.Fatalf("limit %d: page of %d", limit, len(ds))
				}
				for _, d := range ds {
					got = append(got, d.ID)
				}
				if next == (callback.Page{}) {
					break
				}
				p = next
			}
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d: %v, want %v", limit, got, want)
			}
		}
	})
}
