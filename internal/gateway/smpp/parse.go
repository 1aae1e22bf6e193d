package smpp

import (
	"encoding/binary"
	"errors"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// part is one received SMS, or one part of a concatenated SMS.
type part struct {
	src, dst string
	coding   int    // data_coding, or codingUnknown
	payload  []byte // user data without the UDH
	concat   concat // zero for a whole SMS
	ack      ack
}

// concat places a part in its concatenated SMS.
type concat struct {
	kind  byte // 8 or 16: UDH reference of that many bits; 'S': SAR TLVs
	ref   uint16
	total int
	seq   int
}

// ack addresses the response owed for a received PDU.
type ack struct {
	b   *bind
	seq int32
	cmd data.CommandIDType // DELIVER_SM or DATA_SM
}

// arrival is what a received deliver_sm or data_sm carries: an SMS (or
// part), a delivery receipt, or something malformed that is refused.
type arrival struct {
	part    *part
	receipt *receipt
	bad     error
	ack     ack
}

// esm_class bits.
const (
	esmUDHI        = 0x40 // user data starts with a UDH
	esmMessageType = 0x3C // non-zero: a receipt or acknowledgement, not an SMS
)

// TLV tags this gateway reads beyond gosmpp's list.
const tagMessageState pdu.Tag = 0x0427

func fromDeliverSM(p *pdu.DeliverSM, a ack) arrival {
	coding := codingUnknown
	if enc := p.Message.Encoding(); enc != nil {
		coding = int(enc.DataCoding())
	}
	payload, _ := p.Message.GetMessageData()
	ies := p.Message.UDH()
	if len(payload) == 0 && len(ies) == 0 {
		if f, ok := p.OptionalParameters[pdu.TagMessagePayload]; ok {
			payload = f.Data
			if p.EsmClass&esmUDHI != 0 {
				var err error
				if ies, payload, err = splitUDH(payload); err != nil {
					return arrival{bad: err, ack: a}
				}
			}
		}
	}
	return classify(p.SourceAddr.Address(), p.DestAddr.Address(), p.EsmClass, coding, payload, ies, p.OptionalParameters, a)
}

func fromDataSM(p *pdu.DataSM, a ack) arrival {
	var (
		payload []byte
		ies     pdu.UDH
	)
	if f, ok := p.OptionalParameters[pdu.TagMessagePayload]; ok {
		payload = f.Data
	}
	if p.EsmClass&esmUDHI != 0 {
		var err error
		if ies, payload, err = splitUDH(payload); err != nil {
			return arrival{bad: err, ack: a}
		}
	}
	return classify(p.SourceAddr.Address(), p.DestAddr.Address(), p.EsmClass, int(p.DataCoding), payload, ies, p.OptionalParameters, a)
}

// splitUDH separates a user data header from the user data.
func splitUDH(b []byte) (pdu.UDH, []byte, error) {
	var u pdu.UDH
	if _, err := u.UnmarshalBinary(b); err != nil {
		return nil, nil, err
	}
	n := int(b[0]) + 1
	return u, b[n:], nil
}

var errBadConcat = errors.New("malformed concatenation header")

func classify(src, dst string, esm byte, coding int, payload []byte, ies pdu.UDH, tlvs map[pdu.Tag]pdu.Field, a ack) arrival {
	_, receipted := tlvs[pdu.TagReceiptedMessageID]
	if esm&esmMessageType != 0 || receipted || looksLikeReceipt(payload) {
		text, _ := decodeText(coding, payload)
		r := parseReceipt(tlvs, text)
		return arrival{receipt: &r, ack: a}
	}
	p := &part{src: src, dst: dst, coding: coding, payload: payload, ack: a}
	c, err := concatOf(ies, tlvs)
	if err != nil {
		return arrival{bad: err, ack: a}
	}
	p.concat = c
	return arrival{part: p, ack: a}
}

// concatOf reads the concatenation IE of a UDH (8-bit or 16-bit
// reference), else the SAR TLVs; a total of one is a whole SMS.
func concatOf(ies pdu.UDH, tlvs map[pdu.Tag]pdu.Field) (concat, error) {
	var c concat
	for _, ie := range ies {
		switch {
		case ie.ID == data.UDH_CONCAT_MSG_8_BIT_REF && len(ie.Data) == 3:
			c = concat{kind: 8, ref: uint16(ie.Data[0]), total: int(ie.Data[1]), seq: int(ie.Data[2])}
		case ie.ID == data.UDH_CONCAT_MSG_16_BIT_REF && len(ie.Data) == 4:
			c = concat{kind: 16, ref: binary.BigEndian.Uint16(ie.Data), total: int(ie.Data[2]), seq: int(ie.Data[3])}
		case ie.ID == data.UDH_CONCAT_MSG_8_BIT_REF || ie.ID == data.UDH_CONCAT_MSG_16_BIT_REF:
			return c, errBadConcat
		}
	}
	if c.kind == 0 {
		ref, okRef := tlvs[pdu.TagSarMsgRefNum]
		total, okTotal := tlvs[pdu.TagSarTotalSegments]
		seq, okSeq := tlvs[pdu.TagSarSegmentSeqnum]
		if !okRef && !okTotal && !okSeq {
			return concat{}, nil
		}
		if len(ref.Data) != 2 || len(total.Data) != 1 || len(seq.Data) != 1 {
			return c, errBadConcat
		}
		c = concat{kind: 'S', ref: binary.BigEndian.Uint16(ref.Data), total: int(total.Data[0]), seq: int(seq.Data[0])}
	}
	if c.total <= 1 && c.seq <= 1 {
		return concat{}, nil
	}
	if c.seq < 1 || c.seq > c.total {
		return c, errBadConcat
	}
	return c, nil
}
