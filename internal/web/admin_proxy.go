package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/proxy"
)

// adminPortForm is the form of mdnhub proxy port-set.
type adminPortForm struct {
	ID, Location, Carrier, Redial, Capacity, Upstream, RedialAction, RedialTimeout string
	Exclusive                                                                      bool
}

type adminRedialRow struct {
	proxy.Redial
	User string
}

type adminProxyPage struct {
	Ports   []proxy.Port
	Redials []adminRedialRow
	Form    adminPortForm
	Editing bool
}

// newPortForm has the CLI's defaults.
func newPortForm() adminPortForm {
	return adminPortForm{Redial: "15", Capacity: "1", Exclusive: true, RedialTimeout: "1m0s"}
}

// adminProxy lists the proxy ports with their leases, the form to add or
// change one (?edit=ID fills it in), and the latest redials.
func (s *Server) adminProxy(w http.ResponseWriter, r *http.Request, sess account.Session) {
	p := adminProxyPage{Form: newPortForm()}
	if id := r.URL.Query().Get("edit"); id != "" {
		port, err := s.Proxies.Port(r.Context(), id)
		if err != nil {
			s.adminFailed(w, r, "port", err)
			return
		}
		p.Editing = true
		p.Form = adminPortForm{ID: port.ID, Location: port.Location, Carrier: port.Carrier,
			Redial: strconv.FormatInt(port.RedialMinutes, 10), Capacity: strconv.FormatInt(port.Capacity, 10),
			Upstream: port.Upstream, RedialAction: port.RedialAction, RedialTimeout: port.RedialTimeout.String(),
			Exclusive: port.ExclusiveAllowed}
	}
	s.adminProxyView(w, r, http.StatusOK, "", p)
}

func (s *Server) adminProxyView(w http.ResponseWriter, r *http.Request, status int, errText string, p adminProxyPage) {
	ctx := r.Context()
	var err error
	if p.Ports, err = s.Proxies.ListPorts(ctx, true); err != nil {
		s.adminFailed(w, r, "proxy ports", err)
		return
	}
	redials, err := s.Proxies.Redials(ctx, adminPageSize)
	if err != nil {
		s.adminFailed(w, r, "redials", err)
		return
	}
	var ids []int64
	for _, rd := range redials {
		ids = append(ids, rd.UserID)
	}
	names := s.adminNames(r, ids)
	for _, rd := range redials {
		p.Redials = append(p.Redials, adminRedialRow{rd, names[rd.UserID]})
	}
	s.adminRender(w, r, status, "admin_proxy", "Proxy ports", "proxy", errText, p)
}

// adminPortSet adds or changes a port, as mdnhub proxy port-set does; a
// port that exists keeps its enabled or disabled state.
func (s *Server) adminPortSet(w http.ResponseWriter, r *http.Request, sess account.Session) {
	f := adminPortForm{ID: strings.TrimSpace(r.PostFormValue("id")), Location: strings.TrimSpace(r.PostFormValue("location")),
		Carrier: strings.TrimSpace(r.PostFormValue("carrier")), Redial: strings.TrimSpace(r.PostFormValue("redial")),
		Capacity: strings.TrimSpace(r.PostFormValue("capacity")), Upstream: strings.TrimSpace(r.PostFormValue("upstream")),
		RedialAction: strings.TrimSpace(r.PostFormValue("redial_action")), RedialTimeout: strings.TrimSpace(r.PostFormValue("redial_timeout")),
		Exclusive: r.PostFormValue("exclusive") != ""}
	again := func(status int, text string) {
		s.adminProxyView(w, r, status, text, adminProxyPage{Form: f, Editing: true})
	}
	port := proxy.Port{ID: f.ID, Location: f.Location, Carrier: f.Carrier, ExclusiveAllowed: f.Exclusive, Upstream: f.Upstream,
		RedialAction: f.RedialAction, Enabled: true}
	var err error
	if port.RedialMinutes, err = strconv.ParseInt(f.Redial, 10, 64); err != nil {
		again(http.StatusBadRequest, "The redial interval is a whole number of minutes (0: never).")
		return
	}
	if port.Capacity, err = strconv.ParseInt(f.Capacity, 10, 64); err != nil {
		again(http.StatusBadRequest, "The capacity is a whole number of leases.")
		return
	}
	if port.RedialTimeout, err = time.ParseDuration(f.RedialTimeout); err != nil {
		again(http.StatusBadRequest, "The redial time limit is a duration such as 60s.")
		return
	}
	ctx := r.Context()
	if old, err := s.Proxies.Port(ctx, f.ID); err == nil {
		port.Enabled = old.Enabled
	} else if !errors.Is(err, proxy.ErrNoPort) {
		s.adminFailed(w, r, "port", err)
		return
	}
	if err := s.Proxies.ValidUpstream(port.Upstream); err != nil {
		again(http.StatusBadRequest, "Upstream: "+adminSentence(err.Error()))
		return
	}
	if err := s.Proxies.PutPort(ctx, port); err != nil {
		status, text := adminError(err)
		if status == http.StatusInternalServerError {
			s.adminFailed(w, r, "port", err)
			return
		}
		again(status, text)
		return
	}
	adminDone(w, r, "/admin/proxy", "Port "+port.ID+" saved.")
}

// adminPortSwitch enables or disables a port, as mdnhub proxy port-enable
// and port-disable do; a disabled port takes no new rentals, current ones
// run to their end.
func (s *Server) adminPortSwitch(w http.ResponseWriter, r *http.Request, sess account.Session) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if action != "enable" && action != "disable" {
		s.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	if err := s.Proxies.SetPortEnabled(r.Context(), id, action == "enable"); err != nil {
		s.adminFailed(w, r, "port "+id, err)
		return
	}
	adminDone(w, r, "/admin/proxy", fmt.Sprintf("Port %s %sd.", id, action))
}
