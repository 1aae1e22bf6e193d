package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/httprate"

	"mdnhub/internal/account"
	"mdnhub/internal/db"
	"mdnhub/internal/mail"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// limits slow down password guessing and mail flooding: per client address
// and per account, counting every attempt (a correct one too, so that a
// guesser gains nothing by mixing).
type limits struct {
	loginAddr, loginAccount *httprate.RateLimiter
	resetAddr, resetAccount *httprate.RateLimiter
	signupAddr              *httprate.RateLimiter
}

func newLimits() *limits {
	quiet := httprate.WithResponseHeaders(httprate.ResponseHeaders{})
	return &limits{
		loginAddr:    httprate.NewRateLimiter(20, time.Minute, quiet),
		loginAccount: httprate.NewRateLimiter(10, 10*time.Minute, quiet),
		resetAddr:    httprate.NewRateLimiter(5, time.Hour, quiet),
		resetAccount: httprate.NewRateLimiter(3, time.Hour, quiet),
		signupAddr:   httprate.NewRateLimiter(10, time.Hour, quiet),
	}
}

// over counts one attempt for each key and reports whether any is over its
// limit.
func over(w http.ResponseWriter, r *http.Request, pairs ...any) bool {
	limited := false
	for i := 0; i+1 < len(pairs); i += 2 {
		l, key := pairs[i].(*httprate.RateLimiter), pairs[i+1].(string)
		if l.OnLimit(w, r, key) {
			limited = true
		}
	}
	return limited
}

// clientAddr is the TCP peer; forwarding headers are not trusted.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// link is an absolute link for e-mails.
func (s *Server) link(r *http.Request, pathAndQuery string) string {
	base := strings.TrimRight(s.opt.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if s.secure(r) {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + pathAndQuery
}

func (s *Server) send(r *http.Request, to, subject, text string) error {
	err := s.Mailer.Send(r.Context(), mail.Message{To: to, Subject: subject, Text: text})
	if err != nil {
		s.Log.Error("web: sending mail failed", "err", err)
	}
	return err
}

type authForm struct {
	Username, Email, Login, Next, Token string
}

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signup", "Sign up", authForm{})
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	f := authForm{Username: strings.TrimSpace(r.PostFormValue("username")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	again := func(status int, text string) {
		s.renderView(w, r, status, "signup", view{Title: "Sign up", Error: text, Data: f})
	}
	if over(w, r, s.limits.signupAddr, clientAddr(r)) {
		again(http.StatusTooManyRequests, "Too many sign-ups from your address; try again later.")
		return
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		again(http.StatusBadRequest, "The two passwords differ.")
		return
	}
	u, token, err := s.Accounts.SignUp(r.Context(), f.Username, f.Email, pw)
	switch {
	case errors.Is(err, db.ErrConflict):
		again(http.StatusConflict, "That user name or e-mail address is taken.")
		return
	case errors.Is(err, account.ErrInvalid):
		again(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "invalid: "))
		return
	case err != nil:
		s.Log.Error("web: sign-up failed", "err", err)
		again(http.StatusInternalServerError, "Signing up failed; please try again.")
		return
	}
	text := fmt.Sprintf("Hello %s,\n\nconfirm your e-mail address by opening this link (valid for %v):\n\n%s\n\nIf you did not sign up, ignore this message.\n",
		u.Username, account.TokenTTL(account.TokenConfirm), s.link(r, "/confirm?token="+url.QueryEscape(token)))
	if err := s.send(r, u.Email, "Confirm your e-mail address", text); err != nil {
		s.notice(w, r, "Almost there", "Your account was created, but the confirmation e-mail could not be sent. Use “Forgot your password?” on the login page to get a link.")
		return
	}
	s.notice(w, r, "Check your mail", "We sent a link to "+u.Email+". Open it to confirm your address, then log in.")
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	u, err := s.Accounts.ConfirmEmail(r.Context(), r.URL.Query().Get("token"))
	switch {
	case errors.Is(err, account.ErrTokenInvalid):
		s.fail(w, r, http.StatusBadRequest, account.ErrTokenInvalid.Error()+" Log in, or ask for a new link with “Forgot your password?”.")
	case err != nil:
		s.Log.Error("web: confirmation failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Confirming failed; please try the link again.")
	default:
		s.notice(w, r, "Address confirmed", "Thank you, "+u.Username+". You can log in now.")
	}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "Log in", authForm{Next: r.URL.Query().Get("next")})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/account"
	}
	return next
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	f := authForm{Login: strings.TrimSpace(r.PostFormValue("login")), Next: r.PostFormValue("next")}
	again := func(status int, text string) {
		s.renderView(w, r, status, "login", view{Title: "Log in", Error: text, Data: f})
	}
	if over(w, r, s.limits.loginAddr, clientAddr(r), s.limits.loginAccount, strings.ToLower(f.Login)) {
		again(http.StatusTooManyRequests, "Too many attempts; wait a few minutes and try again.")
		return
	}
	u, err := s.Accounts.Login(r.Context(), f.Login, r.PostFormValue("password"))
	switch {
	case errors.Is(err, account.ErrBadLogin):
		again(http.StatusUnauthorized, "Wrong user name or password.")
		return
	case errors.Is(err, account.ErrUnconfirmed):
		again(http.StatusForbidden, "Confirm your e-mail address first: open the link we sent to "+u.Email+".")
		return
	case errors.Is(err, account.ErrSuspended):
		again(http.StatusForbidden, "This account is suspended.")
		return
	case err != nil:
		s.Log.Error("web: login failed", "err", err)
		again(http.StatusInternalServerError, "Logging in failed; please try again.")
		return
	}
	sess, err := s.Accounts.NewSession(r.Context(), u.ID, s.opt.SessionTTL)
	if err != nil {
		s.Log.Error("web: session failed", "err", err)
		again(http.StatusInternalServerError, "Logging in failed; please try again.")
		return
	}
	s.setCookie(w, r, sess)
	http.Redirect(w, r, safeNext(f.Next), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess account.Session) {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := s.Accounts.EndSession(r.Context(), c.Value); err != nil {
			s.Log.Error("web: logout failed", "err", err)
		}
	}
	s.clearCookie(w, r)
	http.Redirect(w, r, "/?notice="+url.QueryEscape("You are logged out."), http.StatusSeeOther)
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset", "Forgot your password?", authForm{})
}

