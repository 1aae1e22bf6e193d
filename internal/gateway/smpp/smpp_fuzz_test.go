package smpp

// Fuzz targets of what an SMSC can make this gateway decode: PDUs off the
// wire (gosmpp's parser, then the same dispatch and reassembly as the
// link's read loop and collector), the reassembly of concatenated parts,
// and the text codings both ways. Seeds: f.Add below and
// testdata/fuzz/<FuzzName>/; docs/fuzzing.md says how to run them longer.

import (
	"bytes"
	"encoding/binary"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"mdnhub/internal/gateway"
)

// fuzzPDUs bounds the PDUs read from one input.
const fuzzPDUs = 64

// marshalPDU is a PDU's wire form.
func marshalPDU(p pdu.PDU) []byte {
	buf := pdu.NewBuffer(nil)
	p.Marshal(buf)
	return buf.Bytes()
}

// seedDeliverSM builds a deliver_sm as an SMSC sends it.
func seedDeliverSM(seq int32, esm byte, coding byte, ud []byte, udh pdu.UDH, tlvs ...pdu.Field) []byte {
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	d.SequenceNumber = seq
	d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "15550001111")
	d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "12125550000")
	d.EsmClass = esm
	d.Message, _ = pdu.NewBinaryShortMessageWithEncoding(ud, data.FromDataCoding(coding))
	if udh != nil {
		d.Message.SetUDH(udh)
		d.EsmClass |= esmUDHI
	}
	for _, f := range tlvs {
		d.RegisterOptionalParam(f)
	}
	return marshalPDU(d)
}

// seedStreams are realistic inbound PDU streams: single SMS in each
// coding, long SMS split by UDH (8- and 16-bit references) and by SAR
// TLVs, data_sm with message_payload, receipts, enquire_link and the
// responses to our own PDUs.
func seedStreams() [][]byte {
	gsm, _ := gsmEncode("Your code is 123456. Do not share it.")
	one, _ := gsmEncode("G-804036 is your Google verification ")
	two, _ := gsmEncode("code. It expires in 10 minutes €")
	ucs := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	emoji := ucs("Код 4821 😀")
	sar := func(ref uint16, total, seq byte) []pdu.Field {
		return []pdu.Field{
			{Tag: pdu.TagSarMsgRefNum, Data: binary.BigEndian.AppendUint16(nil, ref)},
			{Tag: pdu.TagSarTotalSegments, Data: []byte{total}},
			{Tag: pdu.TagSarSegmentSeqnum, Data: []byte{seq}},
		}
	}
	dataSM := func(seq int32, esm, coding byte, payload []byte) []byte {
		d := pdu.NewDataSM().(*pdu.DataSM)
		d.SequenceNumber = seq
		d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "+15550002222")
		d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "12125550001")
		d.EsmClass, d.DataCoding = esm, coding
		d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: payload})
		return marshalPDU(d)
	}
	enquire := pdu.NewEnquireLink()
	enquire.SetSequenceNumber(9)
	resp := pdu.NewSubmitSMResp().(*pdu.SubmitSMResp)
	resp.SequenceNumber, resp.MessageID = 10, "0A1B2C"
	unbind := pdu.NewUnbind()
	unbind.SetSequenceNumber(11)
	cat := func(ps ...[]byte) []byte { return bytes.Join(ps, nil) }
	return [][]byte{
		seedDeliverSM(1, 0, 0, gsm, nil),
		seedDeliverSM(2, 0, 3, []byte("Gr\xfc\xdfe: 5531"), nil),
		seedDeliverSM(3, 0, 8, emoji, nil),
		seedDeliverSM(4, 0, 1, []byte{0x00, 0x31, 0x1B, 0x3C, 0x02}, nil),
		seedDeliverSM(5, 0, 0xF0, []byte("class 0 flash 1234"), nil),
		// Two parts with an 8-bit reference, out of order, one repeated.
		cat(seedDeliverSM(6, 0, 0, two, pdu.UDH{pdu.NewIEConcatMessage(2, 2, 42)}),
			seedDeliverSM(7, 0, 0, one, pdu.UDH{pdu.NewIEConcatMessage(2, 1, 42)}),
			seedDeliverSM(8, 0, 0, two, pdu.UDH{pdu.NewIEConcatMessage(2, 2, 42)})),
		// A surrogate pair split across two UCS-2 parts, 16-bit reference.
		cat(seedDeliverSM(12, 0, 8, emoji[:len(emoji)-2], pdu.UDH{{ID: 0x08, Data: []byte{0xBE, 0xEF, 2, 1}}}),
			seedDeliverSM(13, 0, 8, emoji[len(emoji)-2:], pdu.UDH{{ID: 0x08, Data: []byte{0xBE, 0xEF, 2, 2}}})),
		// SAR TLVs, parts in different codings.
		cat(seedDeliverSM(14, 0, 3, []byte("caf\xe9 "), nil, sar(0x0102, 2, 1)...),
			seedDeliverSM(15, 0, 8, ucs("К 9911"), nil, sar(0x0102, 2, 2)...)),
		// A long SMS in message_payload, its UDH inside the payload.
		seedDeliverSM(16, esmUDHI, 3, nil, nil, pdu.Field{Tag: pdu.TagMessagePayload, Data: append([]byte{5, 0, 3, 9, 1, 1}, "whole"...)}),
		dataSM(17, 0, 8, ucs("data_sm 7788")),
		dataSM(18, esmUDHI, 0, append([]byte{5, 0, 3, 7, 2, 1}, gsm...)),
		// Receipts: by esm_class, by TLVs, by text alone.
		seedDeliverSM(19, 0x04, 0, []byte("id:0000012345 sub:001 dlvrd:001 submit date:2009010101 done date:2009010102 stat:DELIVRD err:000 text:Hello"), nil),
		seedDeliverSM(20, 0, 0, []byte("id:1 stat:DELIVRD"), nil,
			pdu.Field{Tag: pdu.TagReceiptedMessageID, Data: []byte("ab12\x00")}, pdu.Field{Tag: tagMessageState, Data: []byte{5}}),
		seedDeliverSM(21, 0, 1, []byte("id:77 sub:001 dlvrd:000 stat:UNDELIV err:001"), nil),
		// Malformed: part 3 of 2, a concatenation IE of the wrong size,
		// SAR with a missing TLV.
		seedDeliverSM(22, 0, 0, gsm, pdu.UDH{pdu.NewIEConcatMessage(2, 3, 1)}),
		seedDeliverSM(23, 0, 0, gsm, pdu.UDH{{ID: 0x00, Data: []byte{1, 2}}}),
		seedDeliverSM(24, 0, 0, gsm, nil, sar(5, 2, 1)[:2]...),
		// Link traffic around an SMS.
		cat(marshalPDU(enquire), seedDeliverSM(25, 0, 0, gsm, nil), marshalPDU(resp), marshalPDU(unbind)),
	}
}

