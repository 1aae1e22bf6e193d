package smpp_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/gateway"
	"mdnhub/internal/gateway/smpp"
	"mdnhub/internal/message"
)

// fakeStore is a smpp.Deliverer that can fail, and remembers what it stored.
type fakeStore struct {
	mu     sync.Mutex
	fail   int // fail this many DeliverBatch calls first
	stored []message.Inbound
}

func (f *fakeStore) DeliverBatch(_ context.Context, ins []message.Inbound) ([]message.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return nil, errors.New("database is down")
	}
	f.stored = append(f.stored, ins...)
	return make([]message.Result, len(ins)), nil
}

func (f *fakeStore) RecordReceipt(context.Context, string, string, string) (bool, error) {
	return false, nil
}

func (f *fakeStore) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, in := range f.stored {
		out = append(out, in.Text)
	}
	return out
}

// fakeRig runs the gateway with a fake store against the node SMSC.
func fakeRig(t *testing.T, store smpp.Deliverer, settings map[string]string) (*peer, *smpp.Gateway) {
	t.Helper()
	p := nodeSMSC(t, 0)
	kv := map[string]string{"addr": p.addr(), "reconnect_min": "50ms", "reconnect_max": "200ms"}
	for k, v := range settings {
		kv[k] = v
	}
	cfg, err := smpp.FromSettings(gwName, kv)
	if err != nil {
		t.Fatal(err)
	}
	g := smpp.New(cfg, store, slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	p.expect(10*time.Second, func(e event) bool { return e["event"] == "bound" })
	return p, g
}

func respStatus(t *testing.T, p *peer, id string, i int) int {
	t.Helper()
	return p.expect(5*time.Second, func(e event) bool { return e.str("id") == id && e.num("i") == i }).num("status")
}

func TestDatabaseFailureAsksForRetry(t *testing.T) {
	store := &fakeStore{fail: 1}
	p, _ := fakeRig(t, store, nil)
	p.send(map[string]any{"cmd": "deliver", "id": "a", "pdus": []any{sms("code 1")}})
	if st := respStatus(t, p, "a", 0); st != int(smpp.StatusRetry) {
		t.Fatalf("status %#x, want ESME_RX_T_APPN", st)
	}
	p.send(map[string]any{"cmd": "deliver", "id": "b", "pdus": []any{sms("code 1")}})
	if st := respStatus(t, p, "b", 0); st != 0 {
		t.Fatalf("retry: status %#x", st)
	}
	if got := store.texts(); len(got) != 1 || got[0] != "code 1" {
		t.Fatalf("stored %q", got)
	}
}

func TestPartsAnsweredOnlyWithTheWhole(t *testing.T) {
	store := &fakeStore{}
	p, _ := fakeRig(t, store, map[string]string{"part_hold": "0", "concat_timeout": "300ms"})
	// Part 1 of 2 waits for part 2: no response meanwhile.
	p.send(map[string]any{"cmd": "deliver", "id": "a", "pdus": []any{smsUDH(udh8(5, 2, 1), "first ")}})
	time.Sleep(100 * time.Millisecond)
	p.mu.Lock()
	for _, e := range p.events {
		if e.str("id") == "a" {
			t.Fatal("a part was answered before its SMS was stored")
		}
	}
	p.mu.Unlock()
	p.send(map[string]any{"cmd": "deliver", "id": "b", "pdus": []any{smsUDH(udh8(5, 2, 2), "second")}})
	if respStatus(t, p, "a", 0) != 0 || respStatus(t, p, "b", 0) != 0 {
		t.Fatal("parts refused")
	}
	if got := store.texts(); len(got) != 1 || got[0] != "first second" {
		t.Fatalf("stored %q", got)
	}
	// A part whose sibling never comes is refused for now after
	// concat_timeout, so that the SMSC offers it again later.
	p.send(map[string]any{"cmd": "deliver", "id": "c", "pdus": []any{smsUDH(udh8(6, 2, 1), "orphan")}})
	if st := respStatus(t, p, "c", 0); st != int(smpp.StatusRetry) {
		t.Fatalf("orphan part: status %#x", st)
	}
}

func TestPartHoldReleasesParts(t *testing.T) {
	store := &fakeStore{}
	p, _ := fakeRig(t, store, map[string]string{"part_hold": "100ms"})
	// An SMSC that waits for each response before the next part still
	// gets its message through: part 1 is answered after part_hold.
	p.send(map[string]any{"cmd": "deliver", "id": "a", "pdus": []any{smsUDH(udh8(7, 2, 1), "slow ")}})
	if st := respStatus(t, p, "a", 0); st != 0 {
		t.Fatalf("held part: status %#x", st)
	}
	p.send(map[string]any{"cmd": "deliver", "id": "b", "pdus": []any{smsUDH(udh8(7, 2, 2), "smsc")}})
	if st := respStatus(t, p, "b", 0); st != 0 {
		t.Fatalf("last part: status %#x", st)
	}
	if got := store.texts(); len(got) != 1 || got[0] != "slow smsc" {
		t.Fatalf("stored %q", got)
	}
}

func TestSendWhenNotBound(t *testing.T) {
	cfg, _ := smpp.FromSettings(gwName, map[string]string{"addr": "127.0.0.1:1"})
	g := smpp.New(cfg, &fakeStore{}, nil, nil)
	if g.Healthy() {
		t.Fatal("healthy before Run")
	}
	if _, err := g.Send(context.Background(), gateway.Outbound{From: mdn, To: sender, Text: "x"}); !errors.Is(err, smpp.ErrNotBound) {
		t.Fatalf("got %v", err)
	}
	if _, err := g.Activate(context.Background(), mdn); !errors.Is(err, gateway.ErrUnsupported) {
		t.Fatal("Activate must be unsupported")
	}
	if err := g.Forward(context.Background(), mdn, sender); !errors.Is(err, gateway.ErrUnsupported) {
		t.Fatal("Forward must be unsupported")
	}
	if !g.Capabilities().Sending || g.Name() != gwName {
		t.Fatal("capabilities")
	}
}
