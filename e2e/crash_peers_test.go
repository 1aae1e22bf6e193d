package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The peers of the crash test, each recording what it saw: the Android-style
// device that pushes SMS to /gateway/<name>/inbound, the device's send_url
// that takes mdnhub's outbound SMS, and a customer's callback receiver.

// hashOf spreads a string over n buckets, so that a peer's behaviour for an
// id (fail its first attempt, answer slowly) is fixed by the id.
func hashOf(s string, n uint32) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() % n
}

// ---------------------------------------------------------------------------
// The push device

// pushMsg is one SMS the device received and must hand to mdnhub.
type pushMsg struct {
	id, to, from, text string
	ts                 int64
	attempts           int
	acks               int     // 200 answers
	dupAcks            int     // of which "duplicate":true
	messageIDs         []int64 // message_id of each 200
}

// pushDevice posts its SMS to mdnhub and, as a real device would, retries
// each one (same id, same timestamp) until it gets a 200.
type pushDevice struct {
	url, token string
	client     *http.Client
	queue      chan *pushMsg
	seq        atomic.Int64
	prefix     string

	mu   sync.Mutex
	all  []*pushMsg
	errs []string // answers a correct device never gets (400, 401, 403)
}

func newPushDevice(url, token, prefix string) *pushDevice {
	return &pushDevice{url: url, token: token, prefix: prefix, queue: make(chan *pushMsg, 100000),
		client: &http.Client{Timeout: 5 * time.Second}}
}

// add makes a new SMS and queues it.
func (d *pushDevice) add(to, from, text string) *pushMsg {
	m := &pushMsg{id: fmt.Sprintf("%s-%d", d.prefix, d.seq.Add(1)), to: to, from: from, text: text, ts: time.Now().Unix()}
	d.mu.Lock()
	d.all = append(d.all, m)
	d.mu.Unlock()
	d.queue <- m
	return m
}

// run sends queued SMS until stop is closed.
func (d *pushDevice) run(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case m := <-d.queue:
			d.deliver(m, stop)
		}
	}
}

