package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The customers of the crash test: API clients that rent numbers, reject
// them, read their SMS, reply and rent long-term, while mdnhub is killed
// under them. Every answer they receive is written in a journal, which the
// test holds against the database at the end: an ok answer is a promise.

// journal is what the clients were told.
type journal struct {
	mu       sync.Mutex
	requests map[int64]ackRequest // request ok: id → what was promised
	rejects  map[int64]bool       // reject ok
	rentals  map[int64]ackRental  // ltr_rent ok
	sends    map[string]*sendTry  // send_sms, by its unique text
	seen     map[string]bool      // texts read_sms returned
	calls    map[string]int       // "<cmd> <ok|error|lost>" → count
}

type ackRequest struct {
	user, mdn, service string
	price              float64
}

type ackRental struct {
	user, mdn string
}

// sendTry is one send_sms call: its outcome is "ok", "lost" (no answer) or
// the error text.
type sendTry struct {
	user, mdn, outcome string
}

func newJournal() *journal {
	return &journal{requests: map[int64]ackRequest{}, rejects: map[int64]bool{}, rentals: map[int64]ackRental{},
		sends: map[string]*sendTry{}, seen: map[string]bool{}, calls: map[string]int{}}
}

func (j *journal) count(cmd, outcome string) {
	j.mu.Lock()
	j.calls[cmd+" "+outcome]++
	j.mu.Unlock()
}

