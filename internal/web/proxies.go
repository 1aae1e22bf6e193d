package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/money"
	"mdnhub/internal/proxy"
)

// custProxyPort is what customers see of a port: never its upstream or
// redial action.
type custProxyPort struct {
	ID, Location, Carrier string
	RedialMinutes         int64
	Leases, Capacity      int64
	Services              string
	Exclusive             bool // rented exclusively now
	ExclusiveAllowed      bool
	Possible              bool // a shared lease can be added now
}

// custProxyRow is one of the user's proxy rentals.
type custProxyRow struct {
	proxy.Rental
	Active bool
}

// custProxyForm is what the rent form was sent with.
type custProxyForm struct {
	Service, Minutes, Port string
	Exclusive              bool
}

type custProxiesView struct {
	CSRF                string
	Ports               []custProxyPort
	Rentals             []custProxyRow
	Form                custProxyForm
	IP                  string
	SOCKSPort, HTTPPort int
	Shared, Exclusive   string // hourly prices
	Discounts           []string
}

// custMaxProxyRentals bounds the proxy rentals listed.
const custMaxProxyRentals = 200

func (s *Server) custProxyPorts(ctx context.Context) ([]custProxyPort, error) {
	ports, err := s.Proxies.ListPorts(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]custProxyPort, len(ports))
	for i, p := range ports {
		out[i] = custProxyPort{ID: p.ID, Location: p.Location, Carrier: p.Carrier, RedialMinutes: p.RedialMinutes,
			Leases: p.Leases, Capacity: p.Capacity, Services: strings.Join(p.Services, ", "), Exclusive: p.Exclusive,
			ExclusiveAllowed: p.ExclusiveAllowed, Possible: p.RentingPossible()}
	}
	return out, nil
}

func (s *Server) custProxiesData(ctx context.Context, sess account.Session, f custProxyForm) (custProxiesView, error) {
	opt := s.Proxies.Options()
	v := custProxiesView{CSRF: sess.CSRF, Form: f, IP: opt.PublicIP, SOCKSPort: opt.SOCKSPort, HTTPPort: opt.HTTPPort,
		Shared: money.Text(opt.SharedHourlyCents), Exclusive: money.Text(opt.ExclusiveHourlyCents)}
	for _, d := range opt.Discounts {
		v.Discounts = append(v.Discounts, strconv.FormatInt(d.Percent, 10)+"% from "+custHours(d.Minutes))
	}
	var err error
	if v.Ports, err = s.custProxyPorts(ctx); err != nil {
		return v, err
	}
	rs, err := s.Proxies.Rentals(ctx, sess.User.ID, custMaxProxyRentals)
	if err != nil {
		return v, err
	}
	now := s.Clock.Now().Unix()
	for _, r := range rs {
		v.Rentals = append(v.Rentals, custProxyRow{Rental: r, Active: r.Status == "active" && r.ExpiresAt > now})
	}
	return v, nil
}

// custHours shows a duration in minutes as days, hours or minutes.
func custHours(minutes int64) string {
	n, unit := minutes, "minute"
	switch {
	case minutes%(24*60) == 0:
		n, unit = minutes/(24*60), "day"
	case minutes%60 == 0:
		n, unit = minutes/60, "hour"
	}
	if n != 1 {
		unit += "s"
	}
	return strconv.FormatInt(n, 10) + " " + unit
}

// custProxies is Proxy rentals: the ports, the rent form and the user's
// rentals with their credentials (the password only right after renting or
// swapping: it is kept hashed).
func (s *Server) custProxies(w http.ResponseWriter, r *http.Request, sess account.Session) {
	v, err := s.custProxiesData(r.Context(), sess, custProxyForm{Minutes: "60", Port: r.URL.Query().Get("port")})
	if err != nil {
		s.custFail(w, r, err, "proxies", nil)
		return
	}
	s.render(w, r, http.StatusOK, "proxies", "Proxy rentals", v)
}

// custProxyCredsView is shown once after a rent or a swap.
type custProxyCredsView struct {
	R                   proxy.Rental
	Auth                string
	IP                  string
	SOCKSPort, HTTPPort int
	Swapped             bool
}

