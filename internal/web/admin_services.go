package web

import (
	"net/http"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/money"
)

// adminServiceForm is the form of mdnhub services set: prices in dollars.
type adminServiceForm struct {
	Name, Price, LTRPrice, LTRShortPrice, Lifetime string
	Hidden                                         bool
}

// adminRuleForm is the form of mdnhub services rule-add.
type adminRuleForm struct{ Service, Kind, Pattern string }

type adminServiceRow struct {
	catalog.Service
	catalog.Availability
}

type adminServicesData struct {
	Services []adminServiceRow
	Rules    []catalog.Rule
	Form     adminServiceForm
	Editing  bool
	Rule     adminRuleForm
}

// adminServices lists every service (hidden ones too) with its prices and
// availability, the form to add or change one (?edit=Name fills it in), and
// the detection rules.
func (s *Server) adminServices(w http.ResponseWriter, r *http.Request, sess account.Session) {
	p := adminServicesData{Rule: adminRuleForm{Kind: catalog.RuleSender}}
	if name := r.URL.Query().Get("edit"); name != "" {
		p.Form.Name = name
	}
	s.adminServicesView(w, r, http.StatusOK, "", p)
}

func (s *Server) adminServicesView(w http.ResponseWriter, r *http.Request, status int, errText string, p adminServicesData) {
	ctx := r.Context()
	all, err := s.Catalog.All(ctx)
	if err != nil {
		s.adminFailed(w, r, "services", err)
		return
	}
	for _, svc := range all {
		p.Services = append(p.Services, adminServiceRow{svc, s.Catalog.Available(svc.ID)})
		// ?edit=Name fills the form with the service as it is.
		if r.Method == http.MethodGet && strings.EqualFold(svc.Name, p.Form.Name) {
			p.Editing = true
			p.Form = adminServiceForm{Name: svc.Name, Price: money.Text(svc.PriceCents), LTRPrice: money.Text(svc.LTRPriceCents),
				LTRShortPrice: money.Text(svc.LTRShortPriceCents), Lifetime: svc.Lifetime.String(), Hidden: !svc.Enabled}
		}
	}
	if p.Rules, err = s.Catalog.Rules(ctx); err != nil {
		s.adminFailed(w, r, "rules", err)
		return
	}
	s.adminRender(w, r, status, "admin_services", "Services", "services", errText, p)
}

// adminServiceSet adds or changes a service, as mdnhub services set does.
func (s *Server) adminServiceSet(w http.ResponseWriter, r *http.Request, sess account.Session) {
	f := adminServiceForm{Name: strings.TrimSpace(r.PostFormValue("name")), Price: r.PostFormValue("price"),
		LTRPrice: r.PostFormValue("ltr_price"), LTRShortPrice: r.PostFormValue("ltr_short_price"),
		Lifetime: strings.TrimSpace(r.PostFormValue("lifetime")), Hidden: r.PostFormValue("hidden") != ""}
	again := func(status int, text string) {
		s.adminServicesView(w, r, status, text, adminServicesData{Form: f, Editing: true, Rule: adminRuleForm{Kind: catalog.RuleSender}})
	}
	svc := catalog.Service{Name: f.Name, Enabled: !f.Hidden}
	if strings.TrimSpace(f.Price) == "" {
		again(http.StatusBadRequest, "A price is required.")
		return
	}
	for _, p := range []struct {
		label, text string
		cents       *int64
	}{{"Price", f.Price, &svc.PriceCents}, {"30-day price", f.LTRPrice, &svc.LTRPriceCents}, {"3-day price", f.LTRShortPrice, &svc.LTRShortPriceCents}} {
		if strings.TrimSpace(p.text) == "" {
			continue
		}
		c, err := money.Parse(p.text)
		if err != nil {
			again(http.StatusBadRequest, p.label+": "+err.Error()+".")
			return
		}
		*p.cents = c
	}
	if f.Lifetime != "" {
		d, err := time.ParseDuration(f.Lifetime)
		if err != nil {
			again(http.StatusBadRequest, "The lifetime is a duration such as 15m or 1h.")
			return
		}
		svc.Lifetime = d
	}
	saved, err := s.Catalog.Put(r.Context(), svc)
	if err != nil {
		status, text := adminError(err)
		if status == http.StatusInternalServerError {
			s.adminFailed(w, r, "service", err)
			return
		}
		again(status, text)
		return
	}
	adminDone(w, r, "/admin/services", "Service "+saved.Name+" saved.")
}

// adminRuleAdd adds a detection rule, as mdnhub services rule-add does.
func (s *Server) adminRuleAdd(w http.ResponseWriter, r *http.Request, sess account.Session) {
	f := adminRuleForm{Service: r.PostFormValue("service"), Kind: r.PostFormValue("kind"), Pattern: r.PostFormValue("pattern")}
	rule, err := s.Catalog.AddRule(r.Context(), f.Service, f.Kind, f.Pattern)
	if err != nil {
		status, text := adminError(err)
		if status == http.StatusInternalServerError {
			s.adminFailed(w, r, "rule", err)
			return
		}
		s.adminServicesView(w, r, status, text, adminServicesData{Rule: f})
		return
	}
	adminDone(w, r, "/admin/services#rules", "Rule added: "+rule.Service+" "+rule.Kind+" "+rule.Pattern+".")
}

// adminRuleDelete deletes a detection rule, as mdnhub services rule-delete
// does.
func (s *Server) adminRuleDelete(w http.ResponseWriter, r *http.Request, sess account.Session) {
	id, ok := adminPathID(r, "id")
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such rule.")
		return
	}
	if err := s.Catalog.DeleteRule(r.Context(), id); err != nil {
		s.adminFailed(w, r, "rule", err)
		return
	}
	adminDone(w, r, "/admin/services#rules", "Rule deleted.")
}
