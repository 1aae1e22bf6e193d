// Package pin recognises verification codes (PINs) in SMS texts.
//
// The extractor works in four steps, in a single pass over the text for the
// first two and without regular expressions:
//
//  1. Every token shaped like a code is a candidate: 4-8 digits, "123-456" /
//     "123 456", "4821-9930", a short capital prefix plus digits
//     ("G-804036", "FB-12345"), a 4-8 character alphanumeric token
//     ("AB12CD", "AB12-CD34"), or a 5-8 letter vowel-less capital token
//     (Steam Guard).
//  2. Keywords are found in the words of the text, using per-language
//     vocabularies (vocab.go): words that name a code ("code", "código",
//     "kod", "码"), words of verification ("verify", "OTP", "подтверждение",
//     "التحقق", "認証"), and negative words: marketing ("promo", "discount",
//     "referral", "скидка", "優惠") and other numbers ("order", "flight",
//     "balance", "заказ", "訂單"). Adjacent keywords merge into one
//     ("verification code", "código de descuento"), and in scripts written
//     without spaces keywords are found as substrings ("验证码123456").
//  3. Candidates that look like something else are discarded: parts of
//     longer numbers (phone numbers, dates, times, amounts), links, e-mail
//     addresses and app hashes, money, quantities, years, and numbers
//     labelled as orders, accounts, references or short codes ("text STOP
//     to 22000"); and a candidate a negative word is closest to, unless a
//     verification word is closer still ("Use code 481920 for 30% off").
//  4. The survivors are ranked. A candidate directly labelled ("code: 1234",
//     "1234 is your code", "รหัสยืนยันคือ 1234", "@acme.com #1234") beats one
//     that is merely near a keyword in the same sentence, which beats one
//     repeated in a link ("…/verify?c=1234 or enter 1234") or written
//     G-123456 / FB-12345, which beats one whose only support is a keyword
//     elsewhere in the message.
//
// Extract returns "" rather than guessing: a message without support for any
// candidate, or whose only numbers are disqualified, has no code.
package pin

import (
	"unicode/utf8"
)

// Extract returns the verification code recognised in text, or "" when there is none.
//
// The code is returned exactly as written in text (so it is always a
// substring of text): "G-804036" keeps its "G-" prefix, "FB-12345" keeps its
// "FB-" prefix, "123-456" keeps its dash and "123 456" keeps its space.
func Extract(text string) string {
	// The buffers are separate variables rather than fields of x: a struct
	// pointing into itself would be moved to the heap.
	var (
		x        extractor
		candBuf  [16]cand
		markBuf  [24]marker
		breakBuf [16]int
	)
	x.text = text
	x.cands = candBuf[:0]
	x.findCandidates()
	if len(x.cands) == 0 {
		return ""
	}
	x.marks = markBuf[:0]
	x.breaks = breakBuf[:0]
	x.scanText()
	best, bestScore := -1, 0
	for i := range x.cands {
		if sc := x.score(i, bestScore); sc > bestScore {
			best, bestScore = i, sc
		}
	}
	if best < 0 {
		return ""
	}
	c := x.cands[best]
	return text[c.s:c.e]
}

// extractor holds the state of one Extract call. It and its buffers live on
// the stack, so that a typical message costs no allocation.
type extractor struct {
	text   string
	cands  []cand
	marks  []marker
	breaks []int // positions of sentence ends

	hist    [2]wordHist // the last two words, for phrases
	mineEnd int         // end of the last "my" word, or -1
}

// Scores. Only their order matters: a directly labelled candidate always
// beats a nearby one, which beats a structural cue, which beats one
// supported only by a keyword in another sentence. Within a tier the closer
// candidate wins (score minus distance), and on a tie the earlier one.
const (
	scoreStrong = 1000
	// scoreWebOTP is a WebOTP line ("@acme.com #123456"), as good as a
	// label.
	scoreWebOTP = 990
	// afterPenalty ranks a code labelled by a keyword after it ("1234 is
	// your code") below one labelled by a keyword before it, so that in
	// "5521 code: 4821" the keyword labels 4821.
	afterPenalty = 10
	scoreNear    = 500
	// scoreLink is a candidate repeated in a link of the same message.
	scoreLink = 450
	// scorePrefix is a Google or Facebook code (G-123456, FB-12345) without
	// any keyword: the prefix is the label, whatever the language.
	scorePrefix = 400
	scoreGlobal = 100
	// nearDistance is how far (in runes) a keyword may be from a candidate in
	// the same sentence to count as "nearby"; long enough for
	// "Your verification code for Acme Online Banking is 12345678".
	nearDistance = 60
)

