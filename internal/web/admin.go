package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/money"
	"mdnhub/internal/proxy"
	"mdnhub/internal/rental"
)

// GatewayStatus is one attached gateway as the operator pages show it.
type GatewayStatus struct {
	Name string
	// Kind is sim, httppush or smpp.
	Kind    string
	Healthy bool
	// What it can do beyond receiving SMS.
	Sending, Parking, Forwarding bool
}

// adminPageSize is how many rows an operator list shows at once.
const adminPageSize = 50

// adminRoutes registers the operator pages under /admin. Every page is
// wrapped by s.admin: anonymous visitors are sent to the login page,
// customers get 403, and every POST carries the session's form token. Each
// action calls the same domain function as its mdnhub CLI command.
func (s *Server) adminRoutes() {
	m, a := s.mux, s.admin
	m.HandleFunc("GET /admin", a(s.adminDashboard))

	m.HandleFunc("GET /admin/numbers", a(s.adminNumbers))
	m.HandleFunc("POST /admin/numbers/import", s.adminLimitUpload(adminMaxImport, a(s.adminNumbersImport)))
	m.HandleFunc("GET /admin/numbers/{mdn}", a(s.adminNumber))
	m.HandleFunc("POST /admin/numbers/{mdn}/{action}", a(s.adminNumberSwitch))

	m.HandleFunc("GET /admin/services", a(s.adminServices))
	m.HandleFunc("POST /admin/services", a(s.adminServiceSet))
	m.HandleFunc("POST /admin/services/rules", a(s.adminRuleAdd))
	m.HandleFunc("POST /admin/services/rules/{id}/delete", a(s.adminRuleDelete))

	m.HandleFunc("GET /admin/users", a(s.adminUsers))
	m.HandleFunc("GET /admin/users/{id}", a(s.adminUser))
	m.HandleFunc("POST /admin/users/{id}/credit", a(s.adminUserCredit))
	m.HandleFunc("POST /admin/users/{id}/suspend", a(s.adminUserSuspend))
	m.HandleFunc("POST /admin/users/{id}/unsuspend", a(s.adminUserSuspend))
	m.HandleFunc("POST /admin/users/{id}/key", a(s.adminUserKey))
	m.HandleFunc("POST /admin/users/{id}/role", a(s.adminUserRole))

	m.HandleFunc("GET /admin/reports", a(s.adminReports))
	m.HandleFunc("POST /admin/reports/{id}", a(s.adminReportResolve))

	m.HandleFunc("GET /admin/proxy", a(s.adminProxy))
	m.HandleFunc("POST /admin/proxy/ports", a(s.adminPortSet))
	m.HandleFunc("POST /admin/proxy/ports/{id}/{action}", a(s.adminPortSwitch))

	m.HandleFunc("GET /admin/gateways", a(s.adminGateways))
	m.HandleFunc("GET /admin/callbacks", a(s.adminCallbacks))
	m.HandleFunc("POST /admin/callbacks/{id}/redeliver", a(s.adminRedeliver))
	m.HandleFunc("GET /admin/unowned", a(s.adminUnowned))
}

// adminLimitUpload caps the size of an upload's body; for an operator it
// reads the body (to disk past 1 MB) before the form token is checked, so
// that a file too large is refused as such. Nobody else's upload is read
// here.
func (s *Server) adminLimitUpload(n int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		if sess, ok := sessionFrom(r); !ok || sess.User.Role != "admin" {
			h(w, r)
			return
		}
		var tooBig *http.MaxBytesError
		if err := r.ParseMultipartForm(1 << 20); errors.As(err, &tooBig) {
			s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d MB; split it.", n>>20))
			return
		}
		h(w, r)
	}
}

// adminView is what every operator page gets: which section it is, and the
// page's own data.
type adminView struct {
	Section string
	Page    any
}

// adminSection is one entry of the operator pages' menu.
type adminSection struct{ Key, Path, Label string }

// Sections is the operator pages' menu.
func (adminView) Sections() []adminSection {
	return []adminSection{
		{"dashboard", "/admin", "Dashboard"},
		{"numbers", "/admin/numbers", "Numbers"},
		{"services", "/admin/services", "Services"},
		{"users", "/admin/users", "Users"},
		{"reports", "/admin/reports", "Reports"},
		{"proxy", "/admin/proxy", "Proxies"},
		{"gateways", "/admin/gateways", "Gateways"},
		{"callbacks", "/admin/callbacks", "Callbacks"},
		{"unowned", "/admin/unowned", "Unowned SMS"},
	}
}

