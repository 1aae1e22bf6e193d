package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"mdnhub/internal/account"
)

type accountPage struct {
	Balance  int64
	Callback account.CallbackSettings
	Format   string
	Key      string // a new key, shown once
}

func (s *Server) accountData(r *http.Request, sess account.Session) (accountPage, error) {
	p := accountPage{Balance: sess.User.BalanceCents, Format: sess.User.RequestStatusFormat}
	var err error
	p.Callback, err = s.Accounts.Callback(r.Context(), sess.User.ID)
	return p, err
}

// accountPage is Edit profile: the API key, the callback, the answer format.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, sess account.Session) {
	p, err := s.accountData(r, sess)
	if err != nil {
		s.Log.Error("web: account failed", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "Your account could not be shown; please retry.")
		return
	}
	s.render(w, r, http.StatusOK, "account", "Your account", p)
}

// keyAsk mails the link that generates a new API key.
func (s *Server) keyAsk(w http.ResponseWriter, r *http.Request, sess account.Session) {
	token, err := s.Accounts.IssueToken(r.Context(), sess.User.ID, account.TokenAPIKey)
	if err != nil {
		s.Log.Error("web: key token failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "That failed; please try again.")
		return
	}
	text := fmt.Sprintf("Hello %s,\n\nopen this link to generate a new API key (valid for %v). The new key is shown once, and your old key stops working at once:\n\n%s\n\nIf you did not ask for it, ignore this message.\n",
		sess.User.Username, account.TokenTTL(account.TokenAPIKey), s.link(r, "/account/key?token="+url.QueryEscape(token)))
	if err := s.send(r, sess.User.Email, "Your new API key", text); err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, "The e-mail could not be sent; please try again later.")
		return
	}
	s.notice(w, r, "Check your mail", "We sent a link to "+sess.User.Email+". Open it within an hour to generate your new API key.")
}

// keyConfirmPage asks for a click before the key changes: a link opened by a
// mail scanner must not rotate anyone's key.
func (s *Server) keyConfirmPage(w http.ResponseWriter, r *http.Request, sess account.Session) {
	s.render(w, r, http.StatusOK, "key_confirm", "Generate a new API key", r.URL.Query().Get("token"))
}

func (s *Server) keyConfirm(w http.ResponseWriter, r *http.Request, sess account.Session) {
	key, err := s.Accounts.RedeemKeyToken(r.Context(), sess.User.ID, r.PostFormValue("token"))
	switch {
	case errors.Is(err, account.ErrTokenInvalid):
		s.fail(w, r, http.StatusBadRequest, account.ErrTokenInvalid.Error()+" Ask for a new link on your account page.")
		return
	case err != nil:
		s.Log.Error("web: key failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "That failed; please try again.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "key_shown", "Your new API key", key)
}

func (s *Server) callbackSet(w http.ResponseWriter, r *http.Request, sess account.Session) {
	_, err := s.Accounts.SetCallback(r.Context(), sess.User.ID, r.PostFormValue("url"), strings.TrimSpace(r.PostFormValue("secret")))
	if errors.Is(err, account.ErrInvalid) {
		p, _ := s.accountData(r, sess)
		p.Callback.URL = r.PostFormValue("url")
		s.renderView(w, r, http.StatusBadRequest, "account", view{Title: "Your account", Error: strings.TrimPrefix(err.Error(), "invalid: "), Data: p})
		return
	}
	if err != nil {
		s.Log.Error("web: callback failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "That failed; please try again.")
		return
	}
	http.Redirect(w, r, "/account?notice="+url.QueryEscape("Callback settings saved."), http.StatusSeeOther)
}

func (s *Server) formatSet(w http.ResponseWriter, r *http.Request, sess account.Session) {
	err := s.Accounts.SetRequestStatusFormat(r.Context(), sess.User.ID, r.PostFormValue("format"))
	if errors.Is(err, account.ErrInvalid) {
		s.fail(w, r, http.StatusBadRequest, "Choose array, object or the default.")
		return
	}
	if err != nil {
		s.Log.Error("web: format failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "That failed; please try again.")
		return
	}
	http.Redirect(w, r, "/account?notice="+url.QueryEscape("The answer format of request_status is saved."), http.StatusSeeOther)
}