// score rates candidate i; 0 means it is not a code or cannot beat floor,
// the score of the best candidate so far.
func (x *extractor) score(i, floor int) int {
	c := x.cands[i]
	if c.bad {
		return 0
	}
	text := x.text

	// The nearest supporting keywords (code words, verification words) on
	// each side within the sentence. Only keywords within reach matter: a
	// label at most 48 runes away, a nearby keyword at most nearDistance
	// runes; reachBytes bounds both, as a rune is at most 4 bytes.
	const reachBytes = 4 * (nearDistance + 4)
	prevSup, nextSup, prevLabel, nextLabel := -1, -1, -1, -1
	first := x.firstMarkerFrom(c.s)
	for j := first - 1; j >= 0 && (prevSup < 0 || prevLabel < 0); j-- {
		m := x.marks[j]
		if m.end > c.s {
			continue // overlaps the candidate
		}
		if c.s-m.end > reachBytes || x.breakBetween(m.end, c.s) {
			break
		}
		if m.kind&mSupport == 0 {
			continue
		}
		if prevSup < 0 {
			prevSup = j
		}
		if m.kind&mLabel != 0 && prevLabel < 0 {
			prevLabel = j
		}
	}
	for j := first; j < len(x.marks) && (nextSup < 0 || nextLabel < 0); j++ {
		m := x.marks[j]
		if m.start < c.e {
			continue // overlaps the candidate
		}
		if m.start-c.e > reachBytes || x.breakBetween(c.e, m.start) {
			break
		}
		if m.kind&mSupport == 0 {
			continue
		}
		if nextSup < 0 {
			nextSup = j
		}
		if m.kind&mLabel != 0 && nextLabel < 0 {
			nextLabel = j
		}
	}

	// Is the candidate directly labelled?
	sc, labelled, strong := 0, false, false
	if prevLabel >= 0 {
		if gap := text[x.marks[prevLabel].end:c.s]; labelsBefore(gap) {
			sc, labelled, strong = scoreStrong-utf8.RuneCountInString(gap), true, true
		}
	}
	if sc == 0 && nextLabel >= 0 {
		if gap := text[c.e:x.marks[nextLabel].start]; labelsAfter(gap) {
			sc, strong = scoreStrong-afterPenalty-utf8.RuneCountInString(gap), true
		}
	}
	webOTP := false
	if sc == 0 && x.isWebOTP(c) {
		sc, webOTP, strong = scoreWebOTP, true, true
	}
	if sc == 0 {
		dist := -1
		if prevSup >= 0 {
			dist = utf8.RuneCountInString(text[x.marks[prevSup].end:c.s])
		}
		if nextSup >= 0 {
			if d := utf8.RuneCountInString(text[c.e:x.marks[nextSup].start]); dist < 0 || d < dist {
				dist = d
			}
		}
		// Letters, mixed tokens, 4+4 groups and years are too often
		// ordinary words, model names, ranges or dates: without a label,
		// only a link may support them.
		weak := c.k == kindAlnum || c.k == kindAlnumGrouped || c.k == kindLetters || c.k == kindGrouped44 || isYear(text[c.s:c.e])
		switch {
		case !weak && dist >= 0 && dist <= nearDistance:
			sc = scoreNear - dist
		case c.k != kindLetters && !isYear(text[c.s:c.e]) && scoreLink > floor && x.repeatedInLink(c):
			sc = scoreLink
		case c.k == kindPrefixed && isKnownPrefix(text[c.s:c.e]):
			sc = scorePrefix
		case !weak && c.k != kindPrefixed && x.anySupport():
			sc = scoreGlobal
		}
	}
	if sc <= floor {
		return 0
	}
	if followedByUnit(text, c.e) {
		return 0
	}
	// A preceding label wins over the words right before the candidate:
	// in "OTP for your SBI transaction is 291834" the number is the OTP, not
	// a transaction reference, and in "PIN #1234" the "#" is decoration.
	if !labelled && !webOTP && precededByNegative(text, c.s) {
		return 0
	}
	if x.vetoed(i, strong) {
		return 0
	}
	return sc
}

// vetoed reports whether a negative word claims candidate i: the candidate
// is the code-shaped token closest to a marketing or reference word, and
// no keyword that protects it is closer.
//
// A marketing word ("promo", "30%", "скидка", "優惠") vetoes it unless a
// verification word is closer, wherever it is: in "SALE: 50% OFF. Code:
// SAVE50." the code is a promo code. A weak marketing word ("free", "gift")
// in another sentence does not veto a directly labelled candidate ("Your
// code is 1234. Get the free app!"). A reference word ("order", "flight",
// "заказ") vetoes only in the candidate's sentence, unless a code or
// verification word is closer.
func (x *extractor) vetoed(i int, strong bool) bool {
	c := x.cands[i]
	for j, a := range x.marks {
		if a.kind&mAnti == 0 {
			continue
		}
		if x.claimant(j) != i {
			continue
		}
		da := x.distance(&x.marks[j], c)
		same := !x.breakBetween(min(a.end, c.e), max(a.start, c.s))
		switch {
		case a.kind&mPromo != 0:
			if !same && strong && a.kind&mWeak != 0 {
				continue
			}
			if !x.closerSupport(c, da, mVerify, false) {
				return true
			}
		case same:
			if !x.closerSupport(c, da, mSupport, true) {
				return true
			}
		}
	}
	return false
}

