package api

import (
	"strconv"

	"mdnhub/internal/catalog"
)

// serviceJSON is an entry of list_services: every value a string.
// recommended_markup appears only when exactly one service was asked for.
type serviceJSON struct {
	Name              string `json:"name"`
	Price             string `json:"price"`
	LTRPrice          string `json:"ltr_price"`
	LTRShortPrice     string `json:"ltr_short_price"`
	Available         string `json:"available"`
	OTPAvailable      string `json:"otp_available"`
	LTRAvailable      string `json:"ltr_available"`
	RecommendedMarkup string `json:"recommended_markup,omitempty"`
}

func (h *Handler) listServices(c *call) (any, error) {
	var services []catalog.Service
	if names := splitList(c.p.raw("service")); len(names) > 0 {
		if len(names) > 100 {
			return nil, errorf("Invalid service: at most 100 names")
		}
		for _, n := range names {
			s, err := h.service(c, n)
			if err != nil {
				return nil, err
			}
			services = append(services, s)
		}
	} else {
		var err error
		if services, err = h.Catalog.List(c.ctx); err != nil {
			return nil, err
		}
	}
	out := make([]serviceJSON, 0, len(services))
	for _, s := range services {
		a := h.Catalog.Available(s.ID)
		e := serviceJSON{
			Name: s.Name, Price: centsText(s.PriceCents), LTRPrice: centsText(s.LTRPriceCents),
			LTRShortPrice: centsText(s.LTRShortPriceCents),
			Available:     strconv.FormatInt(a.OneTime, 10), OTPAvailable: strconv.FormatInt(a.OneTime, 10),
			LTRAvailable: strconv.FormatInt(a.LongTerm, 10),
		}
		if len(services) == 1 && c.p.has("service") {
			m, err := h.Catalog.RecommendedMarkup(c.ctx, s.ID)
			if err != nil {
				return nil, err
			}
			e.RecommendedMarkup = strconv.FormatInt(m, 10)
		}
		out = append(out, e)
	}
	return out, nil
}

func (h *Handler) balance(c *call) (any, error) {
	b, err := h.Accounts.Balance(c.ctx, c.user.UserID)
	if err != nil {
		return nil, err
	}
	return rawJSON(appendString(make([]byte, 0, 16), centsText(b))), nil
}
