package api

import (
	"errors"
	"strconv"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/request"
)

// requestJSON is an entry of request's answer, fields in the reference's order.
type requestJSON struct {
	ID             string `json:"id"`
	MDN            string `json:"mdn"`
	Service        string `json:"service"`
	Status         string `json:"status"`
	State          string `json:"state"`
	Markup         int64  `json:"markup"`
	Price          amount `json:"price"`
	Carrier        string `json:"carrier"`
	TillExpiration int64  `json:"till_expiration"`
}

// requestStatusJSON is request_status's entry: as request, without price.
type requestStatusJSON struct {
	ID             string `json:"id"`
	MDN            string `json:"mdn"`
	Service        string `json:"service"`
	Status         string `json:"status"`
	State          string `json:"state"`
	Markup         int64  `json:"markup"`
	Carrier        string `json:"carrier"`
	TillExpiration int64  `json:"till_expiration"`
}

func (c *call) requestEntry(r request.Request) requestJSON {
	return requestJSON{
		ID: strconv.FormatInt(r.ID, 10), MDN: r.MDN, Service: r.Service, Status: r.Status, State: r.State,
		Markup: r.Markup, Price: amount(r.PriceCents), Carrier: r.Carrier,
		TillExpiration: int64(r.TillExpiration(c.now).Seconds()),
	}
}

// service resolves a service name parameter to a catalog entry.
func (h *Handler) service(c *call, name string) (catalog.Service, error) {
	s, err := h.Catalog.Lookup(c.ctx, name)
	if errors.Is(err, catalog.ErrUnknownService) {
		if len(name) > 64 {
			name = name[:64]
		}
		return s, errorf("Invalid service name %s", name)
	}
	return s, err
}

func (h *Handler) request(c *call) (any, error) {
	name, err := c.p.required("service")
	if err != nil {
		return nil, err
	}
	names := splitList(name)
	if len(names) == 0 {
		return nil, missing("service")
	}
	if len(names) > request.MaxServices {
		return nil, errorf("Invalid service: at most %d services per request", request.MaxServices)
	}
	ask := request.Ask{UserID: c.user.UserID}
	seen := map[int64]bool{}
	for _, n := range names {
		svc, err := h.service(c, n)
		if err != nil {
			return nil, err
		}
		if seen[svc.ID] {
			return nil, errorf("Invalid service: %s is listed twice", svc.Name)
		}
		seen[svc.ID] = true
		ask.Services = append(ask.Services, svc)
	}
	if c.p.has("markup") {
		m, _, err := c.p.intRange("markup", 10, 2000)
		if err != nil {
			return nil, errorf("Markup must be between 10 and 2000")
		}
		if len(ask.Services) > 1 {
			return nil, errorf("Invalid markup: premium requests take one service at a time")
		}
		ask.Markup = m
	}
	if ask.MDN, ask.AreaCode, ask.State, err = c.p.target(); err != nil {
		return nil, err
	}
	render := func(rs []request.Request) (any, error) {
		out := make([]requestJSON, len(rs))
		for i, r := range rs {
			out[i] = c.requestEntry(r)
		}
		return out, nil
	}
	if ask.Once, err = keyed(c, "request", render); err != nil {
		return nil, err
	}
	rs, err := h.Requests.Create(c.ctx, ask)
	return answer(ask.Once, rs, err, render)
}

func (h *Handler) requestStatus(c *call) (any, error) {
	id, err := c.p.requestID("id")
	if err != nil {
		return nil, err
	}
	r, err := h.Requests.Get(c.ctx, c.user.UserID, id)
	if err != nil {
		return nil, err
	}
	// Encoded by hand (encode.go): requestStatusJSON's fields, in order.
	e := c.requestEntry(r)
	if c.requestStatusObject(h.RequestStatusObject) {
		return rawJSON(appendRequestStatus(make([]byte, 0, 192), e)), nil
	}
	b := appendRequestStatus(append(make([]byte, 0, 192), '['), e)
	return rawJSON(append(b, ']')), nil
}

func (h *Handler) reject(c *call) (any, error) {
	id, err := c.p.requestID("id")
	if err != nil {
		return nil, err
	}
	if err := h.Requests.Reject(c.ctx, c.user.UserID, id); err != nil {
		return nil, err
	}
	return textRejected, nil
}

// requestStatusObject reports whether request_status answers this caller one
// object rather than an array: the account's own setting, else the
// operator's default.
func (c *call) requestStatusObject(operatorDefault bool) bool {
	switch c.user.RequestStatusFormat {
	case account.FormatObject:
		return true
	case account.FormatArray:
		return false
	}
	return operatorDefault
}
