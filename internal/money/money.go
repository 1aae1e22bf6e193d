// Package money formats and parses amounts kept as integer cents.
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// Text formats cents as dollars with two decimals: 1050 → "10.50", -5 → "-0.05".
func Text(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// Parse reads a dollar amount such as "10", "10.5", "$3.25" or "-2.25" into cents.
func Parse(s string) (int64, error) {
	in := s
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	bad := fmt.Errorf("invalid amount %q: use dollars with at most two decimals", in)
	if whole == "" || len(frac) > 2 || len(whole) > 9 {
		return 0, bad
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, err := strconv.ParseUint(frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	cents := int64(w*100 + f)
	if neg {
		cents = -cents
	}
	return cents, nil
}
