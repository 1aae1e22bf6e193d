package pin

import (
	"strings"
	"unicode/utf8"
)

// kind is the shape of a candidate token.
type kind uint8

const (
	kindNone         kind = iota // not a plausible code
	kindDigits                   // 123456
	kindGrouped                  // 123-456 or 123 456
	kindGrouped44                // 4821-9930
	kindPrefixed                 // G-804036, FB-12345
	kindAlnum                    // AB12CD, 7K2PF
	kindAlnumGrouped             // AB12-CD34
	kindLetters                  // RTQXB (Steam Guard codes may contain no digit)
)

// cand is a code-shaped token; bad marks one that is part of something
// longer (a phone number, a date, a link). Bad candidates still count when
// deciding which token a negative word is about.
type cand struct {
	s, e int
	k    kind
	bad  bool
}

// findCandidates collects the code-shaped tokens of x.text. Tokens are
// maximal runs of ASCII letters and digits, so a code is found whatever
// surrounds it ("验证码123456", "код:1234", "«1234»"); two runs joined by a
// hyphen or a space are taken together first when they form a grouped or
// prefixed code.
func (x *extractor) findCandidates() {
	text := x.text
	for i := 0; i < len(text); {
		if !isAlnumASCII(text[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && isAlnumASCII(text[j]) {
			j++
		}
		end, k := j, kindNone
		if j+1 < len(text) && (text[j] == '-' || text[j] == ' ') && isAlnumASCII(text[j+1]) {
			q := j + 1
			for q < len(text) && isAlnumASCII(text[q]) {
				q++
			}
			if k = classifyPair(text[i:j], text[j], text[j+1:q]); k != kindNone {
				end = q
			}
		}
		if k == kindNone {
			k = classify(text[i:j])
		}
		if k != kindNone {
			x.addCand(cand{s: i, e: end, k: k, bad: badShape(text, i, end)})
		}
		i = end
	}
}

// classifyPair returns the shape of two runs a and b joined by sep, or
// kindNone when together they are not a code.
func classifyPair(a string, sep byte, b string) kind {
	switch {
	case sep == '-' && len(a) <= 3 && isUpperASCII(a) && len(b) >= 4 && len(b) <= 8 && isDigits(b):
		return kindPrefixed
	case len(a) == 3 && len(b) == 3 && isDigits(a) && isDigits(b):
		return kindGrouped
	case sep == '-' && len(a) == 4 && len(b) == 4:
		if isDigits(a) && isDigits(b) {
			if isYear(a) {
				// "2024-2025" is a season, not a code.
				return kindNone
			}
			return kindGrouped44
		}
		if isUpperAlnum(a) && isUpperAlnum(b) && hasDigit(a+b) && !isDigits(a) && !isDigits(b) {
			return kindAlnumGrouped
		}
	}
	return kindNone
}

// classify returns the shape of the single run v, or kindNone if v cannot
// be a code.
func classify(v string) kind {
	if len(v) < 4 || len(v) > 8 {
		return kindNone
	}
	var digits, upper, vowels int
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isDigit(c):
			digits++
		case c >= 'A' && c <= 'Z':
			upper++
			if strings.IndexByte("AEIOU", c) >= 0 {
				vowels++
			}
		}
	}
	switch {
	case digits == len(v):
		return kindDigits
	case digits > 0:
		if isAlnumJunk(v) {
			return kindNone
		}
		return kindAlnum
	case upper == len(v) && vowels == 0 && len(v) >= 5:
		// Steam Guard's alphabet has no vowels, while almost every capitalised
		// word (sender names, "STOP", "AMAZON") has one.
		return kindLetters
	}
	return kindNone
}

// isAlnumJunk reports whether an alphanumeric token is a quantity ("10min",
// "24h", "2nd", "5GB") or a masked number ("XX1234").
func isAlnumJunk(v string) bool {
	n := 0
	for n < len(v) && isDigit(v[n]) {
		n++
	}
	if n > 0 {
		var buf [8]byte
		return junkSuffixes[string(lowerASCII(buf[:0], v[n:]))]
	}
	for n < len(v) && (v[n] == 'x' || v[n] == 'X' || v[n] == '*') {
		n++
	}
	return n >= 2 && n < len(v) && isDigits(v[n:])
}

var junkSuffixes = setOf("st nd rd th am pm h hr hrs min mins s sec secs ms k m mb gb kb tb g kg km mi x d y w px p fps mah gbps mbps ml l cm mm ft in lb lbs oz")

