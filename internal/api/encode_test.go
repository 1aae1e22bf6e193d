package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// The hand encoders write exactly what encoding/json writes for the answer
// structs, whatever the text holds.
func TestHandEncodingMatchesEncodingJSON(t *testing.T) {
	texts := []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\r", "\x00\x01\x1f\b\f",
		"AT&T <b>", "ünïcödé ✓ 😀", "line\u2028sep\u2029", "bad \xff\xfe utf-8", "G-804036 is your Google verification code."}
	pick := func(r *rand.Rand) string {
		s := texts[r.IntN(len(texts))]
		if r.IntN(3) == 0 {
			s += texts[r.IntN(len(texts))]
		}
		return s
	}
	std := func(v any) []byte {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		e := requestJSON{ID: pick(r), MDN: pick(r), Service: pick(r), Status: pick(r), State: pick(r),
			Markup: r.Int64N(3000) - 10, Carrier: pick(r), TillExpiration: r.Int64N(100000)}
		want := std(requestStatusJSON{ID: e.ID, MDN: e.MDN, Service: e.Service, Status: e.Status, State: e.State,
			Markup: e.Markup, Carrier: e.Carrier, TillExpiration: e.TillExpiration})
		if got := appendRequestStatus(nil, e); !bytes.Equal(got, want) {
			t.Fatalf("request_status:\n got %s\nwant %s", got, want)
		}
		m := smsJSON{Timestamp: pick(r), DateTime: pick(r), From: pick(r), To: pick(r), Service: pick(r),
			Price: amount(r.Int64N(100000)), Reply: pick(r), PIN: pick(r)}
		if got, want := appendSMS(nil, m), std(m); !bytes.Equal(got, want) {
			t.Fatalf("read_sms:\n got %s\nwant %s", got, want)
		}
		s := pick(r)
		if got, want := appendString(nil, s), std(s); !bytes.Equal(got, want) {
			t.Fatalf("string %q:\n got %s\nwant %s", s, got, want)
		}
		// As a command's answer inside the envelope, marshalled either way.
		raw := rawJSON(appendSMS([]byte{'['}, m))
		raw = append(raw, ']')
		if got, want := std(envelope{Status: "ok", Message: raw}), std(envelope{Status: "ok", Message: []smsJSON{m}}); !bytes.Equal(got, want) {
			t.Fatalf("envelope:\n got %s\nwant %s", got, want)
		}
	}
}
