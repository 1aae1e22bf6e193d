package smpp

import (
	"bytes"
	"testing"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"mdnhub/internal/gateway"
)

// wire marshals a PDU and parses it back, as the read loop would see it.
func wire(t *testing.T, p pdu.PDU) pdu.PDU {
	t.Helper()
	buf := pdu.NewBuffer(nil)
	p.Marshal(buf)
	got, err := pdu.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func deliverSM(t *testing.T, coding byte, ud []byte, udh pdu.UDH, tlvs ...pdu.Field) *pdu.DeliverSM {
	t.Helper()
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "15550001111")
	d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "12125550000")
	enc := data.FromDataCoding(coding)
	d.Message, _ = pdu.NewBinaryShortMessageWithEncoding(ud, enc)
	if udh != nil {
		d.Message.SetUDH(udh)
		d.EsmClass |= esmUDHI
	}
	for _, f := range tlvs {
		d.RegisterOptionalParam(f)
	}
	return wire(t, d).(*pdu.DeliverSM)
}

func TestParseDeliverSM(t *testing.T) {
	gsm, _ := gsmEncode("part one ")
	a := fromDeliverSM(deliverSM(t, 0, gsm, pdu.UDH{pdu.NewIEConcatMessage(2, 1, 42)}), ack{})
	if a.part == nil || a.part.concat != (concat{kind: 8, ref: 42, total: 2, seq: 1}) || !bytes.Equal(a.part.payload, gsm) {
		t.Fatalf("8-bit UDH: %+v", a.part)
	}
	a = fromDeliverSM(deliverSM(t, 8, []byte{0, 'x'}, pdu.UDH{{ID: 0x08, Data: []byte{0x12, 0x34, 3, 2}}}), ack{})
	if a.part == nil || a.part.concat != (concat{kind: 16, ref: 0x1234, total: 3, seq: 2}) || a.part.coding != 8 {
		t.Fatalf("16-bit UDH: %+v", a.part)
	}
	a = fromDeliverSM(deliverSM(t, 3, []byte("sar"), nil,
		pdu.Field{Tag: pdu.TagSarMsgRefNum, Data: []byte{0x01, 0x02}},
		pdu.Field{Tag: pdu.TagSarTotalSegments, Data: []byte{4}},
		pdu.Field{Tag: pdu.TagSarSegmentSeqnum, Data: []byte{4}}), ack{})
	if a.part == nil || a.part.concat != (concat{kind: 'S', ref: 0x0102, total: 4, seq: 4}) {
		t.Fatalf("SAR: %+v", a.part)
	}
	// A long SMS in message_payload, its UDH in the payload.
	payload := append([]byte{5, 0, 3, 9, 2, 2}, []byte("tail")...)
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	d.EsmClass = esmUDHI
	d.Message, _ = pdu.NewBinaryShortMessageWithEncoding(nil, data.LATIN1)
	d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: payload})
	a = fromDeliverSM(wire(t, d).(*pdu.DeliverSM), ack{})
	if a.part == nil || string(a.part.payload) != "tail" || a.part.concat.seq != 2 {
		t.Fatalf("message_payload: %+v", a.part)
	}
	// A UDH without concatenation (a port address) is a whole SMS.
	a = fromDeliverSM(deliverSM(t, 0, gsm, pdu.UDH{{ID: 0x05, Data: []byte{1, 2, 3, 4}}}), ack{})
	if a.part == nil || a.part.concat.kind != 0 {
		t.Fatalf("port UDH: %+v", a.part)
	}
	// Nonsense part numbers are refused.
	a = fromDeliverSM(deliverSM(t, 0, gsm, pdu.UDH{pdu.NewIEConcatMessage(2, 3, 1)}), ack{})
	if a.bad == nil {
		t.Fatal("part 3 of 2 accepted")
	}
}

func TestParseDataSM(t *testing.T) {
	d := pdu.NewDataSM().(*pdu.DataSM)
	d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "15550001111")
	d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "12125550000")
	d.DataCoding = 8
	d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: []byte{0x04, 0x1A}})
	a := fromDataSM(wire(t, d).(*pdu.DataSM), ack{})
	if a.part == nil || a.part.coding != 8 || a.part.src != "15550001111" {
		t.Fatalf("data_sm: %+v", a.part)
	}
}

func TestParseReceipts(t *testing.T) {
	text := []byte("id:0000012345 sub:001 dlvrd:001 submit date:2009010101 done date:2009010102 stat:DELIVRD err:000 text:Hello")
	// By esm_class.
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	d.EsmClass = 0x04
	d.Message, _ = pdu.NewBinaryShortMessageWithEncoding(text, data.GSM7BIT)
	a := fromDeliverSM(wire(t, d).(*pdu.DeliverSM), ack{})
	if a.receipt == nil || a.receipt.id != "0000012345" || a.receipt.state != gateway.ReceiptDelivered {
		t.Fatalf("esm_class receipt: %+v", a.receipt)
	}
	// By TLVs, which win over the text.
	a = fromDeliverSM(deliverSM(t, 0, []byte("id:1 stat:DELIVRD"), nil,
		pdu.Field{Tag: pdu.TagReceiptedMessageID, Data: []byte("ab12\x00")},
		pdu.Field{Tag: tagMessageState, Data: []byte{5}}), ack{})
	if a.receipt == nil || a.receipt.id != "ab12" || a.receipt.state != gateway.ReceiptFailed {
		t.Fatalf("TLV receipt: %+v", a.receipt)
	}
	// By text alone, from an SMSC that sets no esm_class bits.
	a = fromDeliverSM(deliverSM(t, 1, []byte("id:77 sub:001 dlvrd:000 stat:UNDELIV err:001"), nil), ack{})
	if a.receipt == nil || a.receipt.id != "77" || a.receipt.state != gateway.ReceiptFailed {
		t.Fatalf("text receipt: %+v", a.receipt)
	}
	// Intermediate notices are not final.
	a = fromDeliverSM(deliverSM(t, 1, []byte("id:78 stat:ENROUTE"), nil), ack{})
	if a.receipt == nil || a.receipt.state != "" {
		t.Fatalf("enroute: %+v", a.receipt)
	}
	// An SMS that merely mentions an id is an SMS.
	a = fromDeliverSM(deliverSM(t, 1, []byte("Your id: 5 is ready"), nil), ack{})
	if a.part == nil {
		t.Fatal("an SMS taken for a receipt")
	}
}

func TestReceiptIDs(t *testing.T) {
	got := receiptIDs("0000012345")
	has := func(s string) bool {
		for _, g := range got {
			if g == s {
				return true
			}
		}
		return false
	}
	for _, s := range []string{"0000012345", "12345", "3039", "74565"} {
		if !has(s) {
			t.Errorf("%q missing from %v", s, got)
		}
	}
	if got := receiptIDs("1a2B"); got[0] != "1a2B" || got[len(got)-1] != "6699" {
		t.Errorf("hex id: %v", got)
	}
}