// badShape reports whether the characters around text[s:e] show it is a
// fragment of something longer: a phone number, date, time, amount, masked
// number, link, e-mail address or app hash.
func badShape(text string, s, e int) bool {
	if s > 0 {
		switch text[s-1] {
		case '+':
			// "+1 555 ..." international phone numbers
			return true
		case '*':
			// "****1234" is masked; "*123456*" is just emphasis
			if e >= len(text) || text[e] != '*' {
				return true
			}
		case '.', ',', ':', '/', '-', ' ':
			// "1,250", "10:30", "12/05/2024", "555-1234", "415 555 0100"
			if s >= 2 && isDigit(text[s-2]) {
				return true
			}
			// "Ab-9qCX9VSu": part of a longer hyphenated token.
			if text[s-1] == '-' && s >= 2 && isAlnumASCII(text[s-2]) {
				return true
			}
		}
	}
	if e < len(text) {
		switch text[e] {
		case '.', ',', ':', '/', '-', ' ':
			if e+1 < len(text) && isDigit(text[e+1]) {
				return true
			}
			if text[e] == '-' && e+1 < len(text) && isAlnumASCII(text[e+1]) {
				return true
			}
		}
	}
	// The surrounding ASCII token: codes are never part of a link, an e-mail
	// address or an app hash ("FA+9qCX9VSu").
	ts, te := s, e
	for ts > 0 && isTokenByte(text[ts-1]) {
		ts--
	}
	for te < len(text) && isTokenByte(text[te]) {
		te++
	}
	if ts == s && te == e {
		return false
	}
	tok := text[ts:te]
	if strings.ContainsAny(tok, "/@&_+=") || hasDomain(tok) {
		return true
	}
	// An SMS Retriever app hash is 11 characters of base64 at the end of
	// the message ("4sgLq1p5sV6", "FA+9qCX9VSu").
	hs, he := s, e
	for hs > 0 && isHashByte(text[hs-1]) {
		hs--
	}
	for he < len(text) && isHashByte(text[he]) {
		he++
	}
	return he-hs == 11
}

// hasDomain reports whether tok contains a domain name ("acme.com",
// "www.ups.com"). Deliberately short: "123456.In 5 min" must not look like a
// domain.
func hasDomain(tok string) bool {
	for i := 1; i+1 < len(tok); i++ {
		if tok[i] != '.' || !isAlnumASCII(tok[i-1]) {
			continue
		}
		if i >= 3 && strings.EqualFold(tok[i-3:i], "www") {
			return true
		}
		j := i + 1
		for j < len(tok) && isLetterASCII(tok[j]) {
			j++
		}
		if n := j - i - 1; n < 2 || n > 4 || j < len(tok) && isAlnumASCII(tok[j]) {
			continue
		}
		var buf [4]byte
		if tlds[string(lowerASCII(buf[:0], tok[i+1:j]))] {
			return true
		}
	}
	return false
}

var tlds = setOf("com net org io co ly gl gg ai app dev uk ru br info biz link page us fr nl pl tr vn cn jp kr")

// isWebOTP reports whether candidate c is the code of a WebOTP line:
// "@example.com #123456".
func (x *extractor) isWebOTP(c cand) bool {
	text := x.text
	if c.s < 2 || text[c.s-1] != '#' {
		return false
	}
	p := c.s - 1
	for p > 0 && text[p-1] == ' ' {
		p--
	}
	if p == c.s-1 {
		return false
	}
	q := p
	for q > 0 && isTokenByte(text[q-1]) {
		q--
	}
	tok := text[q:p]
	return len(tok) > 3 && tok[0] == '@' && strings.IndexByte(tok, '.') > 1
}

// repeatedInLink reports whether candidate c also appears in a link of the
// message ("myapp://verify?code=582019 … or manually enter 582019"); for a
// grouped code, its digits without the separator ("123-456" in
// "…/verify/123456").
func (x *extractor) repeatedInLink(c cand) bool {
	text := x.text
	var buf [16]byte
	v := buf[:0]
	for i := c.s; i < c.e; i++ {
		if isAlnumASCII(text[i]) {
			v = append(v, text[i])
		}
	}
	if len(v) < 4 {
		return false
	}
	for off := 0; off < len(text); {
		j := strings.Index(text[off:], string(v))
		if j < 0 {
			return false
		}
		p := off + j
		off = p + 1
		q := p + len(v)
		if p >= c.s && p < c.e || p > 0 && isAlnumASCII(text[p-1]) || q < len(text) && isAlnumASCII(text[q]) {
			continue
		}
		ts, te := p, q
		for ts > 0 && isTokenByte(text[ts-1]) {
			ts--
		}
		for te < len(text) && isTokenByte(text[te]) {
			te++
		}
		if strings.ContainsAny(text[ts:te], "/=") {
			return true
		}
	}
	return false
}

// isKnownPrefix reports whether a prefixed candidate is written as Google
// (G-123456) or Facebook (FB-12345) write their codes.
func isKnownPrefix(v string) bool {
	switch {
	case strings.HasPrefix(v, "G-"):
		return len(v) == 8
	case strings.HasPrefix(v, "FB-"):
		return len(v) >= 8
	}
	return false
}

// isYear reports whether v looks like a year between 1900 and 2099.
func isYear(v string) bool {
	return len(v) == 4 && (strings.HasPrefix(v, "19") || strings.HasPrefix(v, "20")) && isDigit(v[2]) && isDigit(v[3])
}

// isTokenByte reports whether c continues an ASCII token; non-ASCII bytes end
// it so that CJK text without spaces does not form one huge token.
func isTokenByte(c byte) bool {
	return c > ' ' && c < utf8.RuneSelf
}

func isHashByte(c byte) bool { return isAlnumASCII(c) || c == '+' || c == '/' }

func isDigit(c byte) bool       { return c >= '0' && c <= '9' }
func isLetterASCII(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnumASCII(c byte) bool  { return isDigit(c) || isLetterASCII(c) }
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

func isUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && (s[i] < 'A' || s[i] > 'Z') {
			return false
		}
	}
	return true
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// lowerASCII appends s in ASCII lower case to dst.
func lowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
