package message_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/gateway"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// scripted is a sending gateway whose answers a test controls: it waits for
// release (or its context), then accepts with id, unless it refuses.
type scripted struct {
	name    string
	release chan struct{}
	id      string
	sends   atomic.Int64
}

func (g *scripted) Name() string { return g.name }
func (g *scripted) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{Sending: true}
}
func (g *scripted) Activate(context.Context, string) (time.Duration, error) {
	return 0, gateway.ErrUnsupported
}
func (g *scripted) Forward(context.Context, string, string) error { return gateway.ErrUnsupported }
func (g *scripted) Send(ctx context.Context, m gateway.Outbound) (gateway.SendResult, error) {
	g.sends.Add(1)
	if g.release != nil {
		select {
		case <-g.release:
		case <-ctx.Done():
			return gateway.SendResult{}, ctx.Err()
		}
	}
	return gateway.SendResult{Accepted: true, GatewayID: g.id}, nil
}
func (g *scripted) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (g *scripted) Healthy() bool                 { return true }

// sendFixture gives a user an open request on a number of gw, which has
// received an SMS from 22000.
func sendFixture(t *testing.T, e *apptest.Env, gw gateway.Gateway) (userID int64, mdn string) {
	t.Helper()
	if err := e.Gateways.Add(gw); err != nil {
		t.Fatal(err)
	}
	svc := e.Service(t, "Google", 100, time.Hour)
	if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550000", Gateway: gw.Name()}}); err != nil {
		t.Fatal(err)
	}
	u, _ := e.User(t, 1000)
	r := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
	if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: gw.Name(), To: r.MDN, From: "22000", Text: "G-123456 is your code"}); err != nil {
		t.Fatal(err)
	}
	return u.ID, r.MDN
}

// A client that hangs up while the gateway is slow does not cancel the send:
// the message is settled as the gateway answers, charged once.
func TestSendOutlivesTheCaller(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		gw := &scripted{name: "slow", release: make(chan struct{}), id: "s-1"}
		uid, mdn := sendFixture(t, e, gw)
		caller, hangUp := context.WithCancel(ctx)
		done := make(chan error, 1)
		var m message.Message
		go func() {
			var err error
			m, err = e.Messages.Send(caller, message.SendAsk{UserID: uid, MDN: mdn, Text: "hi"})
			done <- err
		}()
		for gw.sends.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		hangUp()
		time.Sleep(20 * time.Millisecond) // the hang-up reaches nothing
		close(gw.release)
		if err := <-done; err != nil {
			t.Fatalf("send after the caller hung up: %v", err)
		}
		if st, _ := e.Messages.OutboundStatus(ctx, m.ID); st != "accepted" {
			t.Fatalf("status %q", st)
		}
		if b := e.Balance(t, uid); b != 1000-100-message.SendFee {
			t.Fatalf("balance %d", b)
		}
		e.CheckLedger(t)
	})
}

// A gateway that never answers: the send gives up at its deadline, refunded;
// the reconciliation of a message left 'sending' by a crash refunds it once
// its deadline is past, and never touches a settled one.
func TestSendDeadlineAndReconciliation(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		gw := &scripted{name: "hung", release: make(chan struct{}), id: "h-1"}
		uid, mdn := sendFixture(t, e, gw)
		e.Messages.SetSendTimeout(50 * time.Millisecond)
		if _, err := e.Messages.Send(ctx, message.SendAsk{UserID: uid, MDN: mdn, Text: "hi"}); !errors.Is(err, message.ErrNotAccepted) {
			t.Fatalf("hung gateway: %v", err)
		}
		if b := e.Balance(t, uid); b != 900 {
			t.Fatalf("balance after a hung send %d", b)
		}

		// A crash between the charge and the gateway's answer leaves the
		// message 'sending' with its job: as the job would, reconcile it.
		var id int64
		err := e.DB.W.QueryRowContext(ctx, `SELECT id FROM messages WHERE kind = 'outbound' ORDER BY id DESC LIMIT 1`).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		crashed := id + 1000
		if _, err := e.DB.W.ExecContext(ctx, `INSERT INTO messages (id, user_id, kind, mdn, sender, recipient, body, price_cents, received_at, gateway, status, send_deadline)
			VALUES ($1, $2, 'outbound', $3, $3, '22000', 'lost', 10, $4, 'hung', 'sending', $5)`,
			crashed, uid, mdn, e.Clock.Now().Unix(), e.Clock.Now().Add(message.SendTimeout).Unix()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Accounts.Credit(ctx, uid, -message.SendFee, "SMS charge of the crashed send"); err != nil {
			t.Fatal(err)
		}
		retry, err := e.Messages.ReconcileOutbound(ctx, crashed)
		if err != nil || retry.IsZero() {
			t.Fatalf("before its deadline: %v %v", retry, err)
		}
		if st, _ := e.Messages.OutboundStatus(ctx, crashed); st != "sending" {
			t.Fatalf("reconciled early: %q", st)
		}
		e.Clock.Advance(time.Minute + message.SendTimeout)
		if retry, err := e.Messages.ReconcileOutbound(ctx, crashed); err != nil || !retry.IsZero() {
			t.Fatalf("past its deadline: %v %v", retry, err)
		}
		if st, _ := e.Messages.OutboundStatus(ctx, crashed); st != "refused" {
			t.Fatalf("after reconciliation: %q", st)
		}
		if b := e.Balance(t, uid); b != 900 {
			t.Fatalf("balance after reconciliation %d", b)
		}
		// Again: nothing more.
		if _, err := e.Messages.ReconcileOutbound(ctx, crashed); err != nil {
			t.Fatal(err)
		}
		if b := e.Balance(t, uid); b != 900 {
			t.Fatalf("refunded twice: %d", b)
		}
		// Every send has its durable reconciliation job.
		var jobs int
		if err := e.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'outbound_check'`).Scan(&jobs); err != nil || jobs != 1 {
			t.Fatalf("%d reconciliation jobs (%v), want 1 for the one send", jobs, err)
		}
		e.CheckLedger(t)
	})
}

// A gateway that answers every message with the same id: each send is its
// own message, charged once; a receipt for that id updates them.
func TestSendRepeatedGatewayID(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		gw := &scripted{name: "lazy", id: "same"}
		uid, mdn := sendFixture(t, e, gw)
		var ids []int64
		for range 3 {
			m, err := e.Messages.Send(ctx, message.SendAsk{UserID: uid, MDN: mdn, Text: "hi"})
			if err != nil {
				t.Fatalf("send with a repeated gateway id: %v", err)
			}
			ids = append(ids, m.ID)
		}
		if ids[0] == ids[1] || ids[1] == ids[2] {
			t.Fatalf("ids %v", ids)
		}
		if b := e.Balance(t, uid); b != 900-3*message.SendFee {
			t.Fatalf("balance %d", b)
		}
		if ok, err := e.Messages.RecordReceipt(ctx, "lazy", "same", gateway.ReceiptDelivered); err != nil || !ok {
			t.Fatalf("receipt %v %v", ok, err)
		}
		for _, id := range ids {
			if st, _ := e.Messages.OutboundStatus(ctx, id); st != gateway.ReceiptDelivered {
				t.Fatalf("message %d: %q", id, st)
			}
		}
		e.CheckLedger(t)
	})
}
