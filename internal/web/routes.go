package web

import "net/http"

// routes registers every page. GET shows, POST changes; a logged-in page's
// POST carries the session's form token (see Server.user).
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /static/", staticFiles())
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /services", s.services)

	m.HandleFunc("GET /signup", s.signupPage)
	m.HandleFunc("POST /signup", s.signup)
	m.HandleFunc("GET /confirm", s.confirm)
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.user(s.logout))
	m.HandleFunc("GET /reset", s.resetPage)
	m.HandleFunc("POST /reset", s.resetAsk)
	m.HandleFunc("GET /reset/confirm", s.resetConfirmPage)
	m.HandleFunc("POST /reset/confirm", s.resetConfirm)

	m.HandleFunc("GET /account", s.user(s.accountPage))
	m.HandleFunc("POST /account/key", s.user(s.keyAsk))
	m.HandleFunc("GET /account/key", s.user(s.keyConfirmPage))
	m.HandleFunc("POST /account/key/confirm", s.user(s.keyConfirm))
	m.HandleFunc("POST /account/callback", s.user(s.callbackSet))
	m.HandleFunc("POST /account/format", s.user(s.formatSet))

	s.customerRoutes()
	s.adminRoutes()

	if s.Mailbox != nil {
		m.HandleFunc("GET /mailbox", s.mailbox)
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "There is no such page.")
	})
}
