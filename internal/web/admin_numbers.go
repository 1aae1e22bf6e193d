package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/inventory"
)

// adminMaxImport is the largest numbers file the page accepts (about
// 200,000 lines).
const adminMaxImport = 8 << 20

// adminNumbersPage is the operator's list of numbers with the import form.
type adminNumbersPage struct {
	Q, Gateway, Status, State string
	Statuses                  []string
	Gateways                  []string // every gateway named by numbers or attached
	Rows                      []inventory.Number
	Self                      string // this page's address, for the forms' way back
	Next                      string // the next page's address, "" at the end
	FirstPage                 string // the first page's address, "" on it
	// The import's outcome when it was refused.
	ImportErrors []string
	Pasted       string
}

// adminNumbers lists numbers: searched by digits, filtered by gateway, US
// state and status, paged by MDN.
func (s *Server) adminNumbers(w http.ResponseWriter, r *http.Request, sess account.Session) {
	s.adminNumbersView(w, r, http.StatusOK, "", adminNumbersPage{})
}

func (s *Server) adminNumbersView(w http.ResponseWriter, r *http.Request, status int, errText string, p adminNumbersPage) {
	q := r.URL.Query()
	p.Q, p.Gateway, p.Status, p.State = strings.TrimSpace(q.Get("q")), q.Get("gateway"), q.Get("status"), strings.TrimSpace(q.Get("state"))
	p.Statuses = []string{inventory.FilterEnabled, inventory.FilterDisabled, inventory.FilterOnline, inventory.FilterOffline,
		inventory.FilterHeld, inventory.FilterFree}
	after := q.Get("after")
	filters := url.Values{"q": {p.Q}, "gateway": {p.Gateway}, "status": {p.Status}, "state": {p.State}}
	if after != "" {
		p.FirstPage = "/admin/numbers?" + filters.Encode()
	}
	rows, err := s.Inventory.Find(r.Context(), inventory.Search{Digits: p.Q, Gateway: p.Gateway, State: p.State, Status: p.Status,
		After: after, Limit: adminPageSize + 1})
	if errors.Is(err, inventory.ErrInvalid) {
		_, text := adminError(err)
		status, errText = http.StatusBadRequest, text
	} else if err != nil {
		s.adminFailed(w, r, "numbers", err)
		return
	}
	if len(rows) > adminPageSize {
		rows = rows[:adminPageSize]
		filters.Set("after", rows[len(rows)-1].MDN)
		p.Next = "/admin/numbers?" + filters.Encode()
	}
	p.Rows = rows
	p.Self = "/admin/numbers"
	if r.Method == http.MethodGet && r.URL.RawQuery != "" {
		p.Self += "?" + r.URL.RawQuery
	}
	p.Gateways, err = s.adminGatewayNames(r)
	if err != nil {
		s.adminFailed(w, r, "gateways", err)
		return
	}
	s.adminRender(w, r, status, "admin_numbers", "Numbers", "numbers", errText, p)
}