// newFuzzGateway returns a gateway fit for onPDU and take (no SMSC, no
// database: nothing is committed) and a bind whose responses fail as on a
// lost link.
func newFuzzGateway() (*Gateway, *bind) {
	cfg := Defaults("fuzz")
	g := New(cfg, nil, slog.New(slog.DiscardHandler), nil)
	l := &link{done: make(chan struct{}), stop: make(chan struct{})}
	b := &bind{link: l, ready: make(chan struct{})}
	close(b.ready)
	return g, b
}

// parsePDU is pdu.Parse, the link's read loop's parser, with a panic
// reported as the failure it is: that loop does not recover, so such a PDU
// would stop the process.
func parsePDU(t *testing.T, r io.Reader) (p pdu.PDU, err error) {
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("gosmpp's pdu.Parse panicked, which would stop the process: %v\n%s", v, debug.Stack())
		}
	}()
	return pdu.Parse(r)
}

// FuzzPDU reads a stream of PDUs as the link's read loop does and passes
// deliver_sm and data_sm through classification and reassembly. It must
// never panic; every arrival is exactly one of an SMS part, a receipt or a
// refusal; part numbers are sane; decoded text is valid UTF-8 and no longer
// in characters than the user data was in octets; nothing stays pending
// after the concatenation timeout.
func FuzzPDU(f *testing.F) {
	for _, s := range seedStreams() {
		f.Add(s)
	}
	g, b := newFuzzGateway()
	on := g.onPDU(b)
	f.Fuzz(func(t *testing.T, stream []byte) {
		asm := newAssembler(g.cfg.ConcatTimeout, g.cfg.PartHold)
		now := time.Unix(1_600_000_000, 0)
		r := &guardedReader{r: bytes.NewReader(stream)} // the link's connection checks every PDU header
		octets := 0                                     // user data seen so far: a bound on any text decoded
		for range fuzzPDUs {
			p, err := parsePDU(t, r)
			if err != nil {
				break // the link drops a connection that sends garbage
			}
			if answer, _ := on(p); answer != nil {
				marshalPDU(answer)
			}
			var a arrival
			select {
			case a = <-g.arrivals:
			default:
				continue // not an SMS
			}
			kinds := 0
			for _, set := range []bool{a.part != nil, a.receipt != nil, a.bad != nil} {
				if set {
					kinds++
				}
			}
			if kinds != 1 {
				t.Fatalf("arrival is %d things at once: %+v", kinds, a)
			}
			if a.part != nil {
				octets += len(a.part.payload)
				if len(a.part.payload) > len(stream) {
					t.Fatalf("payload of %d octets from a %d-octet input", len(a.part.payload), len(stream))
				}
				if c := a.part.concat; c.kind != 0 && (c.seq < 1 || c.seq > c.total || c.total < 2) {
					t.Fatalf("part %d of %d accepted", c.seq, c.total)
				}
			}
			if a.receipt != nil {
				switch a.receipt.state {
				case "", gateway.ReceiptDelivered, gateway.ReceiptFailed:
				default:
					t.Fatalf("receipt state %q", a.receipt.state)
				}
				if ids := receiptIDs(a.receipt.id); len(ids) == 0 || len(ids) > 5 || ids[0] != a.receipt.id {
					t.Fatalf("receipt ids %q of %q", ids, a.receipt.id)
				}
			}
			j, ok := g.take(asm, a, now)
			if !ok || j.receipt != nil {
				continue
			}
			if len(j.acks) == 0 {
				t.Fatal("an SMS that owes no response")
			}
			text := j.in.Text
			if !utf8.ValidString(text) {
				t.Fatalf("text %q is not valid UTF-8", text)
			}
			if n := utf8.RuneCountInString(text); n > octets {
				t.Fatalf("%d characters from %d octets of user data", n, octets)
			}
			if !strings.HasPrefix(j.in.GatewayID, "fp:") {
				t.Fatalf("idempotency key %q", j.in.GatewayID)
			}
		}
		if _, gone := asm.sweep(now.Add(g.cfg.ConcatTimeout)); asm.size() != 0 {
			t.Fatalf("%d SMS pending after the timeout (%d given up)", asm.size(), len(gone))
		}
	})
}

