package api

import (
	"strconv"
	"strings"

	"mdnhub/internal/proxy"
)

// proxyPortJSON is an entry of proxy_list.
type proxyPortJSON struct {
	Port            string  `json:"port"`
	Location        string  `json:"location"`
	Carrier         string  `json:"carrier"`
	RedialInterval  string  `json:"redial_interval"`
	Leases          string  `json:"leases"`
	Services        *string `json:"services"`
	IsExclusive     bool    `json:"is_exclusive"`
	RentingPossible bool    `json:"renting_possible"`
}

// proxyRentJSON is proxy_rent's answer; proxy_swap's is the same without price.
type proxyRentJSON struct {
	ID             string `json:"id"`
	Port           string `json:"port"`
	ProxyCarrier   string `json:"proxy_carrier"`
	ProxyUser      string `json:"proxy_user"`
	ProxyPass      string `json:"proxy_pass"`
	ProxyIP        string `json:"proxy_ip"`
	ProxySOCKSPort int    `json:"proxy_socks_port"`
	ProxyHTTPPort  int    `json:"proxy_http_port"`
	ProxyAuth      string `json:"proxy_auth"`
	Price          string `json:"price,omitempty"`
}

func (h *Handler) proxyList(c *call) (any, error) {
	ports, err := h.Proxies.ListPorts(c.ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]proxyPortJSON, len(ports))
	for i, p := range ports {
		e := proxyPortJSON{Port: p.ID, Location: p.Location, Carrier: p.Carrier,
			RedialInterval: strconv.FormatInt(p.RedialMinutes, 10), Leases: strconv.FormatInt(p.Leases, 10),
			IsExclusive: p.Exclusive, RentingPossible: p.RentingPossible()}
		if len(p.Services) > 0 {
			s := strings.Join(p.Services, ", ")
			e.Services = &s
		}
		out[i] = e
	}
	return out, nil
}

func (h *Handler) proxyAnswer(c *call, r proxy.Rental) (proxyRentJSON, error) {
	p, err := h.Proxies.Port(c.ctx, r.Port)
	if err != nil {
		return proxyRentJSON{}, err
	}
	opt := h.Proxies.Options()
	carrier := p.Carrier
	if p.Location != "" {
		carrier += " / " + p.Location
	}
	return proxyRentJSON{ID: strconv.FormatInt(r.ID, 10), Port: r.Port, ProxyCarrier: carrier, ProxyUser: r.ProxyUser,
		ProxyPass: r.Password, ProxyIP: opt.PublicIP, ProxySOCKSPort: opt.SOCKSPort, ProxyHTTPPort: opt.HTTPPort,
		ProxyAuth: h.Proxies.Auth(r)}, nil
}

func (h *Handler) proxyRent(c *call) (any, error) {
	ask := proxy.RentAsk{UserID: c.user.UserID, Username: c.user.Username, Port: c.p.raw("port")}
	var err error
	if ask.Service, err = c.p.required("service"); err != nil {
		return nil, err
	}
	d, err := c.p.required("duration")
	if err != nil {
		return nil, err
	}
	if ask.Minutes, err = strconv.ParseInt(d, 10, 64); err != nil {
		return nil, errorf("Invalid duration: must be a whole number of minutes")
	}
	if ask.Exclusive, _, err = c.p.boolean("exclusive"); err != nil {
		return nil, err
	}
	render := func(r proxy.Rental) (any, error) {
		out, err := h.proxyAnswer(c, r)
		out.Price = centsText(r.PriceCents)
		return out, err
	}
	if ask.Once, err = keyed(c, "proxy_rent", render); err != nil {
		return nil, err
	}
	r, err := h.Proxies.Rent(c.ctx, ask)
	return answer(ask.Once, r, err, render)
}

// proxyRef reads id, or proxy_user, naming one of the user's proxy rentals.
func (h *Handler) proxyRef(c *call) (proxy.Ref, error) {
	if v := c.p.raw("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return proxy.Ref{}, errorf("Invalid proxy rental ID")
		}
		return proxy.Ref{ID: id}, nil
	}
	if u := c.p.raw("proxy_user"); u != "" {
		return proxy.Ref{ProxyUser: u}, nil
	}
	return proxy.Ref{}, missing("id")
}

func (h *Handler) proxySwap(c *call) (any, error) {
	ref, err := h.proxyRef(c)
	if err != nil {
		return nil, err
	}
	r, err := h.Proxies.Swap(c.ctx, c.user.UserID, c.user.Username, ref, c.p.raw("port"))
	if err != nil {
		return nil, err
	}
	return h.proxyAnswer(c, r)
}

func (h *Handler) proxyRedial(c *call) (any, error) {
	ref, err := h.proxyRef(c)
	if err != nil {
		return nil, err
	}
	if err := h.Proxies.RequestRedial(c.ctx, c.user.UserID, ref); err != nil {
		return nil, err
	}
	return "Redial requested", nil
}
