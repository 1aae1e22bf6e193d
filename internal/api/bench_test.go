package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/message"
)

// The polling hot path (authentication, request_status, read_sms) measured
// through the real handler in-process, next to a trivial handler that
// writes a constant envelope: the ratio is what the API costs above HTTP
// plumbing. Run: go test -run XXX -bench . ./internal/api/

func benchEnv(b *testing.B) (http.Handler, url.Values, string) {
	e := apptest.New(b, "sqlite", nil)
	e.Service(b, "Google", 100, 0)
	e.Numbers(b, apptest.Seq("212", 10)...)
	u, key := e.User(b, 100000)
	h := e.Handler()
	v := url.Values{"cmd": {"request"}, "user": {u.Username}, "api_key": {key}, "service": {"Google"}}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api_command.php?"+v.Encode(), nil))
	if rec.Code != 200 {
		b.Fatal(rec.Body.String())
	}
	r, err := e.Requests.Get(gctx, u.ID, 10000001)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := e.Messages.Deliver(gctx, messageInbound(r.MDN)); err != nil {
			b.Fatal(err)
		}
	}
	return h, url.Values{"user": {u.Username}, "api_key": {key}}, strconv.Itoa(10000001)
}

func run(b *testing.B, h http.Handler, v url.Values) {
	target := "/api_command.php?" + v.Encode()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkTrivialHandler(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok","message":"10.00"}` + "\n"))
	})
	run(b, h, url.Values{"cmd": {"balance"}})
}

func BenchmarkBalance(b *testing.B) {
	h, v, _ := benchEnv(b)
	v.Set("cmd", "balance")
	run(b, h, v)
}

func BenchmarkRequestStatus(b *testing.B) {
	h, v, id := benchEnv(b)
	v.Set("cmd", "request_status")
	v.Set("id", id)
	run(b, h, v)
}

func BenchmarkReadSMS(b *testing.B) {
	h, v, id := benchEnv(b)
	v.Set("cmd", "read_sms")
	v.Set("id", id)
	run(b, h, v)
}

func messageInbound(mdn string) message.Inbound {
	return message.Inbound{Gateway: "sim", To: mdn, From: "22000", Text: "G-123456 is your Google verification code."}
}
