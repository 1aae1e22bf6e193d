package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/areacode"
	"mdnhub/internal/callback"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
	"mdnhub/internal/refusal"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// customerRoutes registers the customers' pages: numbers for one code,
// long-term rentals, the message log, the request history, the balance,
// proxies and the callback delivery log. Every page is the logged-in
// user's own; another user's request, rental, message or proxy rental is
// "no such page".
func (s *Server) customerRoutes() {
	m := s.mux
	m.HandleFunc("GET /numbers", s.user(s.custNumbers))
	m.HandleFunc("POST /numbers", s.user(s.custNumberCreate))
	m.HandleFunc("GET /numbers/{id}", s.userID(s.custNumber))
	m.HandleFunc("GET /numbers/{id}/events", s.userID(s.custNumberEvents))
	m.HandleFunc("POST /numbers/{id}/reject", s.userID(s.custNumberReject))
	m.HandleFunc("POST /numbers/{id}/sms", s.userID(s.custNumberReply))

	m.HandleFunc("GET /rentals", s.user(s.custRentals))
	m.HandleFunc("POST /rentals", s.user(s.custRentalCreate))
	m.HandleFunc("GET /rentals/{id}", s.userID(s.custRental))
	m.HandleFunc("GET /rentals/{id}/release", s.userID(s.custRentalReleasePage))
	m.HandleFunc("POST /rentals/{id}/{action}", s.userID(s.custRentalAction))

	m.HandleFunc("GET /messages", s.user(s.custMessages))
	m.HandleFunc("GET /messages/{id}", s.userID(s.custMessage))
	m.HandleFunc("GET /requests", s.user(s.custRequests))
	m.HandleFunc("GET /balance", s.user(s.custBalance))

	m.HandleFunc("GET /proxies", s.user(s.custProxies))
	m.HandleFunc("POST /proxies", s.user(s.custProxyRent))
	m.HandleFunc("GET /proxies/{id}", s.userID(s.custProxy))
	m.HandleFunc("GET /proxies/{id}/credentials", s.userID(s.custProxyCredentials))
	m.HandleFunc("POST /proxies/{id}/swap", s.userID(s.custProxySwap))
	m.HandleFunc("POST /proxies/{id}/redial", s.userID(s.custProxyRedial))

	m.HandleFunc("GET /account/callbacks", s.user(s.custCallbacks))
	m.HandleFunc("POST /account/callbacks/test", s.user(s.custCallbackTest))
	m.HandleFunc("POST /account/callbacks/{id}/redeliver", s.userID(s.custCallbackRedeliver))
}

// custRefusalTexts are the refusals the site words otherwise than the API:
// there is no parameter to name on a page, and a form has its own steps.
// Every other refusal reads as the API documentation words it.
var custRefusalTexts = map[error]string{
	message.ErrEmptyText:     "Write the message first",
	message.ErrRequestClosed: "The request no longer holds its number",
	callback.ErrNoCallback:   "Set a callback URL first.",
}

// custNotFound are the domain's answers for something that is not the user's
// (or does not exist): the page is then "no such page".
var custNotFound = []error{request.ErrNotFound, rental.ErrNotFound, message.ErrNotFound, proxy.ErrNotFound, db.ErrNotFound}

// custFieldError is a refusal of a form found before the domain is asked, with
// the API's wording of the parameter's rule.
type custFieldError struct{ text string }

func (e *custFieldError) Error() string { return e.text }

// custRefusal turns a domain error into the status and text a customer sees;
// ok is false for an error that is not the customer's doing (a fault).
func custRefusal(err error) (status int, text string, ok bool) {
	var fe *custFieldError
	var funds *account.InsufficientFundsError
	if errors.As(err, &fe) {
		return http.StatusBadRequest, fe.text, true
	}
	for _, nf := range custNotFound {
		if errors.Is(err, nf) {
			return http.StatusNotFound, "There is no such page.", true
		}
	}
	for target, text := range custRefusalTexts {
		if errors.Is(err, target) {
			return http.StatusBadRequest, text, true
		}
	}
	text, ok = refusal.Text(err)
	switch {
	case !ok:
		return 0, "", false
	case errors.As(err, &funds):
		return http.StatusPaymentRequired, text, true
	case errors.As(err, new(*request.ClosedError)):
		return http.StatusConflict, text, true
	}
	return http.StatusBadRequest, text, true
}

// custFail answers a request whose action failed with err: a refusal
// re-renders the page through again (or shows "no such page"), a fault is
// logged and shown as such.
func (s *Server) custFail(w http.ResponseWriter, r *http.Request, err error, what string, again func(status int, text string)) {
	status, text, ok := custRefusal(err)
	switch {
	case ok && status == http.StatusNotFound:
		s.fail(w, r, http.StatusNotFound, text)
	case ok && again != nil:
		again(status, text)
	case ok:
		s.fail(w, r, status, text)
	case errors.Is(db.Classify(err), db.ErrUnavailable):
		s.Log.Warn("web: "+what+" failed", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The service is temporarily unavailable; please retry in a moment.")
	default:
		s.Log.Error("web: "+what+" failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "That failed; please try again.")
	}
}

// userID is user for a page about one thing, named by the {id} of its path:
// a malformed id names nothing, "no such page", and a good one is handed to
// h, which still asks the domain whether the thing is the user's.
func (s *Server) userID(h func(w http.ResponseWriter, r *http.Request, sess account.Session, id int64)) http.HandlerFunc {
	return s.user(func(w http.ResponseWriter, r *http.Request, sess account.Session) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, http.StatusNotFound, "There is no such page.")
			return
		}
		h(w, r, sess, id)
	})
}

