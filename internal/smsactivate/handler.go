// Package smsactivate serves /stubs/handler_api.php, the SMS-Activate
// protocol that Tell A Bot also speaks and that DaisySMS, resellers and
// hundreds of tools take as "SMS-Activate compatible": one endpoint, an
// action parameter, the account's API key alone, and plain-text answers
// (ACCESS_NUMBER:<id>:<number>, STATUS_OK:<code>, NO_BALANCE, ...) or JSON
// for the listing actions.
//
// It is an adapter beside internal/api over the same domain: an activation
// is a one-time request (request.Service.Create), a cancel is a reject with
// its refund, activation ids are request ids, and STATUS_OK carries the PIN
// the extractor found in the stored message. Both protocols see the same
// requests, balances and messages. docs/sms-activate.md has the mapping.
package smsactivate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/message"
	"mdnhub/internal/ratelimit"
	"mdnhub/internal/request"
)

// Deps are the domain services the handler calls; it never touches SQL.
type Deps struct {
	Accounts *account.Service
	Catalog  *catalog.Catalog
	Requests *request.Service
	Messages *message.Service
	Clock    clock.Clock
	Log      *slog.Logger
	// MaxBodyBytes bounds a POST body (http.max_body_bytes; 0: 1 MiB).
	MaxBodyBytes int64
	// Limits are the budgets of calls per account and of failed
	// authentications per address, shared with api_command.php (nil:
	// unlimited).
	Limits *ratelimit.Limiter
}

// Handler serves handler_api.php.
type Handler struct {
	Deps
	actions map[string]action
	outage  db.OutageLog
}

// call is one authenticated call.
type call struct {
	ctx  context.Context
	user account.Principal
	p    params
	now  time.Time
}

// reply is an action's answer: a line of text, or a JSON value when json is
// set.
type reply struct {
	text string
	json any
}

func text(s string) reply    { return reply{text: s} }
func jsonReply(v any) reply  { return reply{json: v} }
func (r reply) isJSON() bool { return r.json != nil }

// action answers one action.
type action func(c *call) (reply, error)

// New builds the handler.
func New(d Deps) *Handler {
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	h := &Handler{Deps: d, outage: db.OutageLog{Endpoint: "sms-activate"}}
	h.actions = map[string]action{
		"getBalance":            h.getBalance,
		"getBalanceAndCashBack": h.getBalance,
		"getNumber":             h.getNumber,
		"getNumberV2":           h.getNumberV2,
		"getStatus":             h.getStatus,
		"setStatus":             h.setStatus,
		"getActiveActivations":  h.getActiveActivations,
		"getPrices":             h.getPrices,
		"getNumbersStatus":      h.getNumbersStatus,
	}
	return h
}

// Route registers the handler at the protocol's path, and at the same path
// without ".php", which some compatible services and their clients use.
func (h *Handler) Route(mux *http.ServeMux) {
	mux.Handle("/stubs/handler_api.php", h)
	mux.Handle("/stubs/handler_api", h)
}

// ServeHTTP decodes, authenticates, runs the action and writes its answer.
// Every answer is HTTP 200 (a method other than GET or POST, and a call over
// a rate limit, aside), as the protocol's clients expect: the body says what
// happened.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeText(w, http.StatusMethodNotAllowed, textBadAction)
		return
	}
	values, err := h.parse(w, r)
	if err != nil {
		writeText(w, http.StatusOK, textBadAction)
		return
	}
	p := params{values}
	name := p.raw("action")
	act, ok := h.actions[name]
	if !ok {
		writeText(w, http.StatusOK, textBadAction)
		return
	}
	var rep reply
	user, err := h.Limits.Authenticate(r, func() (account.Principal, error) {
		return h.Accounts.AuthenticateKey(r.Context(), p.raw("api_key"))
	})
	if err == nil {
		rep, err = act(&call{ctx: r.Context(), user: user, p: p, now: h.Clock.Now()})
	}
	if err != nil {
		t, internal := errorText(err)
		switch {
		case internal && errors.Is(db.Classify(err), db.ErrUnavailable):
			h.outage.Note(h.Log, name, err)
		case internal:
			h.Log.Error("sms-activate action failed", "action", name, "err", err)
		}
		code := http.StatusOK
		var limited *ratelimit.Limited
		if errors.As(err, &limited) {
			// The status and Retry-After tell clients that read HTTP;
			// the text tells those that read only the body.
			w.Header().Set("Retry-After", strconv.Itoa(int(limited.RetryAfter/time.Second)))
			code = http.StatusTooManyRequests
		}
		writeText(w, code, t)
		return
	}
	if rep.isJSON() {
		writeJSON(w, rep.json)
		return
	}
	writeText(w, http.StatusOK, rep.text)
}

// parse reads the query string and, for POST, a urlencoded or multipart body
// (whose values come first); a POST with its parameters in the query string
// alone, as some clients send it, reads the same.
func (h *Handler) parse(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.MaxBodyBytes)
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var err error
		if ct == "multipart/form-data" {
			err = r.ParseMultipartForm(h.MaxBodyBytes)
		} else {
			err = r.ParseForm()
		}
		return r.Form, err
	}
	return url.ParseQuery(r.URL.RawQuery)
}

// writeText writes a plain-text answer, without a line break, as the
// protocol's server does.
func writeText(w http.ResponseWriter, code int, s string) {
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(s)))
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write([]byte(s))
}

// writeJSON writes a JSON answer, HTML escaping off so that texts stay as
// stored, without a trailing line break.
func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeText(w, http.StatusOK, textErrorSQL)
		return
	}
	body := bytes.TrimRight(buf.Bytes(), "\n")
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// params reads parameters, trimmed.
type params struct{ v url.Values }

func (p params) raw(name string) string { return strings.TrimSpace(p.v.Get(name)) }
