package smpp

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/linxGnu/gosmpp/pdu"

	"mdnhub/internal/gateway"
)

// receipt is a delivery receipt (or intermediate notification) of one of
// our outbound SMS.
type receipt struct {
	id    string // the SMSC's message id
	state string // gateway.ReceiptDelivered, gateway.ReceiptFailed, or "" when not final
}

var (
	receiptID   = regexp.MustCompile(`(?i)\bid:\s*([^\s]+)`)
	receiptStat = regexp.MustCompile(`(?i)\bstat:\s*([A-Z]+)`)
)

// looksLikeReceipt recognises the de-facto receipt text ("id:... sub:...
// dlvrd:... stat:DELIVRD ...") from SMSCs that forget the esm_class bits.
func looksLikeReceipt(payload []byte) bool {
	return bytes.HasPrefix(payload, []byte("id:")) && bytes.Contains(payload, []byte("stat:"))
}

// parseReceipt reads a receipt: the id from the receipted_message_id TLV,
// else from the text; the state from the message_state TLV, else from the
// text's stat field.
func parseReceipt(tlvs map[pdu.Tag]pdu.Field, text string) receipt {
	var r receipt
	if f, ok := tlvs[pdu.TagReceiptedMessageID]; ok {
		r.id = strings.TrimSpace(f.String())
	}
	if r.id == "" {
		if m := receiptID.FindStringSubmatch(text); m != nil {
			r.id = m[1]
		}
	}
	if f, ok := tlvs[tagMessageState]; ok && len(f.Data) == 1 {
		r.state = stateOf(f.Data[0])
		return r
	}
	if m := receiptStat.FindStringSubmatch(text); m != nil {
		r.state = statOf(strings.ToUpper(m[1]))
	}
	return r
}

// stateOf maps the SMPP message_state values.
func stateOf(v byte) string {
	switch v {
	case 2: // DELIVERED
		return gateway.ReceiptDelivered
	case 3, 4, 5, 7, 8: // EXPIRED, DELETED, UNDELIVERABLE, UNKNOWN, REJECTED
		return gateway.ReceiptFailed
	}
	return "" // ENROUTE, ACCEPTED: not final
}

// statOf maps the receipt text's stat field.
func statOf(s string) string {
	switch s {
	case "DELIVRD", "DELIVERED":
		return gateway.ReceiptDelivered
	case "EXPIRED", "DELETED", "UNDELIV", "UNDELIVERABLE", "REJECTD", "REJECTED", "UNKNOWN", "FAILED":
		return gateway.ReceiptFailed
	}
	return ""
}

// receiptIDs lists the forms under which the id may have been returned by
// submit_sm_resp: SMSCs notoriously answer submit_sm with a hex id and
// write the receipt's id in decimal (or the reverse), often zero-padded.
func receiptIDs(id string) []string {
	out := []string{id}
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if t := strings.TrimLeft(id, "0"); t != "" {
		add(t)
	}
	if n, err := strconv.ParseUint(id, 10, 64); err == nil {
		add(strconv.FormatUint(n, 16))
		add(strings.ToUpper(strconv.FormatUint(n, 16)))
	}
	if n, err := strconv.ParseUint(id, 16, 64); err == nil {
		add(strconv.FormatUint(n, 10))
	}
	return out
}
