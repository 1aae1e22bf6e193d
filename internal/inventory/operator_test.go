package inventory_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/request"
)

// The operator's number list: by digits, gateway, US state and status,
// paged by MDN; and the totals per gateway.
func TestFindAndCountByGateway(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		_, err := e.Inventory.Put(ctx, []inventory.Import{
			{MDN: "12125550100", Gateway: "smsc1"},
			{MDN: "12125550101", Gateway: "smsc1"},
			{MDN: "13105550102", Gateway: "android"},
			{MDN: "13105550103"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Inventory.SetEnabled(ctx, "13105550102", false); err != nil {
			t.Fatal(err)
		}
		if err := e.Inventory.SetOnline(ctx, "12125550101", false); err != nil {
			t.Fatal(err)
		}
		svc := e.Service(t, "Google", 100, 0)
		u, _ := e.User(t, 1000)
		r, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "13105550103"})
		if err != nil || r[0].MDN != "13105550103" {
			t.Fatalf("request %+v, %v", r, err)
		}
		mdns := func(q inventory.Search) []string {
			t.Helper()
			ns, err := e.Inventory.Find(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range ns {
				out = append(out, n.MDN)
			}
			return out
		}
		all := []string{"12125550100", "12125550101", "13105550102", "13105550103"}
		for _, c := range []struct {
			q    inventory.Search
			want []string
		}{
			{inventory.Search{}, all},
			{inventory.Search{Digits: "(212) 555"}, all[:2]},
			{inventory.Search{Digits: "0103"}, all[3:]},
			{inventory.Search{Gateway: "smsc1"}, all[:2]},
			{inventory.Search{Gateway: "sim"}, all[3:]},
			{inventory.Search{State: "ca"}, all[2:]},
			{inventory.Search{Status: inventory.FilterDisabled}, all[2:3]},
			{inventory.Search{Status: inventory.FilterEnabled}, []string{all[0], all[1], all[3]}},
			{inventory.Search{Status: inventory.FilterOffline}, all[1:2]},
			{inventory.Search{Status: inventory.FilterOnline}, []string{all[0], all[2], all[3]}},
			{inventory.Search{Status: inventory.FilterHeld}, all[3:]},
			{inventory.Search{Status: inventory.FilterFree}, all[:3]},
			{inventory.Search{Limit: 2}, all[:2]},
			{inventory.Search{After: all[1], Limit: 2}, all[2:]},
			{inventory.Search{After: all[3]}, nil},
		} {
			if got := mdns(c.q); !slices.Equal(got, c.want) {
				t.Errorf("Find(%+v) = %v, want %v", c.q, got, c.want)
			}
		}
		for _, bad := range []inventory.Search{{Digits: "abc"}, {Status: "asleep"}} {
			if _, err := e.Inventory.Find(ctx, bad); !errors.Is(err, inventory.ErrInvalid) {
				t.Errorf("Find(%+v): %v", bad, err)
			}
		}
		counts, err := e.Inventory.CountByGateway(ctx)
		want := []inventory.GatewayCount{
			{Gateway: "android", Total: 1},
			{Gateway: "sim", Total: 1, Enabled: 1, Online: 1, Held: 1},
			{Gateway: "smsc1", Total: 2, Enabled: 2, Online: 1},
		}
		if err != nil || !slices.Equal(counts, want) {
			t.Fatalf("counts %+v, %v", counts, err)
		}
	})
}
