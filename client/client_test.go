package client_test

// Unit tests against a scripted fake server. The tests against a real
// mdnhub (both databases) live in the main module: internal/clienttest.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mdnhub/client"
)

var ctx = context.Background()

// fake answers each call with the next scripted answer and records the
// calls' forms.
type fake struct {
	mu      sync.Mutex
	answers []answer
	calls   []url.Values
}

type answer struct {
	code   int
	body   string
	header map[string]string
	hang   bool // close the connection without answering
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		panic(err)
	}
	f.mu.Lock()
	f.calls = append(f.calls, r.PostForm)
	a := answer{code: 200, body: `{"status":"error","message":"no scripted answer"}`}
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()
	if a.hang {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	if a.code == 0 {
		a.code = 200
	}
	w.WriteHeader(a.code)
	w.Write([]byte(a.body))
}

func newFake(t *testing.T, answers ...answer) (*fake, *client.Client) {
	t.Helper()
	f := &fake{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := client.New(srv.URL, "alice", "k3y", client.WithRetry(client.Retry{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	return f, c
}

func ok(body string) answer   { return answer{body: `{"status":"ok","message":` + body + `}`} }
func refusal(m string) answer { return answer{body: `{"status":"error","message":"` + m + `"}`} }

func TestTypedAnswers(t *testing.T) {
	f, c := newFake(t,
		ok(`[{"id":"10000001","mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":0,"price":1.20,"carrier":"TMobile","till_expiration":900}]`),
		ok(`{"id":"10000001","mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":0,"carrier":"TMobile","till_expiration":890}`),
		ok(`"10.00"`),
		ok(`[{"name":"Google","price":"1.20","ltr_price":"24.00","ltr_short_price":"6.00","available":"74","otp_available":"74","ltr_available":"3","recommended_markup":"10"}]`),
		ok(`{"id":1,"mdn":"12125550000","service":"Google","price":15.5,"expires":"2100-12-31 23:59:59","carrier":"Verizon"}`),
		ok(`[{"timestamp":"1600108956","date_time":"2020-09-14 14:42:36 EDT","from":"22000","to":"18503814729","service":"Google","price":1.20,"reply":"G-804036 is your Google verification code.","pin":"G-804036"}]`),
		ok(`true`),
		ok(`[{"port":"50001","location":"NJ","carrier":"Verizon","redial_interval":"15","leases":"0","services":null,"is_exclusive":false,"renting_possible":true}]`),
	)
	rs, err := c.Request(ctx, client.RequestParams{Service: "Google", AreaCode: "212"})
	if err != nil || len(rs) != 1 || rs[0].ID != "10000001" || rs[0].Price != 120 || rs[0].TillExpiration != 900 {
		t.Fatalf("request: %+v %v", rs, err)
	}
	if f.calls[0].Get("cmd") != "request" || f.calls[0].Get("user") != "alice" || f.calls[0].Get("api_key") != "k3y" ||
		f.calls[0].Get("areacode") != "212" || len(f.calls[0].Get("idempotency_key")) != 32 {
		t.Fatalf("request form %v", f.calls[0])
	}
	// request_status as one object (an account set to object).
	if r, err := c.RequestStatus(ctx, "10000001"); err != nil || r.Status != client.StatusReserved || r.TillExpiration != 890 {
		t.Fatalf("request_status: %+v %v", r, err)
	}
	if b, err := c.Balance(ctx); err != nil || b != 1000 || b.String() != "10.00" {
		t.Fatalf("balance: %v %v", b, err)
	}
	if s, err := c.ListServices(ctx, "Google"); err != nil || s[0].Price != 120 || s[0].Available != 74 || s[0].RecommendedMarkup != 10 {
		t.Fatalf("list_services: %+v %v", s, err)
	}
	if r, err := c.RentLTR(ctx, client.RentLTRParams{Service: "Google", Days: 30, Autorenew: true}); err != nil || r.ID != 1 || r.Price != 1550 {
		t.Fatalf("ltr_rent: %+v %v", r, err)
	}
	if f.calls[4].Get("duration") != "30" || f.calls[4].Get("autorenew") != "true" {
		t.Fatalf("ltr_rent form %v", f.calls[4])
	}
	if m, err := c.ReadSMS(ctx, client.ReadSMSParams{ID: "10000001", Wait: 1500 * time.Millisecond}); err != nil || m[0].PIN != "G-804036" || m[0].Timestamp != 1600108956 {
		t.Fatalf("read_sms: %+v %v", m, err)
	}
	if f.calls[5].Get("wait") != "2" {
		t.Fatalf("read_sms wait %q", f.calls[5].Get("wait"))
	}
	if on, err := c.Autorenew(ctx, client.RentalRef{ID: 1}); err != nil || !on {
		t.Fatalf("ltr_autorenew: %v %v", on, err)
	}
	if p, err := c.ProxyPorts(ctx); err != nil || p[0].Services != nil || p[0].RedialInterval != 15 {
		t.Fatalf("proxy_list: %+v %v", p, err)
	}
}

func TestErrors(t *testing.T) {
	_, c := newFake(t,
		refusal("No numbers available, retry later"),
		refusal("Insufficient funds. Your balance is $0.50"),
		refusal("Unable to reject an MDN with status Timed Out"),
	)
	_, err := c.Request(ctx, client.RequestParams{Service: "Google"})
	var ae *client.APIError
	if !errors.Is(err, client.ErrNoNumbers) || !errors.As(err, &ae) || ae.Message != "No numbers available, retry later" {
		t.Fatalf("no numbers: %v", err)
	}
	if errors.Is(err, client.ErrInsufficientFunds) {
		t.Fatal("matched another sentinel")
	}
	_, err = c.Request(ctx, client.RequestParams{Service: "Google"})
	if !errors.Is(err, client.ErrInsufficientFunds) || !errors.As(err, &ae) {
		t.Fatalf("funds: %v", err)
	}
	if b, ok := ae.Balance(); !ok || b != 50 {
		t.Fatalf("balance of the refusal: %v %v", b, ok)
	}
	if err := c.Reject(ctx, "1"); !errors.Is(err, client.ErrRejectRefused) {
		t.Fatalf("reject: %v", err)
	}
}

func TestRetries(t *testing.T) {
	// A read is retried after a proxy's 503 and a dropped connection.
	f, c := newFake(t, answer{code: 503, body: "<html>busy</html>"}, answer{hang: true}, ok(`"1.00"`))
	if b, err := c.Balance(ctx); err != nil || b != 100 || len(f.calls) != 3 {
		t.Fatalf("balance: %v %v after %d calls", b, err, len(f.calls))
	}
	// A keyed write is retried with the same key.
	f, c = newFake(t, answer{hang: true}, refusal("Service temporarily unavailable, please retry later"),
		refusal("Idempotency key in use by a call still in progress, retry later"), ok(`"Message has been sent"`))
	if err := c.SendSMS(ctx, client.SendSMSParams{MDN: "12125550000", Text: "hi"}); err != nil || len(f.calls) != 4 {
		t.Fatalf("send_sms: %v after %d calls", err, len(f.calls))
	}
	for _, call := range f.calls[1:] {
		if call.Get("idempotency_key") != f.calls[0].Get("idempotency_key") {
			t.Fatal("a retry changed the idempotency key")
		}
	}
	// A write without a key is sent once...
	f, c = newFake(t, answer{hang: true}, ok(`"MDN has been rejected"`))
	if err := c.Reject(ctx, "10000001"); err == nil || len(f.calls) != 1 {
		t.Fatalf("reject: %v after %d calls", err, len(f.calls))
	}
	// ...except after a 429, which the server refused unread.
	f, c = newFake(t, answer{code: 429, body: `{"status":"error","message":"Too many requests, retry later"}`, header: map[string]string{"Retry-After": "1"}},
		ok(`"MDN has been rejected"`))
	start := time.Now()
	if err := c.Reject(ctx, "10000001"); err != nil || len(f.calls) != 2 || time.Since(start) < time.Second {
		t.Fatalf("reject after 429: %v, %d calls in %v", err, len(f.calls), time.Since(start))
	}
	// Refusals are not retried; attempts are bounded.
	f, c = newFake(t, refusal("No messages"))
	if _, err := c.ReadSMS(ctx, client.ReadSMSParams{}); !errors.Is(err, client.ErrNoMessages) || len(f.calls) != 1 {
		t.Fatalf("read_sms: %v after %d calls", err, len(f.calls))
	}
	f, c = newFake(t, answer{hang: true}, answer{hang: true}, answer{hang: true}, answer{hang: true}, answer{hang: true})
	var te *client.TransportError
	if _, err := c.Balance(ctx); !errors.As(err, &te) || len(f.calls) != 4 {
		t.Fatalf("balance: %v after %d calls", err, len(f.calls))
	}
	// NoWriteRetries: keyed writes are sent once too.
	f, c = newFake(t, answer{hang: true}, ok(`"Message has been sent"`))
	c.Retry.NoWriteRetries = true
	if err := c.SendSMS(ctx, client.SendSMSParams{MDN: "12125550000", Text: "hi"}); err == nil || len(f.calls) != 1 {
		t.Fatalf("send_sms without write retries: %v after %d calls", err, len(f.calls))
	}
}

func TestWaitForCode(t *testing.T) {
	msg := func(ts, reply, pin string) string {
		return `{"timestamp":"` + ts + `","date_time":"x","from":"22000","to":"12125550000","service":"Google","price":1.20,"reply":"` + reply + `","pin":"` + pin + `"}`
	}
	reserved := ok(`[{"id":"1","mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":0,"carrier":"","till_expiration":600}]`)
	f, c := newFake(t,
		refusal("No messages"), reserved, // a long-poll ended empty
		ok(`[`+msg("100", "Welcome", "")+`]`),           // a message without a code
		ok(`[`+msg("100", "Welcome", "")+`]`), reserved, // nothing new
		ok(`[`+msg("105", "Code 123456", "123456")+`,`+msg("100", "Welcome", "")+`]`),
	)
	c.PollInterval = time.Millisecond
	m, err := c.WaitForCode(ctx, "1")
	if err != nil || m.PIN != "123456" {
		t.Fatalf("WaitForCode: %+v %v", m, err)
	}
	if f.calls[0].Get("wait") != "60" || f.calls[0].Get("id") != "1" {
		t.Fatalf("read_sms form %v", f.calls[0])
	}

	_, c = newFake(t, refusal("No messages"),
		ok(`[{"id":"1","mdn":"12125550000","service":"Google","status":"Timed Out","state":"","markup":0,"carrier":"","till_expiration":0}]`))
	var ended *client.RequestEndedError
	if _, err := c.WaitForCode(ctx, "1"); !errors.Is(err, client.ErrRequestEnded) || !errors.As(err, &ended) || ended.Status != "Timed Out" {
		t.Fatalf("ended request: %v", err)
	}
}

func TestWaitForNumber(t *testing.T) {
	awaiting := ok(`[{"id":"1","mdn":"","service":"Google","status":"Awaiting MDN","state":"","markup":25,"carrier":"","till_expiration":1700}]`)
	_, c := newFake(t, awaiting, awaiting,
		ok(`[{"id":"1","mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":25,"carrier":"TMobile","till_expiration":900}]`))
	c.PollInterval = time.Millisecond
	if r, err := c.WaitForNumber(ctx, "1"); err != nil || r.MDN != "12125550000" {
		t.Fatalf("WaitForNumber: %+v %v", r, err)
	}
	_, c = newFake(t, awaiting)
	c.PollInterval = time.Hour
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.WaitForNumber(cctx, "1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitForNumber past its context: %v", err)
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]client.Money{"1.20": 120, "1.2": 120, "10": 1000, "0.05": 5, "-1.50": -150, "1234.56": 123456} {
		if got, err := client.ParseMoney(in); err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "1.234", "1e3", "abc", "1.-2", "+1"} {
		if _, err := client.ParseMoney(bad); err == nil {
			t.Errorf("ParseMoney(%q) accepted", bad)
		}
	}
}

func TestCallbackHandler(t *testing.T) {
	const secret = "s3cret-s3cret-s3cret"
	var got []client.Event
	var fail bool
	h := client.CallbackHandler(secret, func(_ context.Context, ev client.Event) error {
		if fail {
			return errors.New("later")
		}
		got = append(got, ev)
		return nil
	})
	post := func(body, sig string) int {
		r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(client.HeaderSignature, sig)
		r.Header.Set(client.HeaderDelivery, "d-1")
		r.Header.Set(client.HeaderTimestamp, "1600108957")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	bodies := []string{
		"event=incoming_message&id=10000001&timestamp=1600108956&date_time=2020-09-14+14%3A42%3A36+EDT&from=22000&to=12125550000&service=Google&reply=G-804036+is+your+Google+verification+code.&pin=G-804036&price=1.20",
		"event=incoming_message&ltr_id=3&first_ltr_id=1&timestamp=1600108956&date_time=x&from=22000&to=12125550000&service=Unknown&reply=hi&pin=&price=0.00",
		"event=ltr_renewal&status=ok&new_ltr_id=4&previous_ltr_id=3&mdn=12125550000&service=Google&price=24.00&expires=2020-11-13+14%3A42%3A36",
		"event=ltr_renewal&status=error&message=Low+balance&previous_ltr_id=4&mdn=12125550000&service=Google",
		"event=premium_request&status=ok&id=10000002&mdn=14155550000&service=Google&price=1.50",
		"event=test&timestamp=1600108956&date_time=x&message=Test+event+from+mdnhub",
		"event=something_new&x=1",
	}
	for _, b := range bodies {
		if code := post(b, client.Sign(secret, []byte(b))); code != 200 {
			t.Fatalf("%s: HTTP %d", b, code)
		}
	}
	if code := post(bodies[0], client.Sign("other", []byte(bodies[0]))); code != 401 {
		t.Fatalf("wrong secret: HTTP %d", code)
	}
	if code := post(bodies[0]+"0", client.Sign(secret, []byte(bodies[0]))); code != 401 {
		t.Fatalf("changed body: HTTP %d", code)
	}
	if code := post(bodies[0], ""); code != 401 {
		t.Fatalf("no signature: HTTP %d", code)
	}
	fail = true
	if code := post(bodies[0], client.Sign(secret, []byte(bodies[0]))); code != 500 {
		t.Fatalf("handler error: HTTP %d", code)
	}
	if len(got) != len(bodies) {
		t.Fatalf("%d events", len(got))
	}
	m := got[0].(*client.IncomingMessage)
	if m.RequestID != "10000001" || m.PIN != "G-804036" || m.Price != 120 || m.Meta().ID != "d-1" || m.Meta().Attempted.Unix() != 1600108957 {
		t.Fatalf("incoming_message: %+v", m)
	}
	if r := got[1].(*client.IncomingMessage); r.RentalID != 3 || r.FirstRentalID != 1 || r.RequestID != "" {
		t.Fatalf("rental message: %+v", r)
	}
	if r := got[2].(*client.RentalRenewal); !r.OK || r.NewRentalID != 4 || r.Price != 2400 {
		t.Fatalf("renewal: %+v", r)
	}
	if r := got[3].(*client.RentalRenewal); r.OK || r.Message != "Low balance" {
		t.Fatalf("failed renewal: %+v", r)
	}
	if p := got[4].(*client.PremiumRequest); p.RequestID != "10000002" || p.MDN != "14155550000" || p.Price != 150 {
		t.Fatalf("premium: %+v", p)
	}
	if e := got[5].(*client.TestEvent); e.Message != "Test event from mdnhub" || e.Name() != "test" {
		t.Fatalf("test: %+v", e)
	}
	if u := got[6].(*client.UnknownEvent); u.Name() != "something_new" || u.Form.Get("x") != "1" {
		t.Fatalf("unknown: %+v", u)
	}
}
