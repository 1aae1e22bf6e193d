package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/db"
	"mdnhub/internal/money"
)

type adminUsersPage struct {
	Q         string
	Rows      []account.User
	Next      string
	FirstPage string
}

// adminUsers lists users, searched by name or e-mail, paged by id.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, sess account.Session) {
	q := r.URL.Query()
	p := adminUsersPage{Q: strings.TrimSpace(q.Get("q"))}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	rows, err := s.Accounts.Search(r.Context(), p.Q, after, adminPageSize+1)
	if err != nil {
		s.adminFailed(w, r, "users", err)
		return
	}
	if after > 0 {
		p.FirstPage = "/admin/users?" + url.Values{"q": {p.Q}}.Encode()
	}
	if len(rows) > adminPageSize {
		rows = rows[:adminPageSize]
		p.Next = "/admin/users?" + url.Values{"q": {p.Q}, "after": {strconv.FormatInt(rows[len(rows)-1].ID, 10)}}.Encode()
	}
	p.Rows = rows
	s.adminRender(w, r, http.StatusOK, "admin_users", "Users", "users", "", p)
}

// adminCreditForm is the form of mdnhub user credit.
type adminCreditForm struct{ Amount, Reason string }

type adminUserPage struct {
	U      account.User
	Self   bool // the operator looking at their own account
	Ledger []account.Entry
	Older  string // the next page of the ledger
	Newest string // the first page, when on another
	Credit adminCreditForm
}

// adminUser shows one user: balance, ledger (paged by entry), and the
// operator's actions.
func (s *Server) adminUser(w http.ResponseWriter, r *http.Request, sess account.Session) {
	s.adminUserView(w, r, sess, http.StatusOK, "", adminCreditForm{})
}

func (s *Server) adminUserView(w http.ResponseWriter, r *http.Request, sess account.Session, status int, errText string, f adminCreditForm) {
	u, ok := s.adminUserOf(w, r)
	if !ok {
		return
	}
	p := adminUserPage{U: u, Self: u.ID == sess.User.ID, Credit: f}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if r.Method != http.MethodGet {
		before = 0
	}
	ledger, err := s.Accounts.LedgerEntries(r.Context(), account.LedgerPage{UserID: u.ID, Keyset: db.Keyset{Before: before, Limit: adminPageSize}})
	if err != nil {
		s.adminFailed(w, r, "ledger", err)
		return
	}
	self := fmt.Sprintf("/admin/users/%d", u.ID)
	if before > 0 {
		p.Newest = self + "#ledger"
	}
	if ledger.HasOlder {
		p.Older = fmt.Sprintf("%s?before=%d#ledger", self, ledger.Older)
	}
	p.Ledger = ledger.Rows
	s.adminRender(w, r, status, "admin_user", u.Username, "users", errText, p)
}

// adminUserOf finds the user of the path, or answers 404.
func (s *Server) adminUserOf(w http.ResponseWriter, r *http.Request) (account.User, bool) {
	id, ok := adminPathID(r, "id")
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such user.")
		return account.User{}, false
	}
	u, err := s.Accounts.Get(r.Context(), id)
	if err != nil {
		s.adminFailed(w, r, "user", err)
		return account.User{}, false
	}
	return u, true
}

