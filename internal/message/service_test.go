package message_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

var ctx = context.Background()

func TestDeliverRoutesAndDeduplicates(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, apptest.Seq("212", 2)...)
		u, _ := e.User(t, 1000)
		rs, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
		if err != nil {
			t.Fatal(err)
		}
		r := rs[0]
		in := message.Inbound{To: r.MDN[1:], From: "22000", Text: "G-804036 is your Google verification code.", Gateway: "sim", GatewayID: "m1"}
		d, err := e.Messages.Deliver(ctx, in)
		if err != nil || d.Unowned || d.Duplicate || d.Message.UserID != u.ID || d.Message.Service != "Google" || d.Message.PriceCents != 100 {
			t.Fatalf("first delivery %+v %v", d, err)
		}
		again, err := e.Messages.Deliver(ctx, in)
		if err != nil || !again.Duplicate || again.Message.ID != d.Message.ID {
			t.Fatalf("repeat %+v %v", again, err)
		}
		got, _ := e.Requests.Get(ctx, u.ID, r.ID)
		if got.Messages != 1 {
			t.Fatalf("a repeated gateway id counted twice: %d", got.Messages)
		}
		// A number nobody holds, and a number not in the inventory.
		other := apptest.Seq("212", 2)[0]
		if other == r.MDN {
			other = apptest.Seq("212", 2)[1]
		}
		for _, to := range []string{other, "13125550199"} {
			d, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: to, From: "22000", Text: "hello"})
			if err != nil || !d.Unowned || d.Message.UserID != 0 {
				t.Fatalf("to %s: %+v %v", to, d, err)
			}
		}
		for _, bad := range []message.Inbound{
			{To: "12", From: "1", Text: "x", Gateway: "sim"},
			{To: r.MDN, From: "", Text: "x", Gateway: "sim"},
			{To: r.MDN, From: "1", Text: string([]byte{0xff, 0xfe}), Gateway: "sim"},
			{To: r.MDN, From: "1", Text: "x"}, // no gateway
		} {
			if _, err := e.Messages.Deliver(ctx, bad); !errors.Is(err, message.ErrInvalid) {
				t.Errorf("%+v: %v", bad, err)
			}
		}
	})
}

func first(t *testing.T, e *apptest.Env, a request.Ask) request.Request {
	t.Helper()
	rs, err := e.Requests.Create(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return rs[0]
}

func TestReadFilters(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, time.Hour)
		amazon := e.Service(t, "Amazon", 50, time.Hour)
		e.Numbers(t, apptest.Seq("212", 3)...)
		u, _ := e.User(t, 1000)
		other, _ := e.User(t, 1000)
		rg := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{google}})
		ra := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{amazon}})
		ro := first(t, e, request.Ask{UserID: other.ID, Services: []catalog.Service{google}})
		send := func(to, text string) {
			e.Clock.Advance(time.Second)
			if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: to, From: "22000", Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		for _, text := range []string{"g1", "g2", "g3", "g4"} {
			send(rg.MDN, text)
		}
		send(ra.MDN, "a1")
		send(ro.MDN, "other")
		texts := func(f message.Filter) []string {
			t.Helper()
			ms, err := e.Messages.Read(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, m.Text)
			}
			return out
		}
		check := func(name string, got []string, want ...string) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: got %v, want %v", name, got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s: got %v, want %v", name, got, want)
				}
			}
		}
		check("all", texts(message.Filter{UserID: u.ID}), "a1", "g4", "g3")
		check("request", texts(message.Filter{UserID: u.ID, RequestID: rg.ID}), "g4", "g3", "g2")
		check("request overrides mdn", texts(message.Filter{UserID: u.ID, RequestID: rg.ID, MDN: ra.MDN, Limit: 1}), "g4")
		check("mdn", texts(message.Filter{UserID: u.ID, MDN: ra.MDN}), "a1")
		check("service", texts(message.Filter{UserID: u.ID, Service: "Google", Limit: 10}), "g4", "g3", "g2", "g1")
		check("foreign request", texts(message.Filter{UserID: u.ID, RequestID: ro.ID}))
		since := apptest.Start.Unix() + 3
		check("since", texts(message.Filter{UserID: u.ID, Since: since, Limit: 100}), "a1", "g4", "g3")
		e.Clock.Advance(48*time.Hour - 4*time.Second)
		// Now is 2 s after g2 plus 48 h: g1 has left the window, g2 is on its edge.
		check("two-day window", texts(message.Filter{UserID: u.ID, Limit: 100}), "a1", "g4", "g3", "g2")
	})
}

