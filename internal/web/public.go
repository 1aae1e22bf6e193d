package web

import (
	"net/http"
	"strings"

	"mdnhub/internal/catalog"
	"mdnhub/internal/mail"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := sessionFrom(r); ok {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "home", "Phone numbers for verification codes", nil)
}

// serviceRow is one line of View Services.
type serviceRow struct {
	catalog.Service
	catalog.Availability
}

type servicesPage struct {
	Query string
	Rows  []serviceRow
}

// services is View Services: public, searchable by name.
func (s *Server) services(w http.ResponseWriter, r *http.Request) {
	list, err := s.Catalog.List(r.Context())
	if err != nil {
		s.Log.Error("web: services failed", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "The services could not be listed; please retry.")
		return
	}
	p := servicesPage{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	for _, svc := range list {
		if p.Query != "" && !strings.Contains(strings.ToLower(svc.Name), strings.ToLower(p.Query)) {
			continue
		}
		p.Rows = append(p.Rows, serviceRow{svc, s.Catalog.Available(svc.ID)})
	}
	if r.Header.Get("HX-Request") == "true" {
		s.renderView(w, r, http.StatusOK, "services_rows", view{Data: p})
		return
	}
	s.render(w, r, http.StatusOK, "services", "Services", p)
}

// mailbox shows the demo's mail: the links a mail server would deliver.
func (s *Server) mailbox(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "mailbox", "Demo mailbox", []mail.Message(s.Mailbox.Messages()))
}
