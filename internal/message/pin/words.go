package pin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// marker is a keyword found in the text, or several adjacent ones merged
// ("verification code", "código de verificación", "promo code").
type marker struct {
	start, end int
	kind       mark
	// claim caches the candidate a negative marker is about, plus one (0:
	// not computed yet); see extractor.claimant.
	claim int
}

// wordHist is a word remembered for phrase look-ups.
type wordHist struct {
	start, end int
	n          int // key length; -1 when there is no usable word
	key        [40]byte
}

// scanText finds the keywords and sentence ends of x.text in one pass.
//
// Words are runs of letters, marks and digits. A run is also cut where the
// script changes between one written with spaces and one without, so that
// "验证码123456" is "验证码" then "123456" and "รหัสOTP" is "รหัส" then
// "OTP".
func (x *extractor) scanText() {
	text := x.text
	x.hist[0].n, x.hist[1].n = -1, -1
	x.mineEnd = -1
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if isAlnumASCII(c) {
				i = x.word(i, false)
				continue
			}
			switch c {
			case '.', '!', '?':
				if i+1 < len(text) && isSpace(text[i+1]) {
					x.addBreak(i)
				}
			case '%':
				x.percent(i, i+1)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			i = x.word(i, isNoSpace(r))
			continue
		}
		switch r {
		case '。', '！', '？', '؟', '।', '۔':
			x.addBreak(i)
		case '٪', '％':
			x.percent(i, i+size)
		}
		i += size
	}
}

// word scans the word starting at start and records its keywords; it
// returns the end of the word.
func (x *extractor) word(start int, noSpace bool) int {
	text := x.text
	end := start
	for end < len(text) {
		c := text[end]
		if c < utf8.RuneSelf {
			if noSpace || !isAlnumASCII(c) {
				break
			}
			end++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[end:])
		if !isWordRune(r) || isNoSpace(r) != noSpace {
			break
		}
		end += size
	}
	if noSpace {
		x.cjkWord(start, end)
		x.forget()
		return end
	}
	if end-start > 60 || x.inLink(start, end) {
		x.forget()
		return end
	}
	raw := text[start:end]
	var buf [64]byte
	key := appendKey(buf[:0], raw)
	kind, tail := lookupWord(key, raw)
	if kind == 0 && string(key) == "off" && afterAmount(text, start) {
		// "$5 off", "10 EUR off": a discount, like "30%".
		kind = mPromo
	}

	if tail {
		if pk, ps, ok := x.phrase(start, key); ok {
			for n := len(x.marks); n > 0 && x.marks[n-1].start >= ps; n-- {
				x.marks = x.marks[:n-1]
			}
			if pk != mStop {
				x.addMarker(ps, end, pk)
			}
			x.remember(start, end, key)
			return end
		}
	}
	switch {
	case kind == mMine:
		x.mineEnd = end
	case kind&(mSupport|mAnti) != 0:
		if kind&mSupport == mLabel && x.mineEnd >= 0 && joined(text, x.mineEnd, start) {
			// "my code", "mi código": a referral code.
			kind = mPromo
		}
		x.addMarker(start, end, kind)
	}
	x.remember(start, end, key)
	return end
}

// phrase looks up the phrase of two or three words ending with the word at
// start (whose key is key); it returns the phrase's kind and start.
func (x *extractor) phrase(start int, key []byte) (mark, int, bool) {
	h1, h0 := &x.hist[1], &x.hist[0]
	if h1.n < 0 || !joined(x.text, h1.end, start) {
		return 0, 0, false
	}
	var buf [128]byte
	if h0.n >= 0 && joined(x.text, h0.end, h1.start) {
		b := append(buf[:0], h0.key[:h0.n]...)
		b = append(b, ' ')
		b = append(b, h1.key[:h1.n]...)
		b = append(b, ' ')
		b = append(b, key...)
		if k, ok := phrases[string(b)]; ok {
			return k, h0.start, true
		}
	}
	b := append(buf[:0], h1.key[:h1.n]...)
	b = append(b, ' ')
	b = append(b, key...)
	if k, ok := phrases[string(b)]; ok {
		return k, h1.start, true
	}
	return 0, 0, false
}

