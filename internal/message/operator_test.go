package message_test

import (
	"slices"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/message"
)

// Unowned SMS for the operator, newest first and paged; the last hour's
// inbound SMS per minute.
func TestUnownedAndPerMinute(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Numbers(t, "12125550000")
		in := func(to, text string, at time.Time) {
			t.Helper()
			if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: to, From: "22000", Text: text, ReceivedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		start := e.Clock.Now()
		in("12125550000", "one", start.Add(-90*time.Minute)) // before the hour
		e.Clock.Advance(10 * time.Second)
		in("12125550000", "two", time.Time{})
		in("19175550000", "three: not ours", time.Time{}) // a number not in the inventory
		e.Clock.Advance(3 * time.Minute)
		in("12125550000", "four", time.Time{})

		var texts []string
		var at, id int64
		for range 3 {
			page, err := e.Messages.Unowned(ctx, at, id, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page {
				texts = append(texts, m.Text)
				if m.Gateway != "sim" || m.From != "22000" {
					t.Fatalf("message %+v", m)
				}
			}
			if len(page) == 0 {
				break
			}
			at, id = page[len(page)-1].ReceivedAt, page[len(page)-1].ID
		}
		if want := []string{"four", "three: not ours", "two", "one"}; !slices.Equal(texts, want) {
			t.Fatalf("unowned %q, want %q", texts, want)
		}

		counts, err := e.Messages.InboundPerMinute(ctx, 60)
		if err != nil || len(counts) != 60 {
			t.Fatalf("counts %v, %v", counts, err)
		}
		// now is start+3m10s: "four" in the last minute, "two" and "three"
		// three minutes earlier (whatever second of its minute start is).
		want := make([]int64, 60)
		want[59] = 1
		nowMin, thenMin := e.Clock.Now().Unix()/60, (start.Unix()+10)/60
		want[59-(nowMin-thenMin)] += 2
		if !slices.Equal(counts, want) {
			t.Fatalf("per minute %v, want %v", counts, want)
		}
	})
}
