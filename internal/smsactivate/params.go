package smsactivate

import (
	"math"
	"strconv"

	"mdnhub/internal/catalog"
	"mdnhub/internal/money"
)

// CountryUSA is the protocol's country number of the United States, the
// only country mdnhub's inventory is in.
const CountryUSA = 187

const countryUSAText = "187"

// country reads the country parameter: absent or 187 is the US inventory
// (us true); another whole number is a country without numbers here (us
// false); anything else is BAD_COUNTRY.
func (p params) country() (us bool, err error) {
	v := p.raw("country")
	if v == "" {
		return true, nil
	}
	n, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || n < 0 {
		return false, refuse(textBadCountry)
	}
	return n == CountryUSA, nil
}

// activationID reads the id parameter; missing or malformed is an
// activation that does not exist.
func (p params) activationID() (int64, error) {
	id, err := strconv.ParseInt(p.raw("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, refuse(textNoActivation)
	}
	return id, nil
}

// service reads the service code; missing or unknown is BAD_SERVICE.
func (h *Handler) service(c *call) (catalog.Service, error) {
	code := c.p.raw("service")
	if code == "" {
		return catalog.Service{}, refuse(textBadService)
	}
	return h.Catalog.ServiceByCode(c.ctx, code)
}

// checkMaxPrice applies the optional maxPrice (dollars, any number of
// decimals): a price above it, or a value that is not a non-negative
// number, answers WRONG_MAX_PRICE:<price>, telling the price to offer.
func (p params) checkMaxPrice(priceCents int64) error {
	v := p.raw("maxPrice")
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || float64(priceCents) > math.Round(f*1e6)/1e4 {
		return refuse(textWrongMaxPrice + ":" + money.Text(priceCents))
	}
	return nil
}

// checkForward refuses call forwarding, which mdnhub's numbers do not
// offer: forward may be absent, 0 or false.
func (p params) checkForward() error {
	switch p.raw("forward") {
	case "", "0", "false":
		return nil
	}
	return refuse(textBadForward)
}