// tryCall calls the API without failing the test: an error means no answer
// reached the client (the server died, or was not up), the case a real
// client cannot tell from a lost request.
func tryCall(hc *http.Client, base, user, key, cmd string, params ...string) (answer, error) {
	q := url.Values{"cmd": {cmd}, "user": {user}, "api_key": {key}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	resp, err := hc.Get(base + "?" + q.Encode())
	if err != nil {
		return answer{}, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return answer{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return answer{}, fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	var env struct {
		Status  string          `json:"status"`
		Message json.RawMessage `json:"message"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil || (env.Status != "ok" && env.Status != "error") {
		return answer{}, fmt.Errorf("not an API answer: %s", body)
	}
	return answer{Status: env.Status, Message: env.Message, Body: string(body)}, nil
}

// errText is an error answer's message.
func (a answer) errText() string {
	var s string
	json.Unmarshal(a.Message, &s)
	return s
}

// heldPool is the numbers the clients hold now, by gateway, for the
// device and the SMSC to text.
type heldPool struct {
	mu   sync.Mutex
	byGW map[string]map[string]bool
}

func newHeldPool() *heldPool { return &heldPool{byGW: map[string]map[string]bool{}} }

func (p *heldPool) add(gw, mdn string) {
	p.mu.Lock()
	if p.byGW[gw] == nil {
		p.byGW[gw] = map[string]bool{}
	}
	p.byGW[gw][mdn] = true
	p.mu.Unlock()
}

func (p *heldPool) remove(gw, mdn string) {
	p.mu.Lock()
	delete(p.byGW[gw], mdn)
	p.mu.Unlock()
}

// pick returns a held number of gw, or "".
func (p *heldPool) pick(rng *rand.Rand, gw string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.byGW[gw])
	if n == 0 {
		return ""
	}
	i := rng.IntN(n)
	for mdn := range p.byGW[gw] {
		if i == 0 {
			return mdn
		}
		i--
	}
	return ""
}

// crashWorker is one client program of one user.
type crashWorker struct {
	name     string // tags its send_sms texts
	user     string
	key      string
	base     string
	hc       *http.Client
	rng      *rand.Rand
	j        *journal
	pool     *heldPool
	services []string
	sendSeq  *atomic.Int64

	open    []openRequest
	rentals []ackRentalHeld
	lost    bool // the last step had a call without an answer
}

type openRequest struct {
	id       int64
	mdn, gw  string
	deadline time.Time
}

type ackRentalHeld struct {
	id      int64
	mdn, gw string
}

// gatewayOf tells a number's gateway by its area code (the test's inventory).
func gatewayOf(mdn string) string {
	if strings.HasPrefix(mdn, "1213") {
		return crashSMPPGateway
	}
	return crashPushGateway
}

// run acts until stop is closed.
func (w *crashWorker) run(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		pause := time.Duration(15+w.rng.IntN(40)) * time.Millisecond
		if !w.step() {
			pause = 100 * time.Millisecond // no answer: the server is down or starting
		}
		time.Sleep(pause)
	}
}

func (w *crashWorker) call(cmd string, params ...string) (answer, bool) {
	a, err := tryCall(w.hc, w.base, w.user, w.key, cmd, params...)
	if err != nil {
		w.j.count(cmd, "lost")
		w.lost = true
		return answer{}, false
	}
	w.j.count(cmd, a.Status)
	return a, true
}

// step makes one action; it reports false when a call got no answer.
func (w *crashWorker) step() bool {
	w.lost = false
	now := time.Now()
	kept := w.open[:0]
	for _, r := range w.open {
		if now.Before(r.deadline) {
			kept = append(kept, r)
		} else {
			w.pool.remove(r.gw, r.mdn)
		}
	}
	w.open = kept
	switch x := w.rng.IntN(100); {
	case x < 30 && len(w.open) < 3:
		w.request()
	case x < 42 && len(w.open) > 0:
		w.reject()
	case x < 80 && len(w.open) > 0:
		r := w.open[w.rng.IntN(len(w.open))]
		w.readAndReply("id", itoa(r.id), r.mdn)
	case x < 84 && len(w.rentals) < 2:
		w.rent()
	case x < 95 && len(w.rentals) > 0:
		r := w.rentals[w.rng.IntN(len(w.rentals))]
		w.readAndReply("mdn", r.mdn, r.mdn)
	default:
		w.call("balance")
	}
	return !w.lost
}

func (w *crashWorker) areaCode() string {
	if w.rng.IntN(2) == 0 {
		return "212"
	}
	return "213"
}

func (w *crashWorker) request() {
	service := w.services[w.rng.IntN(len(w.services))]
	a, ok := w.call("request", "service", service, "areacode", w.areaCode())
	if !ok || a.Status != "ok" {
		return
	}
	var rs []requestEntry
	if err := json.Unmarshal(a.Message, &rs); err != nil || len(rs) == 0 {
		w.j.mu.Lock()
		w.j.calls["request malformed: "+a.Body]++
		w.j.mu.Unlock()
		return
	}
	for _, r := range rs {
		var id int64
		fmt.Sscan(r.ID, &id)
		w.j.mu.Lock()
		w.j.requests[id] = ackRequest{user: w.user, mdn: r.MDN, service: r.Service, price: r.Price}
		w.j.mu.Unlock()
		gw := gatewayOf(r.MDN)
		w.open = append(w.open, openRequest{id: id, mdn: r.MDN, gw: gw,
			deadline: time.Now().Add(time.Duration(r.TillExpiration) * time.Second)})
		w.pool.add(gw, r.MDN)
	}
}

func (w *crashWorker) reject() {
	i := w.rng.IntN(len(w.open))
	r := w.open[i]
	a, ok := w.call("reject", "id", itoa(r.id))
	if !ok {
		return
	}
	switch {
	case a.Status == "ok":
		w.j.mu.Lock()
		w.j.rejects[r.id] = true
		w.j.mu.Unlock()
	case strings.HasPrefix(a.errText(), "Unable to reject an MDN that already received a message"):
		return // keep it: it may be read and replied to
	}
	w.open = append(w.open[:i], w.open[i+1:]...)
	w.pool.remove(r.gw, r.mdn)
}

func (w *crashWorker) rent() {
	service := w.services[w.rng.IntN(len(w.services))]
	a, ok := w.call("ltr_rent", "service", service, "duration", "30", "areacode", w.areaCode())
	if !ok || a.Status != "ok" {
		return
	}
	var r struct {
		ID  int64  `json:"id"`
		MDN string `json:"mdn"`
	}
	if err := json.Unmarshal(a.Message, &r); err != nil || r.ID == 0 {
		w.j.mu.Lock()
		w.j.calls["ltr_rent malformed: "+a.Body]++
		w.j.mu.Unlock()
		return
	}
	w.j.mu.Lock()
	w.j.rentals[r.ID] = ackRental{user: w.user, mdn: r.MDN}
	w.j.mu.Unlock()
	gw := gatewayOf(r.MDN)
	w.rentals = append(w.rentals, ackRentalHeld{id: r.ID, mdn: r.MDN, gw: gw})
	w.pool.add(gw, r.MDN)
}

// readAndReply reads the SMS of a request (by=id) or a rental (by=mdn) and,
// when there is one, replies to its sender half of the time.
func (w *crashWorker) readAndReply(by, value, mdn string) {
	a, ok := w.call("read_sms", by, value)
	if !ok || a.Status != "ok" {
		return
	}
	var ms []smsEntry
	if err := json.Unmarshal(a.Message, &ms); err != nil {
		w.j.mu.Lock()
		w.j.calls["read_sms malformed: "+a.Body]++
		w.j.mu.Unlock()
		return
	}
	w.j.mu.Lock()
	for _, m := range ms {
		w.j.seen[m.Reply] = true
	}
	w.j.mu.Unlock()
	if len(ms) == 0 || w.rng.IntN(2) == 0 {
		return
	}
	text := fmt.Sprintf("Reply %s %d", w.name, w.sendSeq.Add(1))
	try := &sendTry{user: w.user, mdn: mdn, outcome: "lost"}
	w.j.mu.Lock()
	w.j.sends[text] = try
	w.j.mu.Unlock()
	a, ok = w.call("send_sms", by, value, "sms", text)
	if !ok {
		return
	}
	w.j.mu.Lock()
	if a.Status == "ok" {
		try.outcome = "ok"
	} else {
		try.outcome = a.errText()
	}
	w.j.mu.Unlock()
}
