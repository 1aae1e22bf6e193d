package web_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/message"
)

// sseEvent is one server-sent event.
type sseEvent struct{ name, data string }

// stream opens a server-sent events stream as the browser; events arrive
// on the channel until the stream ends or the test does.
func (b *browser) stream(path string) (<-chan sseEvent, *http.Response) {
	b.t.Helper()
	c, cancel := context.WithCancel(context.Background())
	b.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(c, http.MethodGet, b.s.srv.URL+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { resp.Body.Close() })
	out := make(chan sseEvent, 16)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					ev.data = strings.Join(data, "\n")
					out <- ev
				}
				ev, data = sseEvent{}, nil
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	return out, resp
}

// next waits for the next event named name.
func next(t *testing.T, events <-chan sseEvent, name string, within time.Duration) sseEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before a %q event", name)
			}
			if ev.name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event within %v", name, within)
		}
	}
}

// The request's events stream sends the live part at once, then again when
// a message arrives after the page was opened: the code shows without a
// reload; then the end once the request is over. Another user's stream is
// not found.
func TestLiveCode(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		b, _ := s.customer(t, 1000)
		loc := b.post("/numbers", url.Values{"service": {"Google"}}).redirected(t, "/numbers/")
		b.get(loc).want(t, http.StatusOK, "No message yet")

		events, resp := b.stream(loc + "/events")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("events: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		first := next(t, events, "update", 5*time.Second)
		if !strings.Contains(first.data, "Reserved") || strings.Contains(first.data, "pin") {
			t.Fatalf("first update: %s", first.data)
		}
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: "12125550000", From: "22000",
			Text: "Your Google code is 482913. <script>alert(1)</script>"}); err != nil {
			t.Fatal(err)
		}
		// Woken by the delivery: well before the stream's own re-check.
		start := time.Now()
		got := next(t, events, "update", 5*time.Second)
		if !strings.Contains(got.data, `<mark class="pin">482913</mark>`) || !strings.Contains(got.data, "Completed") {
			t.Fatalf("update after the message: %s", got.data)
		}
		if strings.Contains(got.data, "<script>") || !strings.Contains(got.data, "&lt;script&gt;") {
			t.Fatalf("the message is not escaped: %s", got.data)
		}
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Logf("the update came after %v", d)
		}

		// Someone else's request has no stream.
		other, _ := s.customer(t, 0)
		other.get(loc+"/events").want(t, http.StatusNotFound)

		// At the end of its lifetime the stream says so and closes.
		e.Clock.Advance(16 * time.Minute)
		if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		end := next(t, events, "end", 10*time.Second)
		if end.data != "ended" {
			t.Fatalf("end event %+v", end)
		}
	})
}

// The stream outlives the server's read and write timeouts, which are for
// ordinary answers (mdnhub serve sets 30 s and 90 s): each write of the
// stream has its own deadline.
func TestLiveCodeOutlivesServerTimeouts(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			e := apptest.New(t, driver, nil)
			e.Service(t, "Google", 100, 0)
			e.Numbers(t, "12125550000")
			if err := e.Catalog.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: e.Handler(), ReadTimeout: time.Second, WriteTimeout: time.Second}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
			s := &site{e: e, srv: &httptest.Server{URL: "http://" + ln.Addr().String()}}
			b, _ := s.customer(t, 1000)
			loc := b.post("/numbers", url.Values{"service": {"Google"}}).redirected(t, "/numbers/")
			events, _ := b.stream(loc + "/events")
			next(t, events, "update", 5*time.Second)
			time.Sleep(2500 * time.Millisecond)
			if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: "12125550000", From: "22000", Text: "Your code is 482913"}); err != nil {
				t.Fatal(err)
			}
			if got := next(t, events, "update", 5*time.Second); !strings.Contains(got.data, "482913") {
				t.Fatalf("update %s", got.data)
			}
		})
	}
}
