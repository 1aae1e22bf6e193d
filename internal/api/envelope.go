// Package api serves api_command.php, the command API of the Tell A Bot /
// CodeBypass family: one endpoint, a cmd parameter, and a JSON envelope
// {"status":"ok","message":...} or {"status":"error","message":"<text>"}.
package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"mdnhub/internal/money"
)

// envelope is every API answer.
type envelope struct {
	Status  string `json:"status"`
	Message any    `json:"message"`
}

// amount prints integer cents as a JSON number with two decimals (0.50), as
// the reference's examples show.
type amount int64

func (m amount) MarshalJSON() ([]byte, error) { return []byte(centsText(int64(m))), nil }

// centsText formats cents as "12.34".
func centsText(c int64) string { return money.Text(c) }

// writeJSON writes v as the whole response with the given status code. HTML
// escaping is off so texts such as "AT&T" stay byte-for-byte as stored.
func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"status":"error","message":"Internal error"}` + "\n")
		code = http.StatusOK
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func writeOK(w http.ResponseWriter, message any) {
	if raw, ok := message.(rawJSON); ok {
		writeRaw(w, raw)
		return
	}
	writeJSON(w, http.StatusOK, envelope{Status: "ok", Message: message})
}

func writeError(w http.ResponseWriter, code int, text string) {
	writeJSON(w, code, envelope{Status: "error", Message: text})
}

// tooMany answers a call over a rate limit: 429 with Retry-After and the
// usual envelope.
func tooMany(w http.ResponseWriter, retryAfter time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	writeError(w, http.StatusTooManyRequests, "Too many requests, retry later")
}
