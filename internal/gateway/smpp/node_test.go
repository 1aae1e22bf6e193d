package smpp_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/gateway"
	"mdnhub/internal/gateway/smpp"
	"mdnhub/internal/message"
)

// nodeSMSC runs the node-smpp SMSC on port (0: any).
func nodeSMSC(t testing.TB, port int) *peer {
	t.Helper()
	needNode(t)
	return startPeer(t, "node", "testdata/node/smsc.js", strconv.Itoa(port))
}

func udh8(ref, total, seq int) string  { return fmt.Sprintf("050003%02x%02x%02x", ref, total, seq) }
func udh16(ref, total, seq int) string { return fmt.Sprintf("060804%04x%02x%02x", ref, total, seq) }

func sms(text string) map[string]any {
	return map[string]any{"source_addr": sender, "destination_addr": mdn, "short_message": text}
}

func smsUDH(udh, text string) map[string]any {
	return map[string]any{"source_addr": sender, "destination_addr": mdn,
		"short_message": map[string]any{"udh_hex": udh, "message": text}}
}

func smsSAR(ref, total, seq int, text string) map[string]any {
	m := sms(text)
	m["sar_msg_ref_num"], m["sar_total_segments"], m["sar_segment_seqnum"] = ref, total, seq
	return m
}

// TestNodeSMSC runs the gateway against an SMSC written with node-smpp:
// inbound SMS in its encodings and both concatenation schemes, outbound SMS
// with receipts, refusals, and the SMSC restarting under the gateway.
func TestNodeSMSC(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			port := freePort(t)
			p := nodeSMSC(t, port)
			r := newRig(t, driver, p.addr(), nil)
			p.expect(10*time.Second, func(e event) bool { return e["event"] == "bound" && e.str("type") == "bind_transceiver" })
			r.waitBound(t, 5*time.Second)

			nodeInbound(t, p, r)
			nodeOutbound(t, p, r)

			// The SMSC dies and comes back on the same port: the gateway binds
			// again by itself and SMS flow again.
			p.kill()
			for r.g.Healthy() {
				time.Sleep(10 * time.Millisecond)
			}
			p = nodeSMSC(t, port)
			p.expect(10*time.Second, func(e event) bool { return e["event"] == "bound" })
			r.waitBound(t, 5*time.Second)
			p.send(map[string]any{"cmd": "deliver", "id": "after", "pdus": []any{sms("Back again: code 777888")}})
			if ev := p.expect(10*time.Second, func(e event) bool { return e.str("id") == "after" }); ev.num("status") != 0 {
				t.Fatalf("after restart: status %v", ev["status"])
			}
			if ms := r.messages(t); ms[len(ms)-1].Body != "Back again: code 777888" {
				t.Fatalf("after restart: %+v", ms[len(ms)-1])
			}
		})
	}
}

func nodeInbound(t *testing.T, p *peer, r *rig) {
	long := strings.Repeat("Long payload text. ", 20)
	p.send(map[string]any{"cmd": "deliver", "id": "in", "pdus": []any{
		// Single SMS: node-smpp picks GSM septets (as data_coding 1), Latin-1, UCS-2.
		sms("G-804036 is your Google verification code. @home €5 [ok]"),
		sms("Código: 5566 ç"),
		sms("Ваш код 4321 😀"),
		// Three parts by 8-bit UDH, out of order, one part twice.
		smsUDH(udh8(0x42, 3, 3), " three"),
		smsUDH(udh8(0x42, 3, 1), "one €"),
		smsUDH(udh8(0x42, 3, 3), " three"),
		smsUDH(udh8(0x42, 3, 2), " two"),
		// Two UCS-2 parts by 16-bit UDH.
		smsUDH(udh16(0x1234, 2, 2), " мир 👍"),
		smsUDH(udh16(0x1234, 2, 1), "Привет,"),
		// Two parts by SAR TLVs.
		smsSAR(77, 2, 1, "Your Uber code: "),
		smsSAR(77, 2, 2, "9911"),
		// A long SMS in the message_payload TLV.
		map[string]any{"source_addr": sender, "destination_addr": mdn, "message_payload": long},
		// Not for a US number: refused for good.
		map[string]any{"source_addr": sender, "destination_addr": "123", "short_message": "lost"},
		// A receipt for nothing we sent: answered, not stored.
		map[string]any{"source_addr": sender, "destination_addr": mdn, "esm_class": 4, "receipted_message_id": "nope",
			"message_state": 2, "short_message": "id:nope stat:DELIVRD"},
		// The SMSC delivers the first SMS again (say, our response was lost).
		sms("G-804036 is your Google verification code. @home €5 [ok]"),
	}})
	resps := p.collect(10*time.Second, 15, func(e event) bool { return e.str("id") == "in" })
	sort.Slice(resps, func(i, j int) bool { return resps[i].num("i") < resps[j].num("i") })
	for _, e := range resps {
		want := 0
		if e.num("i") == 12 {
			want = int(smpp.StatusRefuse)
		}
		if e.num("status") != want {
			t.Errorf("deliver_sm %d: status %#x, want %#x", e.num("i"), e.num("status"), want)
		}
	}
	want := []string{
		"G-804036 is your Google verification code. @home €5 [ok]",
		"Código: 5566 ç",
		"Ваш код 4321 😀",
		"one € two three",
		"Привет, мир 👍",
		"Your Uber code: 9911",
		long,
	}
	got := r.messages(t)
	if len(got) != len(want) {
		t.Fatalf("stored %d messages, want %d: %+v", len(got), len(want), got)
	}
	for i, m := range got {
		if m.Body != want[i] || m.Sender != sender || m.UserID != r.user || !strings.HasPrefix(m.GatewayID, "fp:") {
			t.Errorf("message %d: %+v, want %q", i, m, want[i])
		}
	}
	ms, err := r.Messages.Read(context.Background(), message.Filter{UserID: r.user, RequestID: r.req.ID, Limit: 10})
	if err != nil || len(ms) != len(want) || ms[len(ms)-1].PIN != "G-804036" {
		t.Fatalf("read_sms: %v %+v", err, ms)
	}
}