// FuzzReassembly feeds the assembler parts described compactly (kind,
// reference, total, sequence, coding, a clock step, user data) and checks
// that every part is answered exactly once: as part of a whole SMS, as a
// response released after part_hold, or as a refusal when its SMS is
// given up; and that a whole SMS comes out only with all its parts.
func FuzzReassembly(f *testing.F) {
	one, _ := gsmEncode("abc")
	f.Add(append([]byte{8, 7, 2, 2, 0, 0, 3}, append(one, 8, 7, 2, 1, 0, 1, 3, 'x', 'y', 'z')...))
	f.Add([]byte{16, 1, 3, 1, 8, 0, 4, 0xD8, 0x3D, 0xDE, 0x00, 16, 1, 3, 3, 8, 200, 2, 0, 'A', 16, 1, 3, 2, 8, 0, 2, 0, 'B'})
	f.Add([]byte{'S', 9, 2, 1, 3, 0, 5, 'c', 'a', 'f', 0xe9, ' ', 'S', 9, 2, 2, 8, 0, 2, 0x04, 0x1A})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 3, 'o', 'n', 'e'})
	f.Add([]byte{8, 1, 2, 1, 0, 0, 1, 'a', 8, 1, 2, 1, 0, 255, 1, 'a', 8, 1, 2, 2, 4, 0, 1, 'b'})
	f.Fuzz(func(t *testing.T, in []byte) {
		const timeout, hold = time.Minute, 3 * time.Second
		asm := newAssembler(timeout, hold)
		now := time.Unix(1_600_000_000, 0)
		answered := map[int32]int{}
		answer := func(how string, acks []ack) {
			for _, a := range acks {
				if answered[a.seq]++; answered[a.seq] > 1 {
					t.Fatalf("part %d answered twice (%s)", a.seq, how)
				}
			}
		}
		var sent int32
		for len(in) >= 7 && sent < 256 {
			kind, ref, total, seq, coding, step, n := in[0], in[1], in[2], in[3], in[4], in[5], int(in[6])
			in = in[7:]
			n = min(n, len(in))
			payload := in[:n:n]
			in = in[n:]
			sent++
			p := &part{src: "1555000" + string('0'+rune(ref%4)), dst: "12125550000", coding: int(coding), payload: payload, ack: ack{seq: sent}}
			switch kind % 4 {
			case 1:
				p.concat = concat{kind: 8, ref: uint16(ref)}
			case 2:
				p.concat = concat{kind: 16, ref: uint16(ref) << 8}
			case 3:
				p.concat = concat{kind: 'S', ref: uint16(ref)}
			}
			if p.concat.kind != 0 {
				// As concatOf lets through: 1 ≤ seq ≤ total, total ≥ 2.
				p.concat.total = 2 + int(total)%6
				p.concat.seq = 1 + int(seq)%p.concat.total
			}
			now = now.Add(time.Duration(step) * 250 * time.Millisecond)
			release, gone := asm.sweep(now)
			answer("released", release)
			for _, ab := range gone {
				answer("given up", ab.owed)
			}
			w, ok := asm.add(p, now)
			if !ok {
				continue
			}
			answer("stored", w.acks)
			if w.err == nil && !utf8.ValidString(w.text) {
				t.Fatalf("text %q is not valid UTF-8", w.text)
			}
		}
		release, gone := asm.sweep(now.Add(timeout))
		answer("released", release)
		for _, ab := range gone {
			answer("given up", ab.owed)
		}
		if asm.size() != 0 {
			t.Fatalf("%d SMS pending after the timeout", asm.size())
		}
		for s := int32(1); s <= sent; s++ {
			if answered[s] != 1 {
				t.Fatalf("part %d of %d answered %d times", s, sent, answered[s])
			}
		}
	})
}

