package message_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/gateway"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// refusing is a gateway that refuses every outbound message.
type refusing struct{}

func (refusing) Name() string { return "refusing" }
func (refusing) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{Sending: true}
}
func (refusing) Activate(context.Context, string) (time.Duration, error) {
	return 0, gateway.ErrUnsupported
}
func (refusing) Forward(context.Context, string, string) error { return gateway.ErrUnsupported }
func (refusing) Send(context.Context, gateway.Outbound) (gateway.SendResult, error) {
	return gateway.SendResult{Reason: "no credit on the SIM"}, nil
}
func (refusing) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (refusing) Healthy() bool                 { return true }

func TestSendSMS(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 2*time.Hour)
		e.Numbers(t, "12125550000", "12125550001")
		if err := e.Gateways.Add(refusing{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550002", Gateway: "refusing"}, {MDN: "12125550003", Gateway: "lab"}}); err != nil {
			t.Fatal(err)
		}
		u, _ := e.User(t, 1000)
		other, _ := e.User(t, 1000)
		r := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550000"})
		send := func(a message.SendAsk) error {
			a.UserID = u.ID
			_, err := e.Messages.Send(ctx, a)
			return err
		}
		if err := send(message.SendAsk{MDN: r.MDN, To: "22000", Text: "hi"}); !errors.Is(err, message.ErrNoRecentSMS) {
			t.Fatalf("before any SMS: %v", err)
		}
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: r.MDN, From: "+1 (415) 555-0100", Text: "code 1234"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: r.MDN, From: "14155550100", Text: "code 1234"}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			ask  message.SendAsk
			want error
		}{
			{message.SendAsk{MDN: r.MDN, To: "14155550199", Text: "hi"}, message.ErrNoRecentSMS},
			{message.SendAsk{MDN: r.MDN, To: "14155550100", Text: strings.Repeat("x", 161)}, message.ErrTooLong},
			{message.SendAsk{MDN: r.MDN, To: "14155550100", Text: ""}, message.ErrEmptyText},
			{message.SendAsk{MDN: "12125550001", To: "14155550100", Text: "hi"}, message.ErrNotHolder},
			{message.SendAsk{RequestID: r.ID + 99, To: "14155550100", Text: "hi"}, message.ErrRequestClosed},
		}
		for _, c := range cases {
			if err := send(c.ask); !errors.Is(err, c.want) {
				t.Errorf("%+v: got %v, want %v", c.ask, err, c.want)
			}
		}
		if e.Balance(t, u.ID) != 900 {
			t.Fatalf("a failed send was charged: %d", e.Balance(t, u.ID))
		}
		// Accepted: 0.10 charged; 160 characters is the limit; the request id
		// may stand for the number; "4155550100" matches the sender "14155550100".
		if err := send(message.SendAsk{RequestID: r.ID, To: "4155550100", Text: strings.Repeat("é", 160)}); err != nil {
			t.Fatal(err)
		}
		if e.Balance(t, u.ID) != 890 {
			t.Fatalf("fee not charged: %d", e.Balance(t, u.ID))
		}
		// Another user cannot send from it.
		if _, err := e.Messages.Send(ctx, message.SendAsk{UserID: other.ID, MDN: r.MDN, To: "14155550100", Text: "hi"}); !errors.Is(err, message.ErrNotHolder) {
			t.Fatalf("foreign sender: %v", err)
		}
		// Refused by the gateway: an error, and no charge in the end.
		rr := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550002"})
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "refusing", To: rr.MDN, From: "14155550100", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		before := e.Balance(t, u.ID)
		if err := send(message.SendAsk{MDN: rr.MDN, To: "14155550100", Text: "hi"}); !errors.Is(err, message.ErrNotAccepted) {
			t.Fatalf("refused: %v", err)
		}
		if e.Balance(t, u.ID) != before {
			t.Fatalf("refused message cost %d", before-e.Balance(t, u.ID))
		}
		// A gateway that cannot send at all.
		rl := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550003"})
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "lab", To: rl.MDN, From: "14155550100", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		if err := send(message.SendAsk{MDN: rl.MDN, To: "14155550100", Text: "hi"}); !errors.Is(err, message.ErrCannotSend) {
			t.Fatalf("no sending gateway: %v", err)
		}
		// Thirty minutes after the last SMS the window has closed.
		e.Clock.Advance(message.ReplyWindow + time.Second)
		if err := send(message.SendAsk{MDN: r.MDN, To: "14155550100", Text: "late"}); !errors.Is(err, message.ErrNoRecentSMS) {
			t.Fatalf("after the window: %v", err)
		}
		e.CheckLedger(t)
	})
}

func TestSendFromParkedRental(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		u, _ := e.User(t, 10000)
		r, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: r.MDN, From: "14155550100", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Messages.Send(ctx, message.SendAsk{UserID: u.ID, MDN: r.MDN, To: "14155550100", Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		if err := e.Rentals.Park(ctx, r.NumberID, apptest.Start.Add(e.Config.Rentals.OnlineWindow)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Messages.Send(ctx, message.SendAsk{UserID: u.ID, MDN: r.MDN, To: "14155550100", Text: "hi"}); !errors.Is(err, message.ErrOffline) {
			t.Fatalf("parked: %v", err)
		}
	})
}

func TestReceipts(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		u, _ := e.User(t, 1000)
		r := first(t, e, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: r.MDN, From: "22000", Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		m, err := e.Messages.Send(ctx, message.SendAsk{UserID: u.ID, MDN: r.MDN, To: "22000", Text: "STOP"})
		if err != nil {
			t.Fatal(err)
		}
		if st, _ := e.Messages.OutboundStatus(ctx, m.ID); st != "accepted" {
			t.Fatalf("status %q", st)
		}
		// The simulator's id for it is sim-out-<id>.
		ok, err := e.Messages.RecordReceipt(ctx, "sim", "sim-out-"+strconv.FormatInt(m.ID, 10), gateway.ReceiptDelivered)
		if err != nil || !ok {
			t.Fatalf("receipt: %v %v", ok, err)
		}
		if st, _ := e.Messages.OutboundStatus(ctx, m.ID); st != gateway.ReceiptDelivered {
			t.Fatalf("status after receipt %q", st)
		}
		if ok, _ := e.Messages.RecordReceipt(ctx, "sim", "nope", gateway.ReceiptFailed); ok {
			t.Fatal("unknown receipt matched")
		}
		// Outbound messages never show in read_sms.
		ms, _ := e.Messages.Read(ctx, message.Filter{UserID: u.ID, Limit: 10})
		if len(ms) != 1 {
			t.Fatalf("read_sms shows %d messages", len(ms))
		}
	})
}