func nodeOutbound(t *testing.T, p *peer, r *rig) {
	ctx := context.Background()
	m, err := r.Messages.Send(ctx, message.SendAsk{UserID: r.user, MDN: mdn, To: sender, Text: "Thanks! Got it @ 5€"})
	if err != nil {
		t.Fatal(err)
	}
	sub := p.expect(10*time.Second, func(e event) bool { return e["event"] == "submit_sm" })
	if sub.str("text") != "Thanks! Got it @ 5€" || sub.num("data_coding") != 0 || sub.str("source_addr") != mdn ||
		sub.str("destination_addr") != sender || sub.num("registered_delivery") != 1 || sub.num("source_addr_ton") != 1 {
		t.Fatalf("submit_sm %v", sub)
	}
	if rc := p.expect(10*time.Second, func(e event) bool { return e["event"] == "receipt_resp" }); rc.num("status") != 0 {
		t.Fatalf("receipt answered %v", rc)
	}
	waitStatus(t, r, m.ID, gateway.ReceiptDelivered)

	// A long UCS-2 text goes as two concatenated parts.
	text := strings.Repeat("я", 90) + " 😀"
	m, err = r.Messages.Send(ctx, message.SendAsk{UserID: r.user, MDN: mdn, To: "+1 (555) 000-1111", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	parts := p.collect(10*time.Second, 2, func(e event) bool { return e["event"] == "submit_sm" })
	joined := ""
	for i, e := range parts {
		if e.num("data_coding") != 8 || e.num("esm_class")&0x40 == 0 || !strings.HasPrefix(e.str("udh_hex"), "000302") ||
			!strings.HasSuffix(e.str("udh_hex"), fmt.Sprintf("02%02x", i+1)) {
			t.Fatalf("part %d: %v", i, e)
		}
		joined += e.str("text")
	}
	if joined != text || parts[0].str("destination_addr") != sender {
		t.Fatalf("parts join to %q", joined)
	}
	p.collect(10*time.Second, 2, func(e event) bool { return e["event"] == "receipt_resp" })
	waitStatus(t, r, m.ID, gateway.ReceiptDelivered)

	// Refused by the SMSC: a result with a reason, not an error.
	res, err := r.g.Send(ctx, gateway.Outbound{ID: 99, From: mdn, To: "19995550000", Text: "hi"})
	if err != nil || res.Accepted || !strings.Contains(res.Reason, "0x0000000B") {
		t.Fatalf("refusal: %+v %v", res, err)
	}
	p.expect(10*time.Second, func(e event) bool { return e["event"] == "submit_sm" })
}

func waitStatus(t *testing.T, r *rig, id int64, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := r.Messages.OutboundStatus(context.Background(), id)
		if err == nil && st == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbound %d: status %q (%v), want %q", id, st, err, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNodeSMSCSplitBinds binds a receiver and a transmitter instead of a
// transceiver: SMS come in on one, go out on the other, and the receipt
// comes back on the receiver.
func TestNodeSMSCSplitBinds(t *testing.T) {
	p := nodeSMSC(t, 0)
	r := newRig(t, "sqlite", p.addr(), map[string]string{"bind": "receiver+transmitter"})
	p.expect(10*time.Second, func(e event) bool { return e.str("type") == "bind_receiver" })
	p.expect(10*time.Second, func(e event) bool { return e.str("type") == "bind_transmitter" })
	r.waitBound(t, 5*time.Second)
	p.send(map[string]any{"cmd": "deliver", "id": "rx", "pdus": []any{sms("Split code 4242")}})
	if ev := p.expect(10*time.Second, func(e event) bool { return e.str("id") == "rx" }); ev.num("status") != 0 {
		t.Fatalf("status %v", ev["status"])
	}
	m, err := r.Messages.Send(context.Background(), message.SendAsk{UserID: r.user, MDN: mdn, To: sender, Text: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	p.expect(10*time.Second, func(e event) bool { return e["event"] == "submit_sm" && e.str("text") == "ok" })
	waitStatus(t, r, m.ID, gateway.ReceiptDelivered)
}
