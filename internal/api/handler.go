package api

import (
	"context"
	"errors"

	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
	"mdnhub/internal/ratelimit"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// Deps are the domain services the API calls; it never touches SQL itself.
type Deps struct {
	Accounts *account.Service
	Catalog  *catalog.Catalog
	Requests *request.Service
	Rentals  *rental.Service
	Messages *message.Service
	Proxies  *proxy.Service
	Clock    clock.Clock
	Log      *slog.Logger
	Metrics  *Metrics
	// RequestStatusObject makes request_status answer one object instead of
	// an array (compat.request_status_object).
	RequestStatusObject bool
	MaxBodyBytes        int64
	// Limits are the budgets of calls per account and of failed
	// authentications per address, shared with the other protocols (nil:
	// unlimited).
	Limits *ratelimit.Limiter
}

// Handler serves api_command.php.
type Handler struct {
	Deps
	commands map[string]command
	outage   db.OutageLog
}

// call is one authenticated API call.
type call struct {
	ctx  context.Context
	user account.Principal
	p    params
	now  time.Time
}

// command answers one cmd; the returned value becomes "message".
type command func(c *call) (any, error)

// NewHandler builds the API handler.
func NewHandler(d Deps) *Handler {
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	h := &Handler{Deps: d, outage: db.OutageLog{Endpoint: "api"}}
	h.commands = map[string]command{
		"request":        h.request,
		"request_status": h.requestStatus,
		"reject":         h.reject,
		"read_sms":       h.readSMS,
		"send_sms":       h.sendSMS,
		"list_services":  h.listServices,
		"balance":        h.balance,

		"ltr_rent":            h.ltrRent,
		"ltr_status":          h.ltrStatus,
		"ltr_activate":        h.ltrActivate,
		"ltr_release":         h.ltrRelease,
		"ltr_autorenew":       h.ltrAutorenew,
		"ltr_report":          h.ltrReport,
		"ltr_reported_status": h.ltrReportedStatus,
		"ltr_switch_service":  h.ltrSwitchService,
		"ltr_forward":         h.ltrForward,

		"proxy_list":   h.proxyList,
		"proxy_rent":   h.proxyRent,
		"proxy_swap":   h.proxySwap,
		"proxy_redial": h.proxyRedial,

		// Legacy names an old client still sends (with pass=).
		"rent":             h.ltrRent,
		"toggle_autorenew": h.ltrAutorenew,
		"timeout":          h.reject,
	}
	return h
}

// ServeHTTP decodes, authenticates, runs the command and writes the envelope.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	cmdName, outcome := "", "error"
	defer func() { h.Metrics.observe(cmdName, outcome, time.Since(start)) }()

	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed: use GET or POST")
		return
	}
	values, err := h.parse(w, r)
	if err != nil {
		writeError(w, http.StatusOK, err.Error())
		return
	}
	p := params{values}
	name := p.raw("cmd")
	cmd, ok := h.commands[name]
	if !ok {
		cmdName = "unknown"
		if len(name) > 64 {
			name = name[:64]
		}
		writeError(w, http.StatusOK, "Unknown command "+name)
		return
	}
	cmdName = name
	user, err := h.Limits.Authenticate(r, func() (account.Principal, error) { return h.authenticate(r.Context(), p) })
	var limited *ratelimit.Limited
	if errors.As(err, &limited) {
		outcome = "limited"
		tooMany(w, limited.RetryAfter)
		return
	}
	if err == nil {
		var msg any
		msg, err = cmd(&call{ctx: r.Context(), user: user, p: p, now: h.Clock.Now()})
		if err == nil {
			outcome = "ok"
			writeOK(w, msg)
			return
		}
	}
	text, internal := errorText(err)
	switch {
	case internal && errors.Is(db.Classify(err), db.ErrUnavailable):
		// During an outage every call fails alike: one line now and then
		// tells the operator, instead of one per call.
		outcome = "unavailable"
		h.outage.Note(h.Log, name, err)
	case internal:
		outcome = "internal"
		h.Log.Error("api command failed", "cmd", name, "err", err)
	}
	writeError(w, http.StatusOK, text)
}

// parse reads the query string and, for POST, a urlencoded or multipart body;
// both give the same parameters.
func (h *Handler) parse(w http.ResponseWriter, r *http.Request) (map[string][]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.MaxBodyBytes)
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var err error
		if ct == "multipart/form-data" {
			err = r.ParseMultipartForm(h.MaxBodyBytes)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, errorf("Request body too large")
			}
			return nil, errorf("Malformed request body")
		}
		return r.Form, nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf("Malformed query string")
	}
	return q, nil
}

func (h *Handler) authenticate(ctx context.Context, p params) (account.Principal, error) {
	user := p.raw("user")
	if user == "" {
		return account.Principal{}, missing("user")
	}
	key := p.first("api_key", "pass")
	if key == "" {
		return account.Principal{}, missing("api_key")
	}
	return h.Accounts.Authenticate(ctx, user, key)
}

// Route registers the API on mux at both paths the API family uses.
func (h *Handler) Route(mux *http.ServeMux) {
	mux.Handle("/api_command.php", h)
	mux.Handle("/sims/api_command.php", h)
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)
}

// splitList splits a comma-separated parameter into trimmed, non-empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