func (d *pushDevice) deliver(m *pushMsg, stop <-chan struct{}) {
	body, _ := json.Marshal(map[string]any{"id": m.id, "to": m.to, "from": m.from, "text": m.text, "timestamp": m.ts})
	for {
		d.mu.Lock()
		m.attempts++
		d.mu.Unlock()
		code, answer, err := d.post(body)
		switch {
		case err == nil && code == http.StatusOK:
			var a struct {
				Status    string `json:"status"`
				MessageID int64  `json:"message_id"`
				Duplicate bool   `json:"duplicate"`
			}
			if json.Unmarshal(answer, &a) != nil || a.Status != "ok" || a.MessageID == 0 {
				d.fail("%s: 200 with a body that is not the documented answer: %s", m.id, answer)
				return
			}
			d.mu.Lock()
			m.acks++
			m.messageIDs = append(m.messageIDs, a.MessageID)
			if a.Duplicate {
				m.dupAcks++
			}
			d.mu.Unlock()
			return
		case err == nil && code != http.StatusServiceUnavailable:
			d.fail("%s: HTTP %d %s", m.id, code, answer)
			return
		}
		// No answer (the server died or is starting) or 503: again, later.
		select {
		case <-stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (d *pushDevice) post(body []byte) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

func (d *pushDevice) fail(format string, args ...any) {
	d.mu.Lock()
	d.errs = append(d.errs, fmt.Sprintf(format, args...))
	d.mu.Unlock()
}

// pending is how many SMS have no 200 yet.
func (d *pushDevice) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, m := range d.all {
		if m.acks == 0 {
			n++
		}
	}
	return n
}

// ---------------------------------------------------------------------------
// The device's send_url

// sendHit is one outbound SMS mdnhub handed to the device.
type sendHit struct {
	id, from, to string
	code         int
	gen          int
}

// sendServer records every outbound SMS by text. It refuses (HTTP 500) the
// texts whose hash says so, always the same ones, so refusals are tested too.
type sendServer struct {
	srv      *httptest.Server
	gen      func() int
	onAccept func() // called after each acceptance is answered
	mu       sync.Mutex
	got      map[string][]sendHit
	errs     []string
}

func newSendServer(gen func() int) *sendServer {
	s := &sendServer{gen: gen, got: map[string][]sendHit{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// refuses reports whether the device refuses to send text.
func refuses(text string) bool { return hashOf(text, 8) == 0 }

func (s *sendServer) handle(w http.ResponseWriter, r *http.Request) {
	gen := s.gen()
	body, _ := io.ReadAll(r.Body)
	var m struct{ ID, From, To, Text string }
	if r.Header.Get("Authorization") != "Bearer "+crashSendToken || json.Unmarshal(body, &m) != nil || m.ID == "" || m.Text == "" {
		s.mu.Lock()
		s.errs = append(s.errs, fmt.Sprintf("malformed send: auth %q body %s", r.Header.Get("Authorization"), body))
		s.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	code := http.StatusOK
	if refuses(m.Text) {
		code = http.StatusInternalServerError
	}
	s.mu.Lock()
	s.got[m.Text] = append(s.got[m.Text], sendHit{id: m.ID, from: m.From, to: m.To, code: code, gen: gen})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if code == http.StatusOK {
		fmt.Fprintf(w, `{"id":"dev-%s"}`, m.ID)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if s.onAccept != nil {
			s.onAccept()
		}
	}
}

// ---------------------------------------------------------------------------
// The callback receiver

// cbHit is one delivery attempt the receiver saw.
type cbHit struct {
	gen   int // the mdnhub process that sent it
	code  int
	event string
}

// cbReceiver is a customer's callback URL. It checks each attempt's
// signature and headers, fails the first attempt of one delivery id in
// five (HTTP 500) so that retries happen, answers one in seven slowly (so
// that kills land in the middle of attempts), and records every attempt by
// its X-Mdnhub-Delivery id.
type cbReceiver struct {
	srv    *httptest.Server
	secret string
	gen    func() int
	on200  func() // called after each 200 is written
	mu     sync.Mutex
	hits   map[string][]cbHit
	errs   []string
}

func newCBReceiver(secret string, gen func() int) *cbReceiver {
	c := &cbReceiver{secret: secret, gen: gen, hits: map[string][]cbHit{}}
	c.srv = httptest.NewServer(http.HandlerFunc(c.handle))
	return c
}

func (c *cbReceiver) handle(w http.ResponseWriter, r *http.Request) {
	gen := c.gen() // the sender; read before any wait, while it may yet be killed
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get("X-Mdnhub-Delivery")
	event := r.Header.Get("X-Mdnhub-Event")
	mac := hmac.New(sha256.New, []byte(c.secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if id == "" || !strings.HasPrefix(string(body), "event="+event+"&") ||
		!hmac.Equal([]byte(want), []byte(r.Header.Get("X-Mdnhub-Signature"))) {
		c.mu.Lock()
		c.errs = append(c.errs, fmt.Sprintf("bad callback: delivery %q event %q body %s", id, event, body))
		c.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	c.mu.Lock()
	first := len(c.hits[id]) == 0
	c.mu.Unlock()
	code := http.StatusOK
	if first && hashOf(id, 5) == 0 {
		code = http.StatusInternalServerError
	}
	if hashOf(id+"slow", 7) == 0 {
		time.Sleep(300 * time.Millisecond)
	}
	c.mu.Lock()
	c.hits[id] = append(c.hits[id], cbHit{gen: gen, code: code, event: event})
	c.mu.Unlock()
	w.WriteHeader(code)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if code == http.StatusOK && c.on200 != nil {
		c.on200()
	}
}

// snapshot copies the hits.
func (c *cbReceiver) snapshot() map[string][]cbHit {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string][]cbHit, len(c.hits))
	for k, v := range c.hits {
		out[k] = append([]cbHit(nil), v...)
	}
	return out
}

// itoa is strconv.Itoa for int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
