// Package inventory holds the phone numbers mdnhub rents out: their import,
// state, and the eligibility and allocation rules of SPEC 2.
package inventory

import (
	"errors"
	"fmt"
	"strings"

	"mdnhub/internal/areacode"
)

// Errors of this package.
var (
	ErrInvalid        = errors.New("invalid number")
	ErrNoneAvailable  = errors.New("no numbers available")
	ErrMDNUnavailable = errors.New("the MDN is not available")
)

// Number is one rentable phone number.
type Number struct {
	ID          int64
	MDN         string // 11 digits, 1NPANXXXXXX
	AreaCode    string
	State       string
	Carrier     string
	Gateway     string
	ShortRental bool
	Enabled     bool
	Online      bool
	HeldBy      int64 // user holding it now, 0 when free
	LastUsedAt  int64
	OnlineUntil int64 // when its gateway parks it offline, 0: not scheduled
	OnlineAt    int64 // when a requested activation brings it online, 0: none pending
}

// NormalizeMDN turns a US number written with or without the leading 1 and
// with any punctuation into the 11-digit form 1NPANXXXXXX.
func NormalizeMDN(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '+':
		default:
			return "", fmt.Errorf("%w: must be an 11-digit US number", ErrInvalid)
		}
	}
	d := b.String()
	if len(d) == 10 {
		d = "1" + d
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '2' || d[4] < '2' {
		return "", fmt.Errorf("%w: must be an 11-digit US number", ErrInvalid)
	}
	return d, nil
}

// ValidAreaCode reports whether s is three digits forming a possible NANP
// area code.
func ValidAreaCode(s string) bool {
	return len(s) == 3 && s[0] >= '2' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'
}

// StateOf derives the state of an 11-digit MDN from its area code, "" when unknown.
func StateOf(mdn string) string {
	st, _ := areacode.State(mdn[1:4])
	return st
}