// adminRender shows an operator page.
func (s *Server) adminRender(w http.ResponseWriter, r *http.Request, status int, name, title, section, errText string, data any) {
	w.Header().Set("Cache-Control", "no-store")
	s.renderView(w, r, status, name, view{Title: title, Error: errText, Data: adminView{Section: section, Page: data}})
}

// adminSentinels are the domain errors whose text is shown to the operator, with
// their prefix taken off ("invalid: a reason is required" → "A reason is
// required.").
var adminSentinels = []error{account.ErrInvalid, catalog.ErrInvalid, inventory.ErrInvalid, rental.ErrInvalid, proxy.ErrInvalid,
	db.ErrConflict}

// adminError turns a domain error into the status and text an operator
// sees: the one place operator pages map errors.
func adminError(err error) (int, string) {
	var funds *account.InsufficientFundsError
	switch {
	case errors.As(err, &funds):
		return http.StatusConflict, "The balance is $" + money.Text(funds.BalanceCents) + "; it cannot go below zero."
	case errors.Is(err, db.ErrUnavailable):
		return http.StatusServiceUnavailable, "The database is unavailable; retry in a moment."
	case errors.Is(err, db.ErrNotFound), errors.Is(err, rental.ErrNotFound), errors.Is(err, proxy.ErrNoPort),
		errors.Is(err, catalog.ErrUnknownService):
		return http.StatusNotFound, adminSentence(err.Error())
	case errors.Is(err, rental.ErrEnded), errors.Is(err, inventory.ErrNoneAvailable), errors.Is(err, db.ErrConflict):
		return http.StatusConflict, adminSentence(err.Error())
	case errors.Is(err, proxy.ErrUpstreamRequired):
		return http.StatusBadRequest, "An upstream is required."
	}
	for _, e := range adminSentinels {
		if errors.Is(err, e) {
			return http.StatusBadRequest, adminSentence(strings.TrimPrefix(err.Error(), e.Error()+": "))
		}
	}
	return http.StatusInternalServerError, ""
}

// adminSentence capitalises text and ends it with a period.
func adminSentence(text string) string {
	if text == "" {
		return text
	}
	r, n := utf8.DecodeRuneInString(text)
	text = string(unicode.ToUpper(r)) + text[n:]
	if !strings.HasSuffix(text, ".") {
		text += "."
	}
	return text
}

// adminFailed shows err as an operator page's error; an unexpected one is
// logged and shown as a failure.
func (s *Server) adminFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	status, text := adminError(err)
	if status == http.StatusInternalServerError {
		s.Log.Error("web: operator page failed", "what", what, "err", err)
		text = "That failed (" + what + "); the server's log has the reason."
	}
	s.fail(w, r, status, text)
}

// adminDone sends the browser back to page with a notice, as the answer to a
// form that worked (so that reloading does not send it again).
func adminDone(w http.ResponseWriter, r *http.Request, page, notice string) {
	page, frag, _ := strings.Cut(page, "#")
	sep := "?"
	if strings.Contains(page, "?") {
		sep = "&"
	}
	page += sep + "notice=" + url.QueryEscape(notice)
	if frag != "" {
		page += "#" + frag
	}
	http.Redirect(w, r, page, http.StatusSeeOther)
}

// adminBack is the operator page a form came from ("back", kept on this site
// and under /admin), or def.
func adminBack(r *http.Request, def string) string {
	b := r.PostFormValue("back")
	if !strings.HasPrefix(b, "/admin") || strings.HasPrefix(b, "//") || strings.ContainsAny(b, "\\\r\n") {
		return def
	}
	// The previous notice is not repeated.
	if u, err := url.Parse(b); err == nil {
		q := u.Query()
		q.Del("notice")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return def
}

// adminPathID reads a numeric path value.
func adminPathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// adminNames looks up the user names of ids for a list.
func (s *Server) adminNames(r *http.Request, ids []int64) map[int64]string {
	seen := map[int64]bool{}
	var list []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			list = append(list, id)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	ns, err := s.Accounts.Names(r.Context(), list)
	if err != nil {
		s.Log.Warn("web: user names", "err", err)
	}
	return ns
}

// adminGatewayList lists the attached gateways, by name.
func (s *Server) adminGatewayList() []GatewayStatus {
	if s.Gateways == nil {
		return nil
	}
	gs := s.Gateways()
	sort.Slice(gs, func(i, j int) bool { return gs[i].Name < gs[j].Name })
	return gs
}
