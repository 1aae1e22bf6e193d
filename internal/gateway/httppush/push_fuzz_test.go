package httppush_test

// A fuzz target of what a device can push: the body (JSON or form), its
// content type, the bearer token and the HMAC signature, to the inbound and
// receipt actions, through the app's real HTTP handler on a SQLite
// database built once. Seeds: f.Add below and
// testdata/fuzz/FuzzPushBody/; docs/fuzzing.md says how to run it longer.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/config"
	"mdnhub/internal/inventory"
	"mdnhub/internal/request"
)

// Placeholders in the fuzzed headers, replaced by the right credentials so
// that the fuzzer gets past authentication: "{token}" in Authorization
// becomes "Bearer <token>", "{sig}" in X-Mdnhub-Signature the body's
// signature.
const (
	phToken = "{token}"
	phSig   = "{sig}"
)

// FuzzPushBody: whatever a client POSTs to /gateway/<name>/<action>, the
// handler never panics and answers a JSON object {"status":"ok"|"error",...}
// with Content-Type application/json and one of the documented codes: 200
// (only with the right token or signature), 400, 401, 404, 405 or 413. It
// never answers 5xx: 503 is documented for an unavailable database only,
// and this one is always available.
func FuzzPushBody(f *testing.F) {
	ctJSON := "application/json"
	form := "application/x-www-form-urlencoded"
	good := `{"id":"sms-81723","to":"12125550000","from":"22000","text":"G-804036 is your Google verification code.","timestamp":1600108962}`
	seeds := []struct {
		method, gw, action uint8
		ct, auth, sig      string
		body               string
	}{
		{0, 0, 0, ctJSON, phToken, "", good},
		{0, 0, 0, ctJSON, "", phSig, good},
		{0, 0, 0, ctJSON, phToken, "", `{"to":"2125550001","from":"Google","text":"Your code is 5566","id":12,"timestamp":null}`},
		{0, 0, 0, form, "", phSig, url.Values{"id": {"m-2"}, "to": {"1 (212) 555-0002"}, "from": {"22000"}, "text": {"Код 4821"}}.Encode()},
		{0, 0, 0, "", phToken, "", "to=12125550003&from=22000&text=code+1234&timestamp=1600108000"},
		{0, 0, 0, ctJSON + "; charset=utf-8", phToken, "", `{"to":"12125550004","from":"22000","text":"x","timestamp":"soon"}`},
		{0, 0, 0, ctJSON, phToken, "", `{"to":"12","from":"1","text":"x"}`},
		{0, 0, 0, ctJSON, phToken, "", `{"to":"13105550100","from":"1","text":"not our number"}`},
		{0, 0, 0, ctJSON, phToken, "", `{"to":"12125550000","from":"123456789012345678901234567890123","text":"x"}`},
		{0, 0, 0, ctJSON, phToken, "", `{"to":"12125550000","from":"1","text":{"nested":true}}`},
		{0, 0, 0, ctJSON, phToken, "", `{"to":`},
		{0, 0, 0, ctJSON, phToken, "", `[1,2]`},
		{0, 0, 0, "text/xml", phToken, "", `<sms/>`},
		{0, 0, 0, "multipart/form-data; boundary=x", phToken, "", "--x\r\n\r\n--x--"},
		{0, 0, 0, form, phToken, "", "to=%zz"},
		{0, 0, 0, ctJSON, "Bearer nope", "", good},
		{0, 0, 0, ctJSON, "", "sha256=00ff", good},
		{0, 0, 0, ctJSON, "", "", good},
		{0, 0, 1, ctJSON, phToken, "", `{"id":"dev-77","status":"delivered"}`},
		{0, 0, 1, ctJSON, "", phSig, `{"id":"dev-78","status":"FAILED"}`},
		{0, 0, 1, form, phToken, "", "id=dev-79&status=sent"},
		{0, 0, 2, ctJSON, phToken, "", good},
		{0, 1, 0, ctJSON, phToken, "", good},
		{1, 0, 0, ctJSON, phToken, "", ""},
		{2, 0, 1, ctJSON, phToken, "", good},
	}
	for _, s := range seeds {
		f.Add(s.method, s.gw, s.action, s.ct, s.auth, s.sig, []byte(s.body))
	}

	e := apptest.New(f, "sqlite", func(c *config.Config) {
		c.Gateways = config.Gateways{"android1": {"kind": "httppush", "token": token, "secret": secret}}
	})
	svc := e.Service(f, "Google", 100, 0)
	var numbers []inventory.Import
	for _, m := range apptest.Seq("212", 8) {
		numbers = append(numbers, inventory.Import{MDN: m, Gateway: "android1"})
	}
	if _, err := e.Inventory.Put(ctx, numbers); err != nil {
		f.Fatal(err)
	}
	u, _ := e.User(f, 10000)
	if _, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}); err != nil {
		f.Fatal(err)
	}
	h := e.Handler()

	f.Fuzz(func(t *testing.T, method, gw, action uint8, contentType, auth, sig string, body []byte) {
		r := &http.Request{
			Method:     []string{http.MethodPost, http.MethodGet, http.MethodPut}[method%3],
			URL:        &url.URL{Path: "/gateway/" + []string{"android1", "nope"}[gw%2] + "/" + []string{"inbound", "receipt", "status"}[action%3]},
			Proto:      "HTTP/1.1",
			ProtoMajor: 1, ProtoMinor: 1,
			Header:     http.Header{},
			Body:       io.NopCloser(bytes.NewReader(body)),
			Host:       "mdnhub.test",
			RemoteAddr: "192.0.2.1:40000",
		}
		r = r.WithContext(ctx)
		r.ContentLength = int64(len(body))
		authorized := false
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		switch auth {
		case phToken:
			r.Header.Set("Authorization", "Bearer "+token)
			authorized = true
		case "":
		default:
			r.Header.Set("Authorization", auth)
			authorized = auth == "Bearer "+token
		}
		switch sig {
		case phSig:
			r.Header.Set("X-Mdnhub-Signature", sign(string(body)))
			authorized = true
		case "":
		default:
			r.Header.Set("X-Mdnhub-Signature", sig)
			authorized = authorized || sig == sign(string(body))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		t.Logf("%s %s: HTTP %d %s", r.Method, r.URL.Path, w.Code, w.Body)

		switch w.Code {
		case 200, 400, 401, 404, 405, 413:
		default:
			t.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
		if w.Code == 200 && !authorized {
			t.Fatalf("accepted without the token or signature: %s", w.Body)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q: %s", ct, w.Body)
		}
		var out map[string]any
		dec := jsonDecoder(w.Body.Bytes())
		if err := dec.Decode(&out); err != nil || dec.More() {
			t.Fatalf("answer %q is not one JSON object (%v)", w.Body, err)
		}
		switch out["status"] {
		case "ok":
			if w.Code != 200 {
				t.Fatalf("status ok with HTTP %d", w.Code)
			}
		case "error":
			if msg, ok := out["message"].(string); !ok || msg == "" || w.Code == 200 {
				t.Fatalf("HTTP %d error without a message text: %s", w.Code, w.Body)
			}
		default:
			t.Fatalf("status %v: %s", out["status"], w.Body)
		}
	})
}

func jsonDecoder(b []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec
}