// adminGatewayNames are the gateways attached or named by a number, by name.
func (s *Server) adminGatewayNames(r *http.Request) ([]string, error) {
	seen := map[string]bool{}
	for _, g := range s.adminGatewayList() {
		seen[g.Name] = true
	}
	counts, err := s.Inventory.CountByGateway(r.Context())
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		seen[c.Gateway] = true
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// adminNumbersImport reads an uploaded (or pasted) numbers CSV as
// mdnhub numbers import does: the whole file is checked first, every bad
// line reported with the file's own line number, and nothing is stored
// unless every line is good; then all of it is stored in one transaction.
func (s *Server) adminNumbersImport(w http.ResponseWriter, r *http.Request, sess account.Session) {
	refuse := func(status int, text string, lines []string) {
		s.adminNumbersView(w, r, status, text, adminNumbersPage{ImportErrors: lines, Pasted: r.PostFormValue("csv")})
	}
	name, body, problem := adminImportSource(r)
	if problem != "" {
		refuse(http.StatusBadRequest, problem, nil)
		return
	}
	if c, ok := body.(io.Closer); ok {
		defer c.Close()
	}
	items, err := inventory.ReadNumbersCSV(name, body)
	if err != nil {
		lines := strings.Split(err.Error(), "\n")
		refuse(http.StatusBadRequest, fmt.Sprintf("Nothing was imported: %s has mistakes.", name), lines)
		return
	}
	if len(items) == 0 {
		refuse(http.StatusBadRequest, "Nothing was imported: "+name+" has no numbers.", nil)
		return
	}
	added, err := s.Inventory.Put(r.Context(), items)
	if err != nil {
		status, text := adminError(err)
		if status == http.StatusInternalServerError {
			s.Log.Error("web: import failed", "err", err)
			text = "Nothing was imported: storing the numbers failed; the server's log has the reason."
		}
		refuse(status, text, nil)
		return
	}
	notice := fmt.Sprintf("Imported %d numbers (%d new, %d updated).", len(items), added, len(items)-added)
	// As the CLI warns: undeclared gateways are allowed, but a misspelled
	// one is a likely mistake.
	attached := map[string]bool{"": true, "sim": true}
	for _, g := range s.adminGatewayList() {
		attached[g.Name] = true
	}
	for _, it := range items {
		if !attached[it.Gateway] {
			attached[it.Gateway] = true
			notice += fmt.Sprintf(" Gateway %q is not declared in the configuration: its numbers cannot send SMS and receive only through mdnhub sim send.", it.Gateway)
		}
	}
	adminDone(w, r, adminBack(r, "/admin/numbers"), notice)
}

// adminImportSource is the uploaded file ("file"), or else the pasted lines
// ("csv"), with the name errors call it by; problem says what is missing.
func adminImportSource(r *http.Request) (name string, body io.Reader, problem string) {
	f, h, err := r.FormFile("file")
	switch {
	case err == nil && h.Size > 0:
		return adminImportName(h), f, ""
	case err != nil && !errors.Is(err, http.ErrMissingFile):
		return "", nil, "The upload could not be read; try again."
	}
	if text := r.PostFormValue("csv"); strings.TrimSpace(text) != "" {
		return "pasted lines", strings.NewReader(text), ""
	}
	return "", nil, "Choose a CSV file, or paste its lines."
}

// adminImportName is the uploaded file's own name, without any folder.
func adminImportName(h *multipart.FileHeader) string {
	n := path.Base(strings.ReplaceAll(h.Filename, "\\", "/"))
	if n == "" || n == "." || n == "/" {
		return "upload.csv"
	}
	return n
}

// adminNumberSwitch enables, disables, or marks a number online or
// offline, as mdnhub numbers enable|disable|online|offline do.
func (s *Server) adminNumberSwitch(w http.ResponseWriter, r *http.Request, sess account.Session) {
	mdn, action := r.PathValue("mdn"), r.PathValue("action")
	var err error
	switch action {
	case "enable", "disable":
		err = s.Inventory.SetEnabled(r.Context(), mdn, action == "enable")
	case "online", "offline":
		err = s.Inventory.SetOnline(r.Context(), mdn, action == "online")
	default:
		s.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	if err != nil {
		s.adminFailed(w, r, action+" "+mdn, err)
		return
	}
	adminDone(w, r, adminBack(r, "/admin/numbers/"+url.PathEscape(mdn)), fmt.Sprintf("%s: %sd.", mdn, action))
}

// adminHistoryItem is one request or rental of a number.
type adminHistoryItem struct {
	Kind        string // "request" or "rental"
	ID          int64
	UserID      int64
	User        string
	Service     string
	Status      string
	PriceCents  int64
	CreatedAt   int64
	EndsAt      int64 // when it expires or expired
	ClosedAt    int64
	Description string
}

type adminNumberPage struct {
	Number  inventory.Number
	Holder  string
	History []adminHistoryItem
	Self    string
}

// adminHistoryLimit is how many requests and how many rentals the history of a
// number shows.
const adminHistoryLimit = 100

// adminNumber shows a number with its actions and history: its requests and
// rentals, newest first.
func (s *Server) adminNumber(w http.ResponseWriter, r *http.Request, sess account.Session) {
	mdn, err := inventory.NormalizeMDN(r.PathValue("mdn"))
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "That is not a US number.")
		return
	}
	ctx := r.Context()
	n, err := s.Inventory.Get(ctx, mdn)
	if err != nil {
		s.adminFailed(w, r, "number", err)
		return
	}
	reqs, err := s.Requests.ByNumber(ctx, n.ID, adminHistoryLimit)
	if err != nil {
		s.adminFailed(w, r, "requests of the number", err)
		return
	}
	rents, err := s.Rentals.ByNumber(ctx, n.ID, adminHistoryLimit)
	if err != nil {
		s.adminFailed(w, r, "rentals of the number", err)
		return
	}
	p := adminNumberPage{Number: n, Self: "/admin/numbers/" + url.PathEscape(n.MDN)}
	ids := []int64{n.HeldBy}
	for _, q := range reqs {
		p.History = append(p.History, adminHistoryItem{Kind: "request", ID: q.ID, UserID: q.UserID, Service: q.Service, Status: q.Status,
			PriceCents: q.PriceCents, CreatedAt: q.CreatedAt, EndsAt: q.ExpiresAt, ClosedAt: q.ClosedAt,
			Description: fmt.Sprintf("%d messages", q.Messages)})
		ids = append(ids, q.UserID)
	}
	for _, rt := range rents {
		status := rt.Status
		if rt.EndReason != "" {
			status += " (" + rt.EndReason + ")"
		}
		p.History = append(p.History, adminHistoryItem{Kind: "rental", ID: rt.ID, UserID: rt.UserID, Service: rt.Service, Status: status,
			PriceCents: rt.PriceCents, CreatedAt: rt.CreatedAt, EndsAt: rt.ExpiresAt, ClosedAt: rt.EndedAt,
			Description: fmt.Sprintf("%d days", rt.Days)})
		ids = append(ids, rt.UserID)
	}
	sort.SliceStable(p.History, func(i, j int) bool {
		a, b := p.History[i], p.History[j]
		if a.CreatedAt != b.CreatedAt {
			return a.CreatedAt > b.CreatedAt
		}
		return a.ID > b.ID
	})
	names := s.adminNames(r, ids)
	for i := range p.History {
		p.History[i].User = names[p.History[i].UserID]
	}
	p.Holder = names[n.HeldBy]
	s.adminRender(w, r, http.StatusOK, "admin_number", n.MDN, "numbers", "", p)
}
