package api

import (
	"net/url"
	"strconv"
	"strings"

	"mdnhub/internal/areacode"
	"mdnhub/internal/inventory"
)

// maxParamLen bounds every parameter value; nothing legitimate comes close.
const maxParamLen = 1024

// params reads and validates request parameters. Each getter returns the
// envelope error text for a missing or malformed value, naming the parameter
// and the rule.
type params struct{ v url.Values }

func (p params) raw(name string) string { return strings.TrimSpace(p.v.Get(name)) }

func (p params) has(name string) bool { return p.raw(name) != "" }

// first returns the first non-empty of several alias names.
func (p params) first(names ...string) string {
	for _, n := range names {
		if v := p.raw(n); v != "" {
			return v
		}
	}
	return ""
}

func missing(name string) error { return errorf("Missing parameter: %s", name) }

func (p params) required(name string) (string, error) {
	v := p.raw(name)
	if v == "" {
		return "", missing(name)
	}
	if len(v) > maxParamLen {
		return "", errorf("Invalid %s: too long", name)
	}
	return v, nil
}

// requestID parses an id parameter; anything but a positive integer is an
// unknown request.
func (p params) requestID(name string) (int64, error) {
	v := p.raw(name)
	if v == "" {
		return 0, missing(name)
	}
	id, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || id <= 0 {
		return 0, errorf(textInvalidID)
	}
	return id, nil
}

// mdn parses an optional phone number into the 11-digit form.
func (p params) mdn(name string) (string, error) {
	v := p.raw(name)
	if v == "" {
		return "", nil
	}
	if len(v) > 32 {
		return "", errorf("Invalid %s: must be an 11-digit US number", name)
	}
	m, err := inventory.NormalizeMDN(v)
	if err != nil {
		return "", errorf("Invalid %s: must be an 11-digit US number", name)
	}
	return m, nil
}

// areaCode parses an optional 3-digit area code.
func (p params) areaCode() (string, error) {
	v := p.raw("areacode")
	if v == "" {
		return "", nil
	}
	if !inventory.ValidAreaCode(v) {
		return "", errorf("Invalid area code: must be 3 digits")
	}
	return v, nil
}

// state parses an optional 2-letter US state abbreviation.
func (p params) state() (string, error) {
	v := p.raw("state")
	if v == "" {
		return "", nil
	}
	if len(v) != 2 || !areacode.ValidState(v) {
		return "", errorf("Invalid state: must be a 2-letter US state abbreviation")
	}
	return strings.ToUpper(v), nil
}

// intRange parses an optional integer within [lo, hi]; ok is false when absent.
func (p params) intRange(name string, lo, hi int64) (n int64, ok bool, err error) {
	v := p.raw(name)
	if v == "" {
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || n < lo || n > hi {
		return 0, false, errorf("Invalid %s: must be a whole number between %d and %d", name, lo, hi)
	}
	return n, true, nil
}

// boolean parses an optional "true"/"false" (also 1/0); ok is false when absent.
func (p params) boolean(name string) (b, ok bool, err error) {
	switch strings.ToLower(p.raw(name)) {
	case "":
		return false, false, nil
	case "true", "1", "yes":
		return true, true, nil
	case "false", "0", "no":
		return false, true, nil
	}
	return false, false, errorf("Invalid %s: must be true or false", name)
}

// target reads which number a request or rental asks for: mdn wins over
// areacode, which wins over state, and an ignored parameter is not
// validated either. With an area code the state is derived from it.
func (p params) target() (mdn, area, state string, err error) {
	if mdn, err = p.mdn("mdn"); err != nil || mdn != "" {
		return mdn, "", "", err
	}
	if area, err = p.areaCode(); err != nil {
		return "", "", "", err
	}
	if area != "" {
		state, _ = areacode.State(area)
		return "", area, state, nil
	}
	state, err = p.state()
	return "", "", state, err
}
