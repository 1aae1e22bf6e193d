package request_test

import (
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// Open lists the open requests; History pages every request by id both
// ways; Refunded tells which charges came back.
func TestOpenAndHistory(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, time.Hour)
		e.Numbers(t, apptest.Seq("212", 8)...)
		u, _ := e.User(t, 10000)
		other, _ := e.User(t, 10000)
		var ids []int64
		for i := 0; i < 7; i++ {
			rs, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, rs[0].ID)
		}
		theirs, _ := e.Requests.Create(ctx, request.Ask{UserID: other.ID, Services: []catalog.Service{svc}})
		// Reject the first, complete the second.
		if err := e.Requests.Reject(ctx, u.ID, ids[0]); err != nil {
			t.Fatal(err)
		}
		second, _ := e.Requests.Get(ctx, u.ID, ids[1])
		e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: second.MDN, From: "1", Text: "code 1234"})

		open, err := e.Requests.Open(ctx, u.ID)
		if err != nil || len(open) != 6 || open[0].ID != ids[6] || open[5].ID != ids[1] {
			t.Fatalf("open %+v %v", open, err)
		}
		var seen []int64
		p := request.HistoryPage{UserID: u.ID, Keyset: db.Keyset{Limit: 3}}
		var pages []request.History
		for {
			h, err := e.Requests.History(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, h)
			for _, r := range h.Rows {
				if r.UserID != u.ID || r.ID == theirs[0].ID {
					t.Fatalf("another user's request %+v", r)
				}
				seen = append(seen, r.ID)
			}
			if !h.HasOlder {
				break
			}
			p.Before = h.Older
		}
		if len(pages) != 3 || len(seen) != 7 || seen[0] != ids[6] || seen[6] != ids[0] || pages[0].HasNewer || !pages[2].HasNewer {
			t.Fatalf("%d pages: %v", len(pages), seen)
		}
		back, _ := e.Requests.History(ctx, request.HistoryPage{UserID: u.ID, Keyset: db.Keyset{Limit: 3, After: pages[1].Newer}})
		if len(back.Rows) != 3 || back.Rows[0].ID != ids[6] || back.HasNewer || !back.HasOlder {
			t.Fatalf("back %+v", back)
		}
		last := pages[2].Rows[len(pages[2].Rows)-1]
		if last.Status != request.StatusRejected || !last.Refunded() {
			t.Fatalf("rejected %+v refunded %v", last, last.Refunded())
		}
		done, _ := e.Requests.Get(ctx, u.ID, ids[1])
		if done.Status != request.StatusCompleted || done.Refunded() {
			t.Fatalf("completed %+v", done)
		}
	})
}
