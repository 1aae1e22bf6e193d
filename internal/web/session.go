package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"mdnhub/internal/account"
)

// cookieName holds the session's token; the database keeps only its hash.
const cookieName = "mdnhub_session"

type sessionKey struct{}

// sessionFrom returns the logged-in session of a request, if any.
func sessionFrom(r *http.Request) (account.Session, bool) {
	s, ok := r.Context().Value(sessionKey{}).(account.Session)
	return s, ok
}

// withSession loads the session named by the cookie, if it is live.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(cookieName); err == nil {
			sess, err := s.Accounts.SessionOf(r.Context(), c.Value)
			switch {
			case err == nil:
				r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess))
			case errors.Is(err, account.ErrNoSession):
				s.clearCookie(w, r)
			default:
				s.Log.Error("web: reading a session failed", "err", err)
				s.fail(w, r, http.StatusServiceUnavailable, "The site is having trouble; please retry in a moment.")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// secure tells whether cookies of this request must be Secure.
func (s *Server) secure(r *http.Request) bool {
	switch s.opt.SecureCookies {
	case "always":
		return true
	case "never":
		return false
	}
	return r.TLS != nil || (s.opt.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// setCookie logs the browser in with sess.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, sess account.Session) {
	// MaxAge rather than Expires: the browser's clock need not agree with
	// the server's.
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.Token, Path: "/", MaxAge: int(s.opt.SessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

// user wraps a page that needs a logged-in user: without one, the login
// page (coming back afterwards). A state-changing request must carry the
// session's form token.
func (s *Server) user(h func(w http.ResponseWriter, r *http.Request, sess account.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := sessionFrom(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, http.StatusUnauthorized, "Your session has ended. Log in and try again.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !s.tokenOK(r, sess) {
			s.fail(w, r, http.StatusForbidden, "This form has expired. Reload the page and try again.")
			return
		}
		h(w, r, sess)
	}
}

// admin wraps an operator page: 403 for customers.
func (s *Server) admin(h func(w http.ResponseWriter, r *http.Request, sess account.Session)) http.HandlerFunc {
	return s.user(func(w http.ResponseWriter, r *http.Request, sess account.Session) {
		if sess.User.Role != "admin" {
			s.fail(w, r, http.StatusForbidden, "This page is for operators.")
			return
		}
		h(w, r, sess)
	})
}

// tokenOK checks the form token (a field, or htmx's header) of a
// state-changing request against the session's.
func (s *Server) tokenOK(r *http.Request, sess account.Session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}