func TestReadWait(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, apptest.Seq("212", 1)...)
		u, _ := e.User(t, 1000)
		r := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
		// Nothing arrives: the wait ends empty.
		ms, err := e.Messages.ReadWait(ctx, message.Filter{UserID: u.ID, RequestID: r.ID}, time.Second)
		if err != nil || len(ms) != 0 {
			t.Fatalf("empty wait: %v %v", ms, err)
		}
		// A message arriving during the wait is the answer.
		got := make(chan []message.Message, 1)
		go func() {
			ms, err := e.Messages.ReadWait(ctx, message.Filter{UserID: u.ID, RequestID: r.ID}, 30*time.Second)
			if err != nil {
				t.Error(err)
			}
			got <- ms
		}()
		time.Sleep(100 * time.Millisecond)
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: r.MDN, From: "22000", Text: "G-445566 is your Google verification code."}); err != nil {
			t.Fatal(err)
		}
		ms = <-got
		if len(ms) != 1 || ms[0].PIN != "G-445566" {
			t.Fatalf("long-poll answer %+v", ms)
		}
	})
}

// One batch mixing every case routes each message as Deliver would.
func TestDeliverBatchMixed(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, apptest.Seq("212", 3)...)
		u, _ := e.User(t, 100000)
		r := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550000"})
		rent, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30, MDN: "12125550001"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Messages.Deliver(ctx, message.Inbound{To: r.MDN, From: "1", Text: "old", Gateway: "sim", GatewayID: "stored"}); err != nil {
			t.Fatal(err)
		}
		batch := []message.Inbound{
			{To: r.MDN, From: "22000", Text: "G-111111 is your code", Gateway: "sim", GatewayID: "a"},
			{To: rent.MDN, From: "22000", Text: "G-222222 is your code", Gateway: "sim", GatewayID: "b"},
			{To: "12125550002", From: "22000", Text: "nobody's", Gateway: "sim", GatewayID: "c"},
			{To: "bad", From: "22000", Text: "invalid", Gateway: "sim"},
			{To: r.MDN, From: "22000", Text: "G-111111 is your code", Gateway: "sim", GatewayID: "a"},
			{To: r.MDN, From: "1", Text: "old", Gateway: "sim", GatewayID: "stored"},
			{To: r.MDN, From: "22000", Text: "second, no id", Gateway: "sim"},
		}
		res, err := e.Messages.DeliverBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case res[0].Err != nil || res[0].Message.RequestID != r.ID || res[0].Message.PIN != "G-111111":
			t.Fatalf("to the request: %+v", res[0])
		case res[1].Message.RentalID != rent.ID || res[1].Message.FirstID != rent.ID || res[1].Message.UserID != u.ID:
			t.Fatalf("to the rental: %+v", res[1])
		case !res[2].Unowned || res[2].Message.ID == 0:
			t.Fatalf("unowned: %+v", res[2])
		case !errors.Is(res[3].Err, message.ErrInvalid):
			t.Fatalf("invalid: %+v", res[3])
		case !res[4].Duplicate || res[4].Message.ID != res[0].Message.ID:
			t.Fatalf("repeat within the batch: %+v (first %d)", res[4], res[0].Message.ID)
		case !res[5].Duplicate || res[5].Message.ID == 0:
			t.Fatalf("repeat of a stored one: %+v", res[5])
		case res[6].Message.RequestID != r.ID || res[6].Message.ID <= res[2].Message.ID:
			t.Fatalf("second message: %+v", res[6])
		}
		got, _ := e.Requests.Get(ctx, u.ID, r.ID)
		if got.Messages != 3 || got.Status != request.StatusCompleted {
			t.Fatalf("request after the batch %+v", got)
		}
		ms, _ := e.Messages.Read(ctx, message.Filter{UserID: u.ID, RequestID: r.ID, Limit: 10})
		if len(ms) != 3 {
			t.Fatalf("%d messages stored for the request", len(ms))
		}
	})
}
