package callback_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/callback"
	"mdnhub/internal/catalog"
	"mdnhub/internal/config"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

var ctx = context.Background()

// receiver records callback requests and answers with the codes given, then 200.
type receiver struct {
	mu    sync.Mutex
	codes []int
	got   []*http.Request
	body  []string
	srv   *httptest.Server
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, req)
		r.body = append(r.body, string(b))
		code := http.StatusOK
		if len(r.codes) > 0 {
			code, r.codes = r.codes[0], r.codes[1:]
		}
		r.mu.Unlock()
		if code == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func allowPrivate(c *config.Config) { c.Callbacks.AllowPrivate = true }

type event struct {
	id, attempts    int64
	status, lastErr string
}

func lastEvent(t *testing.T, e *apptest.Env, userID int64) event {
	t.Helper()
	var ev event
	if err := e.DB.R.QueryRowContext(ctx, `SELECT id, attempts, status, last_error FROM callback_events WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, userID).
		Scan(&ev.id, &ev.attempts, &ev.status, &ev.lastErr); err != nil {
		t.Fatal(err)
	}
	return ev
}

// drain runs the delivery attempts of an event as the jobs would, moving the
// fake clock by the retry interval between them.
func drain(t *testing.T, e *apptest.Env, id int64) event {
	t.Helper()
	for i := 0; i < 20; i++ {
		var ev event
		e.DB.R.QueryRowContext(ctx, `SELECT id, attempts, status, last_error FROM callback_events WHERE id = $1`, id).
			Scan(&ev.id, &ev.attempts, &ev.status, &ev.lastErr)
		if ev.status != "pending" {
			return ev
		}
		if err := e.Callbacks.Attempt(ctx, id, ev.attempts); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(e.Config.Callbacks.RetryInterval)
	}
	t.Fatal("delivery did not finish")
	return event{}
}

func setup(t *testing.T, e *apptest.Env, target string) (int64, string, catalog.Service) {
	t.Helper()
	u, _ := e.User(t, 100000)
	s, err := e.Accounts.SetCallback(ctx, u.ID, target, "")
	if err != nil {
		t.Fatal(err)
	}
	svc := e.Service(t, "Google", 120, time.Hour)
	e.Numbers(t, "12125550000", "12125550001")
	return u.ID, s.Secret, svc
}

func TestIncomingMessageFieldsAndSignature(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e0 *apptest.Env) {
		e := apptest.New(t, driverOf(e0), allowPrivate)
		rcv := newReceiver(t)
		uid, secret, svc := setup(t, e, rcv.srv.URL+"/hook?x=1")
		rs, err := e.Requests.Create(ctx, request.Ask{UserID: uid, Services: []catalog.Service{svc}, MDN: "12125550000"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: rs[0].MDN, From: "22000", Text: "G-804036 is your Google verification code."}); err != nil {
			t.Fatal(err)
		}
		ev := drain(t, e, lastEvent(t, e, uid).id)
		if ev.status != "delivered" || ev.attempts != 1 || rcv.count() != 1 {
			t.Fatalf("delivery %+v, %d requests", ev, rcv.count())
		}
		req, body := rcv.got[0], rcv.body[0]
		want := "event=incoming_message&id=10000001&timestamp=1600108956&date_time=2020-09-14+14%3A42%3A36+EDT&from=22000&to=12125550000" +
			"&service=Google&reply=G-804036+is+your+Google+verification+code.&pin=G-804036&price=1.20"
		if body != want {
			t.Fatalf("body\n%s\nwant\n%s", body, want)
		}
		if req.Method != "POST" || req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
			req.Header.Get("X-Mdnhub-Event") != "incoming_message" || req.Header.Get("X-Mdnhub-Delivery") == "" ||
			req.Header.Get("X-Mdnhub-Timestamp") == "" || req.URL.RawQuery != "x=1" {
			t.Fatalf("request %s %v %v", req.Method, req.Header, req.URL)
		}
		if req.Header.Get("X-Mdnhub-Signature") != callback.Signature(secret, []byte(body)) {
			t.Fatal("signature does not verify")
		}
		// A rental's messages carry ltr_id and first_ltr_id instead of id.
		r, err := e.Rentals.Rent(ctx, rental.Ask{UserID: uid, Service: svc, Days: 30, MDN: "12125550001"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: r.MDN, From: "22000", Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		drain(t, e, lastEvent(t, e, uid).id)
		vals, _ := url.ParseQuery(rcv.body[1])
		if vals.Get("ltr_id") != "1" || vals.Get("first_ltr_id") != "1" || vals.Has("id") || vals.Get("price") != "0.00" || vals.Get("pin") != "" {
			t.Fatalf("rental event %v", vals)
		}
	})
}

func driverOf(e *apptest.Env) string { return string(e.DB.Dialect) }

func TestRetriesThenSuccess(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e0 *apptest.Env) {
		e := apptest.New(t, driverOf(e0), allowPrivate)
		rcv := newReceiver(t, 500, 500, 500, 500)
		uid, _, svc := setup(t, e, rcv.srv.URL)
		mustEvent(t, e, uid, svc)
		ev := drain(t, e, lastEvent(t, e, uid).id)
		if ev.status != "delivered" || ev.attempts != 5 || rcv.count() != 5 {
			t.Fatalf("got %+v after %d requests, want delivered at the 5th", ev, rcv.count())
		}
		ids := map[string]bool{}
		for _, r := range rcv.got {
			ids[r.Header.Get("X-Mdnhub-Delivery")] = true
		}
		if len(ids) != 1 {
			t.Fatalf("delivery id changed across retries: %v", ids)
		}
	})
}

func TestGivesUpAfterSixAttempts(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e0 *apptest.Env) {
		e := apptest.New(t, driverOf(e0), allowPrivate)
		rcv := newReceiver(t, 500, 503, 404, 201, http.StatusFound, 500)
		uid, _, svc := setup(t, e, rcv.srv.URL)
		mustEvent(t, e, uid, svc)
		ev := drain(t, e, lastEvent(t, e, uid).id)
		if ev.status != "failed" || ev.attempts != 6 || rcv.count() != 6 {
			t.Fatalf("got %+v after %d requests, want failed after 6", ev, rcv.count())
		}
		// The 302 was not followed: nothing reached /elsewhere.
		for _, r := range rcv.got {
			if r.URL.Path == "/elsewhere" {
				t.Fatal("redirect followed")
			}
		}
		// Manual redelivery starts a new series.
		if err := e.Callbacks.Redeliver(ctx, uid, ev.id); err != nil {
			t.Fatal(err)
		}
		if ev := drain(t, e, ev.id); ev.status != "delivered" || ev.attempts != 1 {
			t.Fatalf("redelivery %+v", ev)
		}
		log, err := e.Callbacks.Log(ctx, uid, 10)
		if err != nil || len(log) != 1 || log[0].Status != "delivered" || log[0].LastCode != 200 {
			t.Fatalf("log %+v %v", log, err)
		}
	})
}

func mustEvent(t *testing.T, e *apptest.Env, uid int64, svc catalog.Service) {
	t.Helper()
	rs, err := e.Requests.Create(ctx, request.Ask{UserID: uid, Services: []catalog.Service{svc}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: rs[0].MDN, From: "22000", Text: "code 123456"}); err != nil {
		t.Fatal(err)
	}
}

func TestGuardRefusesInternalTargets(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		rcv := newReceiver(t)
		uid, _, svc := setup(t, e, rcv.srv.URL)
		mustEvent(t, e, uid, svc)
		ev := lastEvent(t, e, uid)
		if err := e.Callbacks.Attempt(ctx, ev.id, 0); err != nil {
			t.Fatal(err)
		}
		ev = lastEvent(t, e, uid)
		if rcv.count() != 0 || ev.attempts != 1 || ev.status != "pending" || ev.lastErr == "" {
			t.Fatalf("loopback target: %+v, %d requests", ev, rcv.count())
		}
		t.Log(ev.lastErr)
	})
	// The guard checks the address being dialled, before any packet leaves.
	client := callback.NewClient(2*time.Second, false)
	for _, target := range []string{"http://127.0.0.1:9/", "http://10.0.0.1/", "http://[::1]:9/", "http://169.254.169.254/", "http://0.0.0.0:9/"} {
		_, err := client.Post(target, "text/plain", nil)
		if !errors.Is(err, callback.ErrForbiddenAddress) {
			t.Errorf("%s: %v", target, err)
		}
	}
}

func TestValidateURL(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		u, _ := e.User(t, 0)
		for _, bad := range []string{"ftp://x/y", "http://", "https://user:pw@example.com/", "http://example.com/#x", "javascript:alert(1)",
			"http://example.com/" + string(make([]byte, 2100))} {
			if _, err := e.Accounts.SetCallback(ctx, u.ID, bad, ""); err == nil {
				t.Errorf("%q accepted", bad)
			}
		}
		s, err := e.Accounts.SetCallback(ctx, u.ID, "https://example.com/hook", "")
		if err != nil || len(s.Secret) < 16 {
			t.Fatalf("%+v %v", s, err)
		}
		again, _ := e.Accounts.SetCallback(ctx, u.ID, "https://example.com/other", "")
		if again.Secret != s.Secret {
			t.Fatal("secret changed without being asked")
		}
		if _, err := e.Accounts.SetCallback(ctx, u.ID, "https://example.com/hook", "short"); err == nil {
			t.Fatal("short secret accepted")
		}
	})
}