// resetAsk mails a reset link; the answer is the same whether the address
// exists or not.
func (s *Server) resetAsk(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("login"))
	if over(w, r, s.limits.resetAddr, clientAddr(r), s.limits.resetAccount, strings.ToLower(login)) {
		s.renderView(w, r, http.StatusTooManyRequests, "reset", view{Title: "Forgot your password?",
			Error: "Too many requests; try again in an hour.", Data: authForm{Login: login}})
		return
	}
	u, token, err := s.Accounts.StartPasswordReset(r.Context(), login)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		s.Log.Error("web: reset failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "That failed; please try again.")
		return
	default:
		text := fmt.Sprintf("Hello %s,\n\nset a new password by opening this link (valid for %v):\n\n%s\n\nIf you did not ask for it, ignore this message; your password stays as it is.\n",
			u.Username, account.TokenTTL(account.TokenReset), s.link(r, "/reset/confirm?token="+url.QueryEscape(token)))
		s.send(r, u.Email, "Set a new password", text)
	}
	s.notice(w, r, "Check your mail", "If an account has that name or address, we sent it a link to set a new password.")
}

func (s *Server) resetConfirmPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset_confirm", "Set a new password", authForm{Token: r.URL.Query().Get("token")})
}

func (s *Server) resetConfirm(w http.ResponseWriter, r *http.Request) {
	f := authForm{Token: r.PostFormValue("token")}
	again := func(status int, text string) {
		s.renderView(w, r, status, "reset_confirm", view{Title: "Set a new password", Error: text, Data: f})
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		again(http.StatusBadRequest, "The two passwords differ.")
		return
	}
	_, err := s.Accounts.ResetPassword(r.Context(), f.Token, pw)
	switch {
	case errors.Is(err, account.ErrWeakPassword):
		again(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "invalid: "))
	case errors.Is(err, account.ErrTokenInvalid):
		s.fail(w, r, http.StatusBadRequest, account.ErrTokenInvalid.Error()+" Ask for a new link.")
	case err != nil:
		s.Log.Error("web: reset failed", "err", err)
		again(http.StatusInternalServerError, "That failed; please try again.")
	default:
		s.notice(w, r, "Password changed", "Your new password is set. Log in with it.")
	}
}