// closerSupport reports whether a keyword of the given kind (and no negative
// kind) is closer to candidate c than dist runes, in its sentence only if
// sameSentence. Markers at least 4*dist bytes away cannot be closer, so the
// search stops there.
func (x *extractor) closerSupport(c cand, dist int, kind mark, sameSentence bool) bool {
	ok := func(j int) bool {
		m := &x.marks[j]
		if m.kind&kind == 0 || m.kind&mAnti != 0 {
			return false
		}
		if sameSentence && x.breakBetween(min(m.end, c.e), max(m.start, c.s)) {
			return false
		}
		return x.distance(m, c) < dist
	}
	first := x.firstMarkerFrom(c.s)
	for j := first - 1; j >= 0 && c.s-x.marks[j].end < 4*dist; j-- {
		if ok(j) {
			return true
		}
	}
	for j := first; j < len(x.marks) && x.marks[j].start-c.e < 4*dist; j++ {
		if ok(j) {
			return true
		}
	}
	return false
}

// claimant returns the candidate (well formed or not) closest to marker j;
// on a tie, the one after it, as negative words usually precede what they
// name ("order 12345", "promo code SAVE20"). Candidates are in text order,
// so the closest is the last one before the marker or the first one after.
func (x *extractor) claimant(j int) int {
	m := &x.marks[j]
	if m.claim > 0 {
		return m.claim - 1
	}
	// The first candidate that does not end before the marker.
	lo, hi := 0, len(x.cands)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.cands[mid].e <= m.start {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	best := -1
	switch {
	case lo == len(x.cands):
		best = lo - 1
	case lo == 0:
		best = 0
	default:
		if x.distance(m, x.cands[lo-1]) < x.distance(m, x.cands[lo]) {
			best = lo - 1
		} else {
			best = lo
		}
	}
	m.claim = best + 1
	return best
}

// firstMarkerFrom returns the index of the first marker ending after byte
// position p (len(x.marks) if none).
func (x *extractor) firstMarkerFrom(p int) int {
	lo, hi := 0, len(x.marks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.marks[mid].end <= p {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// anySupport reports whether the message has a code or verification word
// anywhere.
func (x *extractor) anySupport() bool {
	for _, m := range x.marks {
		if m.kind&mSupport != 0 {
			return true
		}
	}
	return false
}

// distance is the number of runes between marker m and candidate c.
func (x *extractor) distance(m *marker, c cand) int {
	switch {
	case m.end <= c.s:
		return utf8.RuneCountInString(x.text[m.end:c.s])
	case c.e <= m.start:
		return utf8.RuneCountInString(x.text[c.e:m.start])
	}
	return 0
}

// breakBetween reports whether a sentence ends between byte positions a and
// b.
func (x *extractor) breakBetween(a, b int) bool {
	lo, hi := 0, len(x.breaks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.breaks[mid] < a {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(x.breaks) && x.breaks[lo] < b
}

// The state of an extractor lives in stack buffers. Appending to them
// through the pointer receiver would make the compiler move them to the
// heap (the grown slice could alias them), so the slices grow by
// re-slicing, and only a message with more candidates, keywords or
// sentences than the buffers hold pays for a heap copy.

func (x *extractor) addCand(c cand) {
	if len(x.cands) == cap(x.cands) {
		x.cands = grow(x.cands)
	}
	x.cands = x.cands[:len(x.cands)+1]
	x.cands[len(x.cands)-1] = c
}

func (x *extractor) pushMarker(m marker) {
	if len(x.marks) == cap(x.marks) {
		x.marks = grow(x.marks)
	}
	x.marks = x.marks[:len(x.marks)+1]
	x.marks[len(x.marks)-1] = m
}

func (x *extractor) addBreak(p int) {
	if len(x.breaks) == cap(x.breaks) {
		x.breaks = grow(x.breaks)
	}
	x.breaks = x.breaks[:len(x.breaks)+1]
	x.breaks[len(x.breaks)-1] = p
}

// grow returns a copy of s on the heap with twice the capacity.
func grow[T any](s []T) []T {
	n := make([]T, len(s), 2*cap(s)+8)
	copy(n, s)
	return n
}