// custShowCreds hands the new credentials of a rent or a swap to their page
// through a flash (the password is stored hashed, so the POST's answer is
// its only chance), then redirects there: a reload shows the page, never
// rents again.
func (s *Server) custShowCreds(w http.ResponseWriter, r *http.Request, sess account.Session, got proxy.Rental, swapped bool) {
	path := "/proxies/" + strconv.FormatInt(got.ID, 10) + "/credentials"
	flag := "r"
	if swapped {
		flag = "s"
	}
	s.setFlash(w, r, sess, path, flag+got.Password)
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// custProxyCredentials shows the credentials of a rent or swap, once.
func (s *Server) custProxyCredentials(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	got, err := s.Proxies.Rental(r.Context(), sess.User.ID, id)
	if err != nil {
		s.custFail(w, r, err, "proxy", nil)
		return
	}
	flash, ok := s.takeFlash(w, r, sess, r.URL.Path)
	if !ok || flash == "" {
		http.Redirect(w, r, "/proxies/"+strconv.FormatInt(id, 10)+"?notice="+url.QueryEscape(
			"The password is shown once, right after renting or swapping; swap the rental for new credentials."), http.StatusSeeOther)
		return
	}
	got.Password = flash[1:]
	s.renderCreds(w, r, got, flash[0] == 's')
}

func (s *Server) renderCreds(w http.ResponseWriter, r *http.Request, got proxy.Rental, swapped bool) {
	opt := s.Proxies.Options()
	w.Header().Set("Cache-Control", "no-store")
	title := "Your proxy"
	if swapped {
		title = "Your proxy, moved"
	}
	s.render(w, r, http.StatusOK, "proxy_creds", title, custProxyCredsView{R: got, Auth: s.Proxies.Auth(got),
		IP: opt.PublicIP, SOCKSPort: opt.SOCKSPort, HTTPPort: opt.HTTPPort, Swapped: swapped})
}

// custProxyRent rents a port as proxy_rent does, then shows the
// credentials once.
func (s *Server) custProxyRent(w http.ResponseWriter, r *http.Request, sess account.Session) {
	f := custProxyForm{Service: strings.TrimSpace(r.PostFormValue("service")), Minutes: strings.TrimSpace(r.PostFormValue("minutes")),
		Port: strings.TrimSpace(r.PostFormValue("port")), Exclusive: r.PostFormValue("exclusive") != ""}
	again := func(status int, text string) {
		v, err := s.custProxiesData(r.Context(), sess, f)
		if err != nil {
			s.custFail(w, r, err, "proxies", nil)
			return
		}
		s.renderView(w, r, status, "proxies", view{Title: "Proxy rentals", Error: text, Data: v})
	}
	minutes, err := strconv.ParseInt(f.Minutes, 10, 64)
	if err != nil {
		again(http.StatusBadRequest, "Invalid duration: must be a whole number of minutes")
		return
	}
	got, err := s.Proxies.Rent(r.Context(), proxy.RentAsk{UserID: sess.User.ID, Username: sess.User.Username, Port: f.Port,
		Service: f.Service, Minutes: minutes, Exclusive: f.Exclusive})
	if err != nil {
		s.custFail(w, r, err, "proxy rent", again)
		return
	}
	s.custShowCreds(w, r, sess, got, false)
}

type custProxyView struct {
	CSRF                string
	R                   custProxyRow
	Ports               []custProxyPort
	IP                  string
	SOCKSPort, HTTPPort int
}

// custProxy is one proxy rental: its credentials (without the password),
// swap and redial.
func (s *Server) custProxy(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	s.custShowProxy(w, r, sess, id, http.StatusOK, "")
}

func (s *Server) custShowProxy(w http.ResponseWriter, r *http.Request, sess account.Session, id int64, status int, errText string) {
	got, err := s.Proxies.Rental(r.Context(), sess.User.ID, id)
	if err != nil {
		s.custFail(w, r, err, "proxy", nil)
		return
	}
	ports, err := s.custProxyPorts(r.Context())
	if err != nil {
		s.custFail(w, r, err, "proxy", nil)
		return
	}
	opt := s.Proxies.Options()
	s.renderView(w, r, status, "proxy", view{Title: "Proxy " + got.ProxyUser, Error: errText, Data: custProxyView{
		CSRF: sess.CSRF, R: custProxyRow{Rental: got, Active: got.Status == "active"}, Ports: ports,
		IP: opt.PublicIP, SOCKSPort: opt.SOCKSPort, HTTPPort: opt.HTTPPort}})
}

// custProxySwap moves a rental to another port with new credentials, shown
// once.
func (s *Server) custProxySwap(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	got, err := s.Proxies.Swap(r.Context(), sess.User.ID, sess.User.Username, proxy.Ref{ID: id}, strings.TrimSpace(r.PostFormValue("port")))
	if err != nil {
		s.custFail(w, r, err, "proxy swap", func(status int, text string) { s.custShowProxy(w, r, sess, id, status, text) })
		return
	}
	s.custShowCreds(w, r, sess, got, true)
}

// custProxyRedial asks an exclusively rented port for a new IP.
func (s *Server) custProxyRedial(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	if err := s.Proxies.RequestRedial(r.Context(), sess.User.ID, proxy.Ref{ID: id}); err != nil {
		s.custFail(w, r, err, "proxy redial", func(status int, text string) { s.custShowProxy(w, r, sess, id, status, text) })
		return
	}
	custRedirect(w, r, "/proxies/"+strconv.FormatInt(id, 10), "Redial requested")
}