func (x *extractor) remember(start, end int, key []byte) {
	x.hist[0] = x.hist[1]
	h := &x.hist[1]
	h.start, h.end = start, end
	if len(key) > len(h.key) {
		h.n = -1
		return
	}
	h.n = copy(h.key[:], key)
}

// forget breaks the phrase history: no phrase spans a link or a CJK word.
func (x *extractor) forget() {
	x.hist[0].n, x.hist[1].n = -1, -1
}

// cjkWord finds the keywords inside a word of a script without spaces,
// longest first at each position.
func (x *extractor) cjkWord(start, end int) {
	text := x.text
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(text[i:])
		found := false
		for _, e := range cjkWords[r] {
			if strings.HasPrefix(text[i:end], e.s) {
				if e.kind != mStop {
					x.addMarker(i, i+len(e.s), e.kind)
				}
				i += len(e.s)
				found = true
				break
			}
		}
		if !found {
			i += size
		}
	}
}

// percent records a percentage ("30%", "%50", "٪٢٠") as marketing: a
// discount.
func (x *extractor) percent(s, e int) {
	text := x.text
	j := s
	for j > 0 && text[j-1] == ' ' && s-j < 1 {
		j--
	}
	k := j
	for k > 0 && isDigit(text[k-1]) {
		k--
	}
	if k < j {
		x.addMarker(k, e, mPromo)
		return
	}
	k = e
	for k < len(text) && isDigit(text[k]) {
		k++
	}
	if k > e {
		x.addMarker(s, k, mPromo)
	}
}

