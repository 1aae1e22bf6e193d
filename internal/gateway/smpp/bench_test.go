package smpp_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/pdu"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/gateway/smpp"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// TestInboundThroughput (MDNHUB_BENCH=1; MDNHUB_BENCH_N and
// MDNHUB_BENCH_WINDOW tune it) measures, in one run, how fast the node
// SMSC can deliver to a null receiver that answers every deliver_sm at
// once without storing anything, and how fast SMS flow through the gateway
// into committed messages on SQLite and PostgreSQL, with the same window
// of unanswered PDUs. The target is at least half the null receiver's rate.
func TestInboundThroughput(t *testing.T) {
	if os.Getenv("MDNHUB_BENCH") == "" {
		t.Skip("set MDNHUB_BENCH=1 to measure inbound throughput")
	}
	n := envInt("MDNHUB_BENCH_N", 20000)
	window := envInt("MDNHUB_BENCH_WINDOW", 1000)
	numbers := apptest.Seq("646", envInt("MDNHUB_BENCH_NUMBERS", 20))
	needNode(t)

	flood := func(p *peer, id string) float64 {
		t.Helper()
		p.send(map[string]any{"cmd": "flood", "id": id, "n": n, "from": sender, "to": numbers, "prefix": "Bench " + id, "window": window})
		ev := p.expect(5*time.Minute, func(e event) bool { return e["event"] == "flood_done" && e.str("id") == id })
		if ev.num("failed") != 0 {
			t.Fatalf("%s: %d refused", id, ev.num("failed"))
		}
		f, _ := ev["ms"].(float64)
		return float64(n) / (f / 1000)
	}

	p := nodeSMSC(t, 0)
	nullReceiver(t, p.addr())
	p.expect(10*time.Second, func(e event) bool { return e["event"] == "bound" })
	base := flood(p, "null")
	t.Logf("null receiver:      %8.0f msgs/s (%d SMS, window %d)", base, n, window)

	// The gateway's own cost: everything but the database.
	p = nodeSMSC(t, 0)
	cfg, _ := smpp.FromSettings(gwName, map[string]string{"addr": p.addr()})
	g := smpp.New(cfg, nullStore{}, slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Run(ctx) }()
	p.expect(10*time.Second, func(e event) bool { return e["event"] == "bound" })
	rate := flood(p, "nostore")
	cancel()
	<-done
	t.Logf("gateway, no store:  %8.0f msgs/s = %.0f%% of the null receiver", rate, 100*rate/base)

	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			p := nodeSMSC(t, 0)
			r := newRig(t, driver, p.addr(), nil)
			holdNumbers(t, r.Env, numbers)
			p.expect(10*time.Second, func(e event) bool { return e["event"] == "bound" })
			r.waitBound(t, 5*time.Second)
			rate := flood(p, driver)
			if got := len(r.messages(t)); got != n {
				t.Fatalf("%d of %d stored", got, n)
			}
			t.Logf("gateway on %-8s %8.0f msgs/s committed = %.0f%% of the null receiver (%d numbers)", driver+":", rate, 100*rate/base, len(numbers))
		})
	}
}

// nullReceiver binds an ESME, written with gosmpp, that answers every
// deliver_sm at once and keeps nothing: the SMSC's ceiling.
func nullReceiver(t *testing.T, addr string) {
	t.Helper()
	s, err := gosmpp.NewSession(gosmpp.TRXConnector(gosmpp.NonTLSDialer, gosmpp.Auth{SMSC: addr, SystemID: "null"}),
		gosmpp.Settings{
			ReadTimeout: time.Minute,
			OnAllPDU: func(p pdu.PDU) (pdu.PDU, bool) {
				if p.CanResponse() {
					return p.GetResponse(), false
				}
				return nil, false
			},
		}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
}

// holdNumbers puts mdns on the gateway, each held by an open request, so
// that inbound SMS spread over numbers and owners as on a real link.
func holdNumbers(t *testing.T, e *apptest.Env, mdns []string) {
	t.Helper()
	ctx := context.Background()
	items := make([]inventory.Import, len(mdns))
	for i, m := range mdns {
		items[i] = inventory.Import{MDN: m, Carrier: "TMobile", Gateway: gwName}
	}
	if _, err := e.Inventory.Put(ctx, items); err != nil {
		t.Fatal(err)
	}
	svc := e.Service(t, "Bench", 100, 0)
	var user int64
	for i, m := range mdns {
		if i%10 == 0 {
			u, _ := e.User(t, 100000)
			user = u.ID
		}
		if _, err := e.Requests.Create(ctx, request.Ask{UserID: user, Services: []catalog.Service{svc}, MDN: m}); err != nil {
			t.Fatal(err)
		}
	}
}

// nullStore takes every SMS and stores nothing.
type nullStore struct{}

func (nullStore) DeliverBatch(_ context.Context, ins []message.Inbound) ([]message.Result, error) {
	return make([]message.Result, len(ins)), nil
}

func (nullStore) RecordReceipt(context.Context, string, string, string) (bool, error) {
	return false, nil
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}