// FuzzDecodeText decodes user data in any data_coding. It must never
// panic, and text it returns is valid UTF-8 with at most one character
// per octet.
func FuzzDecodeText(f *testing.F) {
	f.Add(uint8(0), false, []byte{0x00, 0x20, 0x1B, 0x65, 0x31})
	f.Add(uint8(0), false, []byte("caf\xe9"))
	f.Add(uint8(1), false, []byte{0x00, 0x31, 0x1B, 0x3C, 0x02})
	f.Add(uint8(3), false, []byte("Gr\xfc\xdfe \xa35"))
	f.Add(uint8(6), false, []byte{0xBA, 0xDE, 0xD4})
	f.Add(uint8(7), false, []byte{0xF9, 0xE5, 0xEC})
	f.Add(uint8(8), false, []byte{0x04, 0x1A, 0xD8, 0x3D, 0xDE, 0x00, 0xD8})
	f.Add(uint8(0x18), false, []byte{0x00, 0xE9})
	f.Add(uint8(0xF4), false, []byte{1, 2})
	f.Add(uint8(0), true, []byte{0x1B, 0x1B, 0x1B})
	f.Fuzz(func(t *testing.T, coding uint8, unknown bool, b []byte) {
		c := int(coding)
		if unknown {
			c = codingUnknown
		}
		text, err := decodeText(c, b)
		if err != nil {
			if text != "" {
				t.Fatalf("text %q with error %v", text, err)
			}
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("coding %#x: %q is not valid UTF-8", c, text)
		}
		if n := utf8.RuneCountInString(text); n > len(b) {
			t.Fatalf("coding %#x: %d characters from %d octets", c, n, len(b))
		}
	})
}

// FuzzEncodeText encodes outbound text as send_sms does. The parts respect
// the SMS sizes and are never cut shorter than needed; an escape or a
// surrogate pair never straddles two parts (each part decodes on its own);
// and decoding the parts gives the text back.
func FuzzEncodeText(f *testing.F) {
	f.Add("Your code is 123456")
	f.Add("€5 [x] {y} ~z \\ ^ | \f @£$¥")
	f.Add(strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10))
	f.Add(strings.Repeat("я", 66) + "😀" + strings.Repeat("я", 10))
	f.Add(strings.Repeat("😀", 80))
	f.Add("ç\x1b\xff")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		e := encodeText(text)
		want := string([]rune(text)) // invalid UTF-8 becomes U+FFFD
		if len(e.parts) == 0 {
			t.Fatal("no parts")
		}
		var single, per, unit int
		switch e.coding {
		case data.GSM7BITCoding:
			single, per, unit = gsmSingle, gsmPart, 1
		case data.UCS2Coding:
			single, per, unit = 2*ucs2Single, 2*ucs2Part, 2
		default:
			t.Fatalf("coding %#x", e.coding)
		}
		var joined []string
		for i, p := range e.parts {
			limit := per
			if len(e.parts) == 1 {
				limit = single
			}
			if len(p) > limit || len(p)%unit != 0 {
				t.Fatalf("part %d of %d has %d octets", i+1, len(e.parts), len(p))
			}
			if i < len(e.parts)-1 && len(p) < per-2*unit {
				t.Fatalf("part %d of %d cut at %d octets", i+1, len(e.parts), len(p))
			}
			s, err := decodeText(int(e.coding), p)
			if err != nil {
				t.Fatal(err)
			}
			joined = append(joined, s)
		}
		if got, err := decodeText(int(e.coding), bytes.Join(e.parts, nil)); err != nil || got != want {
			t.Fatalf("round trip %q -> %q (%v)", want, got, err)
		}
		if got := strings.Join(joined, ""); got != want {
			t.Fatalf("parts decoded one by one give %q, want %q", got, want)
		}
	})
}
