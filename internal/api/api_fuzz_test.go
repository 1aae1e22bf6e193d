package api_test

// A fuzz target of api_command.php's decoding and validation: fuzzed
// methods, query strings, content types and bodies go through the app's
// real HTTP handler on a SQLite database built once per fuzzing process.
// Seeds: f.Add below and testdata/fuzz/FuzzAPICommand/; docs/fuzzing.md
// says how to run it longer.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// Placeholders in fuzzed queries and bodies, replaced by the fuzzing
// account's name and API key so that the fuzzer gets past authentication.
const (
	phUser = "{user}"
	phKey  = "{key}"
)

// FuzzAPICommand: whatever the method, query string, content type and body,
// the handler never panics and answers exactly one JSON object
// {"status":"ok"|"error","message":...} with Content-Type
// application/json; an error's message is a non-empty text. The code is 200
// for GET and POST, 405 for other methods, or 429 (the documented codes).
// "Internal error" comes only from a call that ran out of time, never from
// a bad parameter; and every balance still equals its ledger.
func FuzzAPICommand(f *testing.F) {
	auth := "user=" + phUser + "&api_key=" + phKey
	form := "application/x-www-form-urlencoded"
	get := func(q string) { f.Add(uint8(0), false, q, "", []byte(nil)) }
	post := func(q, ct, body string) { f.Add(uint8(1), false, q, ct, []byte(body)) }
	for _, q := range []string{
		"cmd=balance&" + auth,
		"cmd=list_services&" + auth,
		"cmd=request&service=Google&" + auth,
		"cmd=request&service=google,Amazon&areacode=212&" + auth,
		"cmd=request&service=Google&mdn=1 (212) 555-0003&" + auth,
		"cmd=request&service=Google&state=ny&" + auth,
		"cmd=request&service=Google&markup=20&" + auth,
		"cmd=request&service=Google,Google&" + auth,
		"cmd=request&service=Nope&" + auth,
		"cmd=request&service=Google&areacode=21&" + auth,
		"cmd=request&service=Google&state=XX&" + auth,
		"cmd=request_status&id=10000001&" + auth,
		"cmd=reject&id=10000001&" + auth,
		"cmd=timeout&id=10000002&user=" + phUser + "&pass=" + phKey,
		"cmd=read_sms&id=10000001&" + auth,
		"cmd=read_sms&mdn=12125550000&service=Google&limit=100&since=1600000000&" + auth,
		"cmd=read_sms&wait=1&" + auth,
		"cmd=read_sms&limit=0&" + auth,
		"cmd=send_sms&mdn=12125550000&to=22000&sms=STOP&" + auth,
		"cmd=send_sms&id=10000001&text=" + strings.Repeat("x", 161) + "&" + auth,
		"cmd=ltr_rent&service=Google&duration=30&autorenew=true&" + auth,
		"cmd=rent&service=Google&duration=3&mdn=12125550004&reserve=1&" + auth,
		"cmd=ltr_status&ltr_id=1&" + auth,
		"cmd=ltr_activate&mdn=12125550004&" + auth,
		"cmd=ltr_autorenew&ltr_id=1&autorenew=maybe&" + auth,
		"cmd=ltr_release&ltr_id=1&" + auth,
		"cmd=ltr_report&ltr_id=1&" + auth,
		"cmd=ltr_reported_status&" + auth,
		"cmd=ltr_switch_service&ltr_id=1&new_service=Amazon&" + auth,
		"cmd=ltr_forward&ltr_id=1&destination=13105550100&" + auth,
		"cmd=proxy_list&" + auth,
		"cmd=proxy_rent&port=50001&duration=1&exclusive=true&" + auth,
		"cmd=proxy_swap&proxy_user=p1&port=50002&" + auth,
		"cmd=proxy_redial&proxy_user=p1&" + auth,
		"cmd=balance&user=" + phUser + "&api_key=wrong",
		"cmd=balance&user=" + phUser,
		"cmd=balance",
		"cmd=" + strings.Repeat("é", 40),
		"",
		"cmd=balance&" + auth + "&cmd=request",
		"cmd=request&service=%zz&" + auth,
		"cmd=request&id=-1&service=Google;x&" + auth,
	} {
		get(q)
	}
	post("", form, "cmd=balance&"+auth)
	post("cmd=request", form, "service=Google&"+auth)
	post("", form+"; charset=utf-8", "cmd=read_sms&limit=5&"+auth)
	post("", "multipart/form-data; boundary=xyz",
		"--xyz\r\nContent-Disposition: form-data; name=\"cmd\"\r\n\r\nbalance\r\n--xyz\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n"+phUser+
			"\r\n--xyz\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n"+phKey+"\r\n--xyz--\r\n")
	post("", "multipart/form-data", "--xyz\r\n")
	post("", form, "cmd=balance&"+auth+"&x=%")
	post("", "application/json", `{"cmd":"balance"}`)
	post("", form, strings.Repeat("a=1&", 600))
	f.Add(uint8(2), false, "cmd=balance&"+auth, "", []byte(nil))
	f.Add(uint8(3), true, "cmd=balance", "", []byte(nil))

	e := apptest.New(f, "sqlite", func(c *config.Config) {
		// The limits are tested on their own; here they would only turn
		// most inputs into 429 after a minute.
		c.API.RateLimit, c.API.AuthFailures = 0, 0
		c.HTTP.MaxBodyBytes = 2048
	})
	e.Service(f, "Google", 100, 0)
	e.Service(f, "Amazon", 50, 0)
	e.Numbers(f, apptest.Seq("212", 10)...)
	u, key := e.User(f, 1_000_000)
	h := e.Handler()
	ctx := context.Background()

	f.Fuzz(func(t *testing.T, method uint8, sims bool, query, contentType string, body []byte) {
		fill := strings.NewReplacer(phUser, u.Username, phKey, key)
		path := "/api_command.php"
		if sims {
			path = "/sims/api_command.php"
		}
		r, cancel := apptest.FuzzRequest(ctx, method, path, fill.Replace(query), contentType, []byte(fill.Replace(string(body))))
		defer cancel()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		t.Logf("%s %s?%s: HTTP %d %s", r.Method, path, r.URL.RawQuery, w.Code, w.Body)

		switch {
		case w.Code == http.StatusTooManyRequests:
		case r.Method == http.MethodGet || r.Method == http.MethodPost:
			if w.Code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", w.Code, w.Body)
			}
		case w.Code != http.StatusMethodNotAllowed:
			t.Fatalf("%s: HTTP %d: %s", r.Method, w.Code, w.Body)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q: %s", ct, w.Body)
		}
		var env map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
		if err := dec.Decode(&env); err != nil || dec.More() {
			t.Fatalf("answer %q is not one JSON object (%v)", w.Body, err)
		}
		if _, ok := env["message"]; len(env) != 2 || !ok {
			t.Fatalf("envelope %s: want exactly status and message", w.Body)
		}
		var status, msg string
		if err := json.Unmarshal(env["status"], &status); err != nil || (status != "ok" && status != "error") {
			t.Fatalf("status %s", env["status"])
		}
		if status == "error" {
			if err := json.Unmarshal(env["message"], &msg); err != nil || msg == "" {
				t.Fatalf("error message %s is not a text", env["message"])
			}
			if msg == "Internal error, please retry later" && r.Context().Err() == nil {
				t.Fatalf("internal error from a call that had time left: %s?%s", path, r.URL.RawQuery)
			}
		}
		e.CheckLedger(t)
	})
}
