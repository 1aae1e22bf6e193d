package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"mdnhub/internal/account"
)

// How the events stream of a request's page behaves.
const (
	// custEventsRecheck is how often the stream looks again by itself: messages
	// stored by another node of a cluster, and expiry, wake nobody here.
	custEventsRecheck = 2 * time.Second
	// custEventsKeepalive keeps proxies from closing a quiet stream.
	custEventsKeepalive = 15 * time.Second
	// custEventsLifetime ends a stream; the browser opens a new one (and gets
	// the state at once), which bounds what a forgotten tab holds.
	custEventsLifetime = 10 * time.Minute
	// custEventsWriteTimeout bounds each write to a client that stopped reading.
	custEventsWriteTimeout = 20 * time.Second
)

// custNumberEvents streams a request's live part as server-sent events: an
// "update" event with the part's HTML now and whenever it changes (woken
// by the same notification as read_sms wait), and "end" once the request
// has ended. The page works without it: a reload shows the same.
func (s *Server) custNumberEvents(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	ctx := r.Context()
	// Listen before the first look, so nothing falls between the two.
	wake, stop := s.Messages.Subscribe(sess.User.ID)
	defer stop()
	l, err := s.custNumberLiveData(ctx, sess, id)
	if err != nil {
		s.custFail(w, r, err, "request events", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	write := func(b []byte) bool {
		// Each write gets its own deadline: the server's write timeout
		// (90 s in mdnhub serve) is for a whole ordinary answer.
		rc.SetWriteDeadline(time.Now().Add(custEventsWriteTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write([]byte("retry: 3000\n\n")) {
		return
	}
	recheck := time.NewTicker(custEventsRecheck)
	defer recheck.Stop()
	keepalive := time.NewTicker(custEventsKeepalive)
	defer keepalive.Stop()
	end := time.NewTimer(custEventsLifetime)
	defer end.Stop()
	last := ""
	for {
		if k := l.key(); k != last {
			html, err := s.custPartial("number", "cust_number_live", l)
			if err != nil {
				s.Log.Error("web: rendering events failed", "err", err)
				return
			}
			if !write(custSSEEvent("update", html)) {
				return
			}
			last = k
		}
		if !l.R.Open() {
			write(custSSEEvent("end", "ended"))
			return
		}
		select {
		case <-wake:
		case <-recheck.C:
		case <-keepalive.C:
			if !write([]byte(": keepalive\n\n")) {
				return
			}
			continue
		case <-end.C:
			return
		case <-ctx.Done():
			return
		}
		if l, err = s.custNumberLiveData(ctx, sess, id); err != nil {
			if ctx.Err() == nil {
				s.Log.Warn("web: request events failed", "err", err)
			}
			return
		}
	}
}

// custSSEEvent is one server-sent event; each line of data is a data field.
func custSSEEvent(event, data string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "event: %s\n", event)
	for _, line := range strings.Split(strings.ReplaceAll(data, "\r", ""), "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// fragment renders the template name defined for page (a partial every
// page has) alone, for a stream or an htmx answer.
func (s *Server) custPartial(page, name string, data any) (string, error) {
	t, ok := s.pages.byName[page]
	if !ok {
		return "", fmt.Errorf("no page %s", page)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(io.Writer(&b), name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
