package smsactivate

import (
	"mdnhub/internal/catalog"
	"mdnhub/internal/money"
)

func (h *Handler) getBalance(c *call) (reply, error) {
	b, err := h.Accounts.Balance(c.ctx, c.user.UserID)
	if err != nil {
		return reply{}, err
	}
	return text(textAccessBalance + ":" + money.Text(b)), nil
}

// offered returns the codes in force with their services, narrowed to one
// code when the service parameter names one (BAD_SERVICE when it names
// none), for the listing actions; us is false for a country other than the
// US, which has nothing.
func (h *Handler) offered(c *call) (codes []catalog.ServiceCode, us bool, err error) {
	if us, err = c.p.country(); err != nil || !us {
		return nil, us, err
	}
	var only int64
	if c.p.raw("service") != "" {
		svc, err := h.service(c)
		if err != nil {
			return nil, false, err
		}
		only = svc.ID
	}
	all, err := h.Catalog.ServiceCodes(c.ctx)
	if err != nil {
		return nil, false, err
	}
	for _, sc := range all {
		if sc.Service.ID == 0 || (only != 0 && sc.Service.ID != only) {
			continue
		}
		if only != 0 && !sameCode(sc.Code, c.p.raw("service")) {
			continue // another code of the same service
		}
		codes = append(codes, sc)
	}
	return codes, true, nil
}

func sameCode(code, asked string) bool {
	n, err := catalog.NormalizeCode(asked)
	return err == nil && n == code
}

// priceJSON is one service's entry of getPrices.
type priceJSON struct {
	Cost  amount `json:"cost"`
	Count int64  `json:"count"`
}

// getPrices answers {"187":{"<code>":{"cost":1.00,"count":74}}}: the
// one-time price in dollars and the approximate count of numbers (the
// availability list_services shows), for every code in force.
func (h *Handler) getPrices(c *call) (reply, error) {
	codes, us, err := h.offered(c)
	if err != nil {
		return reply{}, err
	}
	out := map[string]map[string]priceJSON{}
	if !us {
		return jsonReply(out), nil
	}
	list := map[string]priceJSON{}
	for _, sc := range codes {
		list[sc.Code] = priceJSON{Cost: amount(sc.Service.PriceCents), Count: h.Catalog.Available(sc.Service.ID).OneTime}
	}
	out[countryUSAText] = list
	return jsonReply(out), nil
}

// getNumbersStatus answers {"<code>_0":74, ...}: the approximate count of
// numbers per code; "_0" is without call forwarding, which is all there is.
func (h *Handler) getNumbersStatus(c *call) (reply, error) {
	codes, us, err := h.offered(c)
	if err != nil {
		return reply{}, err
	}
	out := map[string]int64{}
	if !us {
		return jsonReply(out), nil
	}
	for _, sc := range codes {
		out[sc.Code+"_0"] = h.Catalog.Available(sc.Service.ID).OneTime
	}
	return jsonReply(out), nil
}
