package callback_test

import (
	"errors"
	"net/url"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/callback"
)

// A test event is recorded with its delivery job in one transaction and
// delivered, signed, like any event; without a URL there is nothing to test.
func TestSendTest(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e0 *apptest.Env) {
		e := apptest.New(t, driverOf(e0), allowPrivate)
		u, _ := e.User(t, 0)
		if _, err := e.Callbacks.SendTest(ctx, u.ID); !errors.Is(err, callback.ErrNoCallback) {
			t.Fatalf("without a URL: %v", err)
		}
		rcv := newReceiver(t)
		s, err := e.Accounts.SetCallback(ctx, u.ID, rcv.srv.URL+"/hook", "")
		if err != nil {
			t.Fatal(err)
		}
		id, err := e.Callbacks.SendTest(ctx, u.ID)
		if err != nil || id == 0 {
			t.Fatalf("SendTest: %d %v", id, err)
		}
		// The job was stored with the event: running the due jobs delivers it.
		if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if rcv.count() != 1 {
			t.Fatalf("%d deliveries", rcv.count())
		}
		vals, _ := url.ParseQuery(rcv.body[0])
		if vals.Get("event") != "test" || vals.Get("timestamp") != "1600108956" || vals.Get("date_time") != "2020-09-14 14:42:36 EDT" ||
			vals.Get("message") != callback.TestMessage {
			t.Fatalf("body %q", rcv.body[0])
		}
		if got := rcv.got[0].Header.Get("X-Mdnhub-Signature"); got != callback.Signature(s.Secret, []byte(rcv.body[0])) {
			t.Fatal("signature does not verify")
		}
		log, err := e.Callbacks.Log(ctx, u.ID, 10)
		if err != nil || len(log) != 1 || log[0].ID != id || log[0].Event != "test" || log[0].Status != "delivered" {
			t.Fatalf("log %+v %v", log, err)
		}
	})
}