// custRedirect redirects to path with a notice, after a change (POST, then GET).
func custRedirect(w http.ResponseWriter, r *http.Request, path, notice string) {
	if notice != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "notice=" + url.QueryEscape(notice)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// custService reads a service field: its catalog entry, or the API's refusal.
func (s *Server) custService(r *http.Request, field string) (catalog.Service, error) {
	name := strings.TrimSpace(r.PostFormValue(field))
	if name == "" {
		return catalog.Service{}, &custFieldError{"Choose a service."}
	}
	svc, err := s.Catalog.Lookup(r.Context(), name)
	if errors.Is(err, catalog.ErrUnknownService) {
		if len(name) > 64 {
			name = name[:64]
		}
		return svc, &custFieldError{"Invalid service name " + name}
	}
	return svc, err
}

// custTarget reads which number a form asks for, as the API does: mdn wins
// over areacode, which wins over state; with an area code the state is
// derived from it.
func custTarget(r *http.Request) (mdn, area, state string, err error) {
	if v := strings.TrimSpace(r.PostFormValue("mdn")); v != "" {
		m, err := inventory.NormalizeMDN(v)
		if len(v) > 32 || err != nil {
			return "", "", "", &custFieldError{"Invalid mdn: must be an 11-digit US number"}
		}
		return m, "", "", nil
	}
	if v := strings.TrimSpace(r.PostFormValue("areacode")); v != "" {
		if !inventory.ValidAreaCode(v) {
			return "", "", "", &custFieldError{"Invalid area code: must be 3 digits"}
		}
		st, _ := areacode.State(v)
		return "", v, st, nil
	}
	if v := strings.TrimSpace(r.PostFormValue("state")); v != "" {
		if !areacode.ValidState(v) {
			return "", "", "", &custFieldError{"Invalid state: must be a 2-letter US state abbreviation"}
		}
		return "", "", strings.ToUpper(v), nil
	}
	return "", "", "", nil
}

// custPager is the way to the neighbouring pages of a keyset-paged list.
type custPager struct {
	First, Newer, Older string // links; "" when there is no such page
}

// custLink is path with the query q and one cursor parameter.
func custLink(path string, q url.Values, key, cursor string) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "before" && k != "after" && k != "notice" && len(vs) > 0 && vs[0] != "" {
			v.Set(k, vs[0])
		}
	}
	if key != "" {
		v.Set(key, cursor)
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// custKeyset reads the cursor of an id-keyed page: before or after an id
// (neither when absent or malformed), one page of custPageSize.
func custKeyset(q url.Values) db.Keyset {
	id := func(key string) int64 {
		id, err := strconv.ParseInt(q.Get(key), 10, 64)
		if err != nil || id < 0 {
			return 0
		}
		return id
	}
	return db.Keyset{Before: id("before"), After: id("after"), Limit: custPageSize}
}

// custKeysetPager builds the links of an id-keyed page.
func custKeysetPager[T any](path string, q url.Values, p db.Page[T]) custPager {
	var l custPager
	if p.HasNewer {
		l.First = custLink(path, q, "", "")
		l.Newer = custLink(path, q, "after", strconv.FormatInt(p.Newer, 10))
	}
	if p.HasOlder {
		l.Older = custLink(path, q, "before", strconv.FormatInt(p.Older, 10))
	}
	return l
}

// custLeft is a time left, as the pages show it: 14:05, 1:02:03, 3d 4h.
func custLeft(seconds int64) string {
	if seconds <= 0 {
		return "0:00"
	}
	d, h, m, s := seconds/86400, seconds%86400/3600, seconds%3600/60, seconds%60
	switch {
	case d > 0:
		return strconv.FormatInt(d, 10) + "d " + strconv.FormatInt(h, 10) + "h"
	case h > 0:
		return strconv.FormatInt(h, 10) + ":" + custTwo(m) + ":" + custTwo(s)
	}
	return strconv.FormatInt(m, 10) + ":" + custTwo(s)
}

func custTwo(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// custSMS is a message as the pages show it, its code marked: Before, PIN
// and After are the text around the first occurrence of the code. It is
// flat: templates find promoted fields of embedded structs slowly.
type custSMS struct {
	ID, RequestID, RentalID, ReceivedAt, PriceCents        int64
	Kind, MDN, From, Recipient, Status, Service, PIN, Text string
	Before, After                                          string
	When                                                   string // ReceivedAt in New York time
	Outbound, Billing                                      bool
}

func custSMSOf(e message.LogEntry) custSMS {
	v := custSMS{ID: e.ID, RequestID: e.RequestID, RentalID: e.RentalID, ReceivedAt: e.ReceivedAt, PriceCents: e.PriceCents,
		Kind: e.Kind, MDN: e.MDN, From: e.From, Recipient: e.Recipient, Status: e.Status, Service: e.Service, Text: e.Text,
		Before: e.Text, When: clock.HumanTime(time.Unix(e.ReceivedAt, 0)), Outbound: e.Kind == message.KindOutbound, Billing: e.Kind == message.KindBilling}
	if e.PIN != "" {
		if i := strings.Index(e.Text, e.PIN); i >= 0 {
			v.PIN, v.Before, v.After = e.PIN, e.Text[:i], e.Text[i+len(e.PIN):]
		}
	}
	return v
}

// custInbound shows messages read by message.Service.Read.
func custInbound(ms []message.Message) []custSMS {
	out := make([]custSMS, len(ms))
	for i, m := range ms {
		out[i] = custSMSOf(message.LogEntry{Message: m, Kind: message.KindSMS})
	}
	return out
}
