package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The polling commands (balance, request_status, read_sms) encode their
// answers by appending to a pooled buffer instead of through encoding/json's
// reflection, which was half of what such a call cost once its data came
// from memory. The bytes are exactly encoding/json's (HTML escaping off):
// plain ASCII text is copied, any other string goes through encoding/json.

// rawJSON is a command's "message" already encoded.
type rawJSON []byte

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeRaw writes {"status":"ok","message":<m>} and a newline, with the
// API's headers.
func writeRaw(w http.ResponseWriter, m rawJSON) {
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"status":"ok","message":`...)
	b = append(b, m...)
	b = append(b, "}\n"...)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	*bp = b
	bufPool.Put(bp)
}

// appendString appends s as a JSON string, as encoding/json writes it with
// HTML escaping off.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return appendStringSlow(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendStringSlow(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// appendField appends "name": and returns the buffer (name is plain ASCII).
func appendField(b []byte, first bool, name string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// MarshalJSON makes a rawJSON answer encode as itself wherever an answer is
// marshalled (the envelope, stored idempotent answers).
func (m rawJSON) MarshalJSON() ([]byte, error) { return m, nil }

// appendRequestStatus appends request_status's entry.
func appendRequestStatus(b []byte, e requestJSON) []byte {
	b = appendField(append(b, '{'), true, "id")
	b = appendString(b, e.ID)
	b = appendString(appendField(b, false, "mdn"), e.MDN)
	b = appendString(appendField(b, false, "service"), e.Service)
	b = appendString(appendField(b, false, "status"), e.Status)
	b = appendString(appendField(b, false, "state"), e.State)
	b = strconv.AppendInt(appendField(b, false, "markup"), e.Markup, 10)
	b = appendString(appendField(b, false, "carrier"), e.Carrier)
	b = strconv.AppendInt(appendField(b, false, "till_expiration"), e.TillExpiration, 10)
	return append(b, '}')
}

// appendSMS appends one entry of read_sms.
func appendSMS(b []byte, e smsJSON) []byte {
	b = appendString(appendField(append(b, '{'), true, "timestamp"), e.Timestamp)
	b = appendString(appendField(b, false, "date_time"), e.DateTime)
	b = appendString(appendField(b, false, "from"), e.From)
	b = appendString(appendField(b, false, "to"), e.To)
	b = appendString(appendField(b, false, "service"), e.Service)
	b = append(appendField(b, false, "price"), centsText(int64(e.Price))...)
	b = appendString(appendField(b, false, "reply"), e.Reply)
	b = appendString(appendField(b, false, "pin"), e.PIN)
	return append(b, '}')
}
