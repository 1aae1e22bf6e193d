package message_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// The log holds a user's SMS, Billing entries and outbound SMS, newest
// first, paged by (received_at, id) both ways, filtered by number and by
// service, and never another user's rows.
func TestLogPagesAndFilters(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, time.Hour)
		e.Service(t, "Amazon", 100, time.Hour)
		e.Numbers(t, apptest.Seq("212", 3)...)
		u, _ := e.User(t, 100000)
		other, _ := e.User(t, 100000)
		rs, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{google}})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := e.Requests.Create(ctx, request.Ask{UserID: other.ID, Services: []catalog.Service{google}})
		if err != nil {
			t.Fatal(err)
		}
		// 7 SMS to the request, two per second so that times tie.
		for i := 0; i < 7; i++ {
			if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: rs[0].MDN, From: "22000", Text: fmt.Sprintf("code %d", 1000+i)}); err != nil {
				t.Fatal(err)
			}
			if i%2 == 1 {
				e.Clock.Advance(time.Second)
			}
		}
		e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: theirs[0].MDN, From: "22000", Text: "not yours 4321"})
		// A rental: its Billing entry, on another number and service.
		amazon, _ := e.Catalog.Lookup(ctx, "Amazon")
		ren, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: amazon, Days: 30})
		if err != nil {
			t.Fatal(err)
		}
		// An outbound reply.
		out, err := e.Messages.Send(ctx, message.SendAsk{UserID: u.ID, MDN: rs[0].MDN, Text: "thanks"})
		if err != nil {
			t.Fatal(err)
		}

		all, err := e.Messages.Log(ctx, message.LogFilter{UserID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Entries) != 9 || all.HasOlder || all.HasNewer {
			t.Fatalf("log: %d entries, newer %v older %v", len(all.Entries), all.HasNewer, all.HasOlder)
		}
		top := all.Entries[0]
		if top.Kind != message.KindOutbound || top.ID != out.ID || top.Recipient != "22000" || top.Status != "accepted" || top.Text != "thanks" {
			t.Fatalf("newest %+v", top)
		}
		if b := all.Entries[1]; b.Kind != message.KindBilling || b.From != "Billing" || b.RentalID != ren.ID || b.Service != "Amazon" {
			t.Fatalf("billing %+v", b)
		}
		for i := 1; i < len(all.Entries); i++ {
			a, b := all.Entries[i-1], all.Entries[i]
			if a.ReceivedAt < b.ReceivedAt || (a.ReceivedAt == b.ReceivedAt && a.ID < b.ID) || b.UserID != u.ID {
				t.Fatalf("order at %d: %+v then %+v", i, a, b)
			}
		}

		// Pages of 3 going back, then forward again, give the same rows.
		var ids []int64
		f := message.LogFilter{UserID: u.ID, Limit: 3}
		var pages []message.LogPage
		for {
			p, err := e.Messages.Log(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, p)
			for _, x := range p.Entries {
				ids = append(ids, x.ID)
			}
			if !p.HasOlder {
				break
			}
			f.Before = p.Older
		}
		if len(pages) != 3 || len(ids) != 9 || pages[0].HasNewer || !pages[1].HasNewer {
			t.Fatalf("%d pages, ids %v", len(pages), ids)
		}
		for i, x := range all.Entries {
			if ids[i] != x.ID {
				t.Fatalf("paged ids %v differ from the log at %d", ids, i)
			}
		}
		back, err := e.Messages.Log(ctx, message.LogFilter{UserID: u.ID, Limit: 3, After: pages[2].Newer})
		if err != nil || len(back.Entries) != 3 || back.Entries[0].ID != pages[1].Entries[0].ID || !back.HasNewer || !back.HasOlder {
			t.Fatalf("way back %+v %v", back, err)
		}
		first, _ := e.Messages.Log(ctx, message.LogFilter{UserID: u.ID, Limit: 3, After: pages[1].Newer})
		if len(first.Entries) != 3 || first.HasNewer || first.Entries[0].ID != ids[0] {
			t.Fatalf("back to the first page %+v", first)
		}

		// Filters.
		byNumber, _ := e.Messages.Log(ctx, message.LogFilter{UserID: u.ID, MDN: ren.MDN})
		if len(byNumber.Entries) != 1 || byNumber.Entries[0].Kind != message.KindBilling {
			t.Fatalf("by number %+v", byNumber)
		}
		byService, _ := e.Messages.Log(ctx, message.LogFilter{UserID: u.ID, Service: "Google"})
		if len(byService.Entries) != 7 {
			t.Fatalf("by service: %d", len(byService.Entries))
		}
		none, _ := e.Messages.Log(ctx, message.LogFilter{UserID: u.ID, Service: "Nothing"})
		if len(none.Entries) != 0 || none.HasNewer || none.HasOlder {
			t.Fatalf("empty %+v", none)
		}

		// One row, only for its owner.
		if got, err := e.Messages.Get(ctx, u.ID, top.ID); err != nil || got.Text != "thanks" {
			t.Fatalf("get %+v %v", got, err)
		}
		if _, err := e.Messages.Get(ctx, other.ID, top.ID); !errors.Is(err, message.ErrNotFound) {
			t.Fatalf("another user's message: %v", err)
		}
	})
}

// Subscribe signals a message stored for the user, and only for that user.
func TestSubscribe(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, time.Hour)
		e.Numbers(t, apptest.Seq("212", 2)...)
		u, _ := e.User(t, 1000)
		v, _ := e.User(t, 1000)
		mine, _ := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
		theirs, _ := e.Requests.Create(ctx, request.Ask{UserID: v.ID, Services: []catalog.Service{svc}})
		ch, stop := e.Messages.Subscribe(u.ID)
		defer stop()
		// The subscription also hears u's own earlier changes (its request)
		// and the feed's "everything may have changed" when its listener
		// connects; on PostgreSQL those arrive through LISTEN a little later.
		// Let them pass before testing what another user's message does.
		for deadline := time.Now().Add(10 * time.Second); !e.DB.Hearing(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the change feed never started hearing")
			}
		}
		for quiet := false; !quiet; {
			select {
			case <-ch:
			case <-time.After(200 * time.Millisecond):
				quiet = true
			}
		}
		e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: theirs[0].MDN, From: "1", Text: "x"})
		select {
		case <-ch:
			t.Fatal("woken by another user's message")
		case <-time.After(50 * time.Millisecond):
		}
		e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: mine[0].MDN, From: "1", Text: "y"})
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatal("not woken by the user's message")
		}
		stop()
		e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: mine[0].MDN, From: "1", Text: "z"})
		select {
		case <-ch:
			t.Fatal("woken after the end of the subscription")
		default:
		}
	})
}