// adminUserCredit adds to or takes from a balance with a reason kept in the
// ledger, as mdnhub user credit does.
func (s *Server) adminUserCredit(w http.ResponseWriter, r *http.Request, sess account.Session) {
	u, ok := s.adminUserOf(w, r)
	if !ok {
		return
	}
	f := adminCreditForm{Amount: strings.TrimSpace(r.PostFormValue("amount")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	again := func(status int, text string) { s.adminUserView(w, r, sess, status, text, f) }
	cents, err := money.Parse(f.Amount)
	if err != nil {
		again(http.StatusBadRequest, "Amount: use dollars with at most two decimals, such as 25.00 or -5.")
		return
	}
	balance, err := s.Accounts.Credit(r.Context(), u.ID, cents, f.Reason)
	if err != nil {
		status, text := adminError(err)
		if status == http.StatusInternalServerError {
			s.adminFailed(w, r, "credit", err)
			return
		}
		again(status, text)
		return
	}
	adminDone(w, r, fmt.Sprintf("/admin/users/%d", u.ID),
		fmt.Sprintf("$%s %s; the balance of %s is now $%s.", money.Text(abs(cents)), map[bool]string{true: "credited", false: "taken away"}[cents > 0], u.Username, money.Text(balance)))
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// adminUserSuspend suspends a user or lifts the suspension, as mdnhub user
// suspend and unsuspend do: every API call of a suspended user answers
// Account suspended at once, on every server, and its web sessions end.
func (s *Server) adminUserSuspend(w http.ResponseWriter, r *http.Request, sess account.Session) {
	u, ok := s.adminUserOf(w, r)
	if !ok {
		return
	}
	suspend := strings.HasSuffix(r.URL.Path, "/suspend")
	if suspend && u.ID == sess.User.ID {
		s.fail(w, r, http.StatusConflict, "You cannot suspend yourself.")
		return
	}
	if err := s.Accounts.SetSuspended(r.Context(), u.ID, suspend); err != nil {
		s.adminFailed(w, r, "suspension", err)
		return
	}
	notice := u.Username + " is no longer suspended."
	if suspend {
		notice = u.Username + " is suspended: every API call answers Account suspended, and their web sessions have ended."
	}
	adminDone(w, r, fmt.Sprintf("/admin/users/%d", u.ID), notice)
}

// adminUserKey revokes a user's API key at once (as mdnhub user key-revoke
// does) and mails the user a link, valid for an hour, that generates a new
// key shown only to them: the operator never sees a customer's key.
func (s *Server) adminUserKey(w http.ResponseWriter, r *http.Request, sess account.Session) {
	u, ok := s.adminUserOf(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := s.Accounts.RevokeKey(ctx, u.ID); err != nil {
		s.adminFailed(w, r, "API key", err)
		return
	}
	page := fmt.Sprintf("/admin/users/%d", u.ID)
	revoked := "The API key of " + u.Username + " is revoked: calls with it answer Invalid user name or API key."
	unsent := revoked + " The e-mail with a link to a new key could not be sent; the user can ask for one on their account page."
	token, err := s.Accounts.IssueToken(ctx, u.ID, account.TokenAPIKey)
	if err != nil {
		s.Log.Error("web: key link failed", "err", err)
		adminDone(w, r, page, unsent)
		return
	}
	text := fmt.Sprintf("Hello %s,\n\nthe operator of this site has revoked your API key: calls with it no longer work.\n"+
		"Open this link to generate a new key (valid for %v); it is shown to you once:\n\n%s\n\n"+
		"You can also ask for a new link on your account page at any time.\n",
		u.Username, account.TokenTTL(account.TokenAPIKey), s.link(r, "/account/key?token="+url.QueryEscape(token)))
	if err := s.send(r, u.Email, "Your API key was revoked", text); err != nil {
		adminDone(w, r, page, unsent)
		return
	}
	adminDone(w, r, page, revoked+" We mailed "+u.Email+" a link to generate a new one (valid for an hour).")
}

// adminUserRole sets a user's role, as mdnhub user role does.
func (s *Server) adminUserRole(w http.ResponseWriter, r *http.Request, sess account.Session) {
	u, ok := s.adminUserOf(w, r)
	if !ok {
		return
	}
	role := r.PostFormValue("role")
	if u.ID == sess.User.ID && role != "admin" {
		s.fail(w, r, http.StatusConflict, "You cannot take your own operator role; another operator, or mdnhub user role, can.")
		return
	}
	if err := s.Accounts.SetRole(r.Context(), u.ID, role); err != nil {
		s.adminFailed(w, r, "role", err)
		return
	}
	adminDone(w, r, fmt.Sprintf("/admin/users/%d", u.ID), "The role of "+u.Username+" is now "+role+".")
}