// afterAmount reports whether the word at start follows an amount: a digit
// or a currency symbol, spaces aside, or a currency code after a digit.
func afterAmount(text string, start int) bool {
	i := start
	for i > 0 && text[i-1] == ' ' {
		i--
	}
	if i == 0 {
		return false
	}
	if isDigit(text[i-1]) {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	if strings.ContainsRune(currencySymbols, r) {
		return true
	}
	j := i
	for j > 0 && isLetterASCII(text[j-1]) {
		j--
	}
	for j > 0 && text[j-1] == ' ' {
		j--
	}
	var buf [4]byte
	return i-j <= 4 && j > 0 && isDigit(text[j-1]) && i > j && currencyWords[string(lowerASCII(buf[:0], strings.TrimLeft(text[j:i], " ")))]
}

// addMarker appends a keyword, merging it with the previous one when the two
// are adjacent: "verification" + "code", "código" + "de" + "descuento",
// "インターネット" + ... A merged marker is marketing or a reference as soon
// as one part is ("promo code", "booking confirmation").
func (x *extractor) addMarker(start, end int, kind mark) {
	if n := len(x.marks); n > 0 {
		p := &x.marks[n-1]
		if p.end <= start && adjacent(x.text[p.end:start]) {
			k := p.kind | kind
			if k&mAnti != 0 {
				k &^= mSupport
			}
			if isStrongPromo(p.kind) || isStrongPromo(kind) {
				k &^= mWeak // "free gift code" is weak, "free promo code" is not
			}
			p.end, p.kind = end, k
			return
		}
	}
	x.pushMarker(marker{start: start, end: end, kind: kind})
}

func isStrongPromo(k mark) bool { return k&mPromo != 0 && k&mWeak == 0 }

// adjacent reports whether gap, the text between two keywords, makes them
// one expression: nothing, a space or hyphen, or a linking word ("de", "of",
// "的", "の").
func adjacent(gap string) bool {
	if len(gap) > 12 {
		return false
	}
	gap = strings.Trim(gap, " -'’\u00a0")
	switch gap {
	case "", "de", "De", "di", "do", "da", "du", "des", "del", "della", "dello", "of", "для", "的", "の":
		return true
	}
	return false
}

// joined reports whether the words ending at a and starting at b are next to
// each other, separated by a space or a hyphen ("promo code", "sign-in").
func joined(text string, a, b int) bool {
	if a <= 0 || a >= b || b-a > 2 {
		return false
	}
	for i := a; i < b; i++ {
		if text[i] != ' ' && text[i] != '-' {
			return false
		}
	}
	return true
}

// inLink reports whether the word text[s:e] is part of a link, a domain or
// an e-mail address ("acme.com/verify", "Booking.com", "support@acme.com"),
// whose words are not keywords.
func (x *extractor) inLink(s, e int) bool {
	text := x.text
	if s > 0 {
		switch text[s-1] {
		case '/', '@', '=', '&', '?', '_':
			return true
		case '.':
			if s >= 2 && isAlnumASCII(text[s-2]) {
				return true
			}
		}
	}
	if e < len(text) {
		switch text[e] {
		case '@', '/', '_':
			return true
		case '.':
			return e+1 < len(text) && isLetterASCII(text[e+1])
		case ':':
			return strings.HasPrefix(text[e:], "://")
		}
	}
	return false
}

// lookupWord classifies a word by its key (and, for case-sensitive and
// unfolded entries, as written). tail reports whether the word may end a
// phrase.
func lookupWord(key []byte, raw string) (kind mark, tail bool) {
	if n := len(raw); n >= 3 && raw[n-2] == 'A' && (raw[n-1] == 'N' || raw[n-1] == 'C') {
		if k, ok := caseSensitive[raw]; ok {
			return k, false
		}
	}
	if len(raw) <= maxRawWord && hasNonASCII(raw) {
		var buf [32]byte
		low := buf[:0]
		for _, r := range raw {
			low = utf8.AppendRune(low, unicode.ToLower(r))
		}
		if k, ok := rawWords[string(low)]; ok {
			return k, false
		}
	}
	if e := words[string(key)]; e != nil {
		tail = e.tail
		if e.exact != 0 {
			return stopToZero(e.exact), tail
		}
	}
	if k := prefixLookup(key); k != 0 {
		if k&(mAnti|mStop) == 0 {
			k |= compoundKind(key)
		}
		return stopToZero(k), tail
	}
	if k := compoundKind(key); k != 0 {
		// German and Dutch compounds: "Zugangscode", "smscode",
		// "Einmalpasswort".
		return k, tail
	}
	if len(key) >= 4 && key[0] >= 0xD6 && key[0] <= 0xDB {
		// Hebrew and Arabic-script clitics: "הקוד", "לאימות", "الرمز",
		// "للتحقق", "بالكود".
		for _, p := range clitics {
			if len(key)-len(p) >= 4 && strings.HasPrefix(string(key), p) {
				rest := key[len(p):]
				if e := words[string(rest)]; e != nil && e.exact != 0 {
					return stopToZero(e.exact), tail
				}
				if k := prefixLookup(rest); k != 0 {
					return stopToZero(k), tail
				}
			}
		}
	}
	return 0, tail
}

// clitics are the Hebrew and Arabic prefixes (articles, prepositions,
// conjunctions) that are written attached to the next word, longest first,
// in normalised form.
var clitics = []string{
	"וה", "שה", "מה", "לה", "בה", "כה", "וב", "ול", "ומ", "וש", "ה", "ו", "ב", "ל", "מ", "ש", "כ",
	"وال", "فال", "بال", "کال", "لل", "ال", "و", "ف", "ب", "ل", "ک",
}

func stopToZero(k mark) mark {
	if k&mStop != 0 {
		return 0
	}
	return k
}

// prefixLookup finds the longest prefix entry that key starts with.
func prefixLookup(key []byte) mark {
	if len(key) < 2 {
		return 0
	}
	if b := int(key[0])<<8 | int(key[1]); prefixStart[b/64]&(1<<(b%64)) == 0 {
		return 0
	}
	for n := len(key); n >= 2; n-- {
		if n < len(key) && !utf8.RuneStart(key[n]) {
			continue
		}
		if e := words[string(key[:n])]; e != nil && e.prefix != 0 {
			if utf8.RuneCount(key[n:]) <= int(e.extra) {
				return e.prefix
			}
		}
	}
	return 0
}

// compoundKind classifies a compound word by its last part: "…code" names
// a code, "…passwort", "…kennwort", "…wachtwoord", "…password" a secret.
func compoundKind(key []byte) mark {
	s := string(key) // no allocation: the conversion does not escape
	switch {
	case len(s) <= 5:
		return 0
	case strings.HasSuffix(s, "code") || strings.HasSuffix(s, "codes"):
		return mLabel
	case len(s) > 8 && (strings.HasSuffix(s, "passwort") || strings.HasSuffix(s, "kennwort") ||
		strings.HasSuffix(s, "wachtwoord") || strings.HasSuffix(s, "password")):
		return mLabel | mVerify
	}
	return 0
}

// appendKey appends the look-up key of word w to dst: lower case, Latin
// letters without diacritics ("Código" -> "codigo", "şifre" -> "sifre",
// "Mã" -> "ma"), "ё" as "е", Arabic letter variants unified (ك and ک,
// ي and ی, أ and ا, ة and ه), and vowel points, tatweel and zero-width
// joiners dropped.
func appendKey(dst []byte, w string) []byte {
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		i += size
		dst = appendFolded(dst, r)
	}
	return dst
}

