package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"mdnhub/internal/config"
)

// The callback delivery log: a test event goes through the outbox and its
// job to the customer's URL, shows in the log with its outcome, and can be
// delivered again; another user's event cannot.
func TestCallbackLog(t *testing.T) {
	forEachDBWith(t, func(c *config.Config) { c.Callbacks.AllowPrivate = true }, func(t *testing.T, s *site) {
		e := s.e
		var mu sync.Mutex
		var bodies []string
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
		}))
		defer rcv.Close()
		b, u := s.customer(t, 0)
		b.get("/account/callbacks").want(t, http.StatusOK, "You have no callback URL", "No events yet")
		b.post("/account/callbacks/test", url.Values{}).want(t, http.StatusBadRequest, "Set a callback URL first.")

		if _, err := e.Accounts.SetCallback(ctx, u.ID, rcv.URL+"/hook?token=sekrit", ""); err != nil {
			t.Fatal(err)
		}
		b.get("/account").want(t, http.StatusOK, `href="/account/callbacks"`)
		b.get("/account/callbacks").want(t, http.StatusOK, "Send a test event")
		b.post("/account/callbacks/test", url.Values{}).redirected(t, "/account/callbacks?notice=")
		b.get("/account/callbacks").want(t, http.StatusOK, "<code>test</code>", "pending", "Redeliver", "Test event from mdnhub", "/hook?redacted")
		if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		p := b.get("/account/callbacks").want(t, http.StatusOK, "delivered", "HTTP 200")
		id := regexp.MustCompile(`/account/callbacks/(\d+)/redeliver`).FindStringSubmatch(p.body)[1]
		if len(bodies) != 1 || !strings.HasPrefix(bodies[0], "event=test&timestamp=") {
			t.Fatalf("received %q", bodies)
		}

		other, _ := s.customer(t, 0)
		other.post("/account/callbacks/"+id+"/redeliver", url.Values{}).want(t, http.StatusNotFound)
		other.get("/account/callbacks").want(t, http.StatusOK, "No events yet")

		b.post("/account/callbacks/"+id+"/redeliver", url.Values{}).redirected(t, "/account/callbacks?notice=")
		if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if len(bodies) != 2 || bodies[1] != bodies[0] {
			t.Fatalf("redelivered %q", bodies)
		}
	})
}