func appendFolded(dst []byte, r rune) []byte {
	switch {
	case r >= 0xC0 && r <= 0x24F:
		switch r {
		case 'ß':
			return append(dst, "ss"...)
		case 'Æ', 'æ', 'Ǽ', 'ǽ', 'Ǣ', 'ǣ':
			return append(dst, "ae"...)
		case 'Œ', 'œ':
			return append(dst, "oe"...)
		case 'Þ', 'þ':
			return append(dst, "th"...)
		case 'Ĳ', 'ĳ':
			return append(dst, "ij"...)
		}
		if f := latinFold[r-0xC0]; f != '_' {
			return append(dst, f)
		}
	case r >= 0x1E00 && r <= 0x1EFF:
		if f := vietFold[r-0x1E00]; f != '_' {
			return append(dst, f)
		}
	case r >= 0x300 && r <= 0x36F, r >= 0x591 && r <= 0x5C7, r >= 0x64B && r <= 0x65F,
		r == 0x670, r == 0x640, r == 0x200C, r == 0x200D, r == 0x93C, r == 0x9BC:
		// Combining accents (decomposed text), Hebrew points, Arabic
		// harakat, superscript alef, tatweel, zero-width (non-)joiners,
		// Devanagari and Bengali nukta.
		return dst
	case r == 'ё' || r == 'Ё':
		return append(dst, "е"...)
	case r >= 0x622 && r <= 0x64A:
		switch r {
		case 'آ', 'أ', 'إ':
			r = 'ا'
		case 'ك':
			r = 'ک'
		case 'ي', 'ى', 'ئ':
			r = 'ی'
		case 'ة':
			r = 'ه'
		case 'ؤ':
			r = 'و'
		}
		return utf8.AppendRune(dst, r)
	case r == 'ٱ':
		return utf8.AppendRune(dst, 'ا')
	case r >= 0x958 && r <= 0x95F:
		// Devanagari letters with nukta, precomposed: क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़.
		return utf8.AppendRune(dst, []rune{'क', 'ख', 'ग', 'ज', 'ड', 'ढ', 'फ', 'य'}[r-0x958])
	case r == 0x9DC:
		return utf8.AppendRune(dst, 'ড')
	case r == 0x9DD:
		return utf8.AppendRune(dst, 'ঢ')
	case r == 0x9DF:
		return utf8.AppendRune(dst, 'য')
	}
	return utf8.AppendRune(dst, unicode.ToLower(r))
}

// isWordRune reports whether r is part of a word: a letter, a combining mark
// (Thai and Indic vowel signs), a digit, or a zero-width (non-)joiner
// (Persian).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isAlnumASCII(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == 0x200C || r == 0x200D
}

// isNoSpace reports whether r belongs to a script written without spaces
// between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) or, like
// Korean, with particles attached to nouns; keywords in those are found as
// substrings.
func isNoSpace(r rune) bool {
	switch {
	case r < 0x0E00:
		return false
	case r <= 0x0EFF: // Thai, Lao
		return true
	case r >= 0x1000 && r <= 0x109F, r >= 0x1780 && r <= 0x17FF: // Myanmar, Khmer
		return true
	case r >= 0x1100 && r <= 0x11FF: // Hangul Jamo
		return true
	case r >= 0x3005 && r <= 0x3007, r >= 0x3040 && r <= 0x30FF, r >= 0x3130 && r <= 0x318F,
		r >= 0x31F0 && r <= 0x31FF, r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF,
		r >= 0xAC00 && r <= 0xD7AF, r >= 0xF900 && r <= 0xFAFF, r >= 0xFF66 && r <= 0xFF9F,
		r >= 0x20000 && r <= 0x3FFFF:
		return true
	}
	return false
}
