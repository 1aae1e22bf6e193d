// Package pin recognises verification codes (PINs) in SMS texts.
//
// The extractor works in three steps:
//
//  1. Every token that is shaped like a code is a candidate: 4-8 digits,
//     "123-456" / "123 456", a short capital prefix plus digits ("G-804036",
//     "FB-12345"), a 4-8 character alphanumeric token, or a 5-8 letter
//     vowel-less capital token (Steam Guard).
//  2. Candidates that look like something else are discarded: parts of longer
//     numbers (phone numbers, dates, times, amounts), URL or e-mail fragments,
//     money, quantities, years, and numbers labelled as orders, accounts,
//     references, short codes ("text STOP to 22000") and the like.
//  3. The survivors are ranked by how close they are to a keyword ("code",
//     "OTP", "PIN", "código", "код", ...) in the same sentence. A candidate
//     directly labelled ("code: 1234", "1234 is your ... code") beats one
//     that is merely nearby, which beats one whose only support is a keyword
//     elsewhere in the message.
//
// Extract returns "" rather than guessing: a message without any keyword, or
// whose only numbers are disqualified, has no code.
package pin

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Extract returns the verification code recognised in text, or "" when there is none.
//
// The code is returned exactly as written in text (so it is always a
// substring of text): "G-804036" keeps its "G-" prefix, "FB-12345" keeps its
// "FB-" prefix, "123-456" keeps its dash and "123 456" keeps its space.
func Extract(text string) string {
	marks, keyword := findMarkers(text)
	if !keyword {
		// Every code we accept is supported by a keyword somewhere; checking
		// this first makes the common case (chatty or marketing SMS) cheap.
		return ""
	}
	best, bestScore := "", 0
	for _, loc := range candidateRe.FindAllStringIndex(text, -1) {
		if sc := score(text, loc[0], loc[1], marks, bestScore); sc > bestScore {
			best, bestScore = text[loc[0]:loc[1]], sc
		}
	}
	return best
}

// kind is the shape of a candidate token.
type kind uint8

const (
	kindNone     kind = iota // not a plausible code
	kindDigits               // 123456
	kindGrouped              // 123-456 or 123 456
	kindPrefixed             // G-804036, FB-12345
	kindAlnum                // AB12CD, 7K2PF
	kindLetters              // RTQXB (Steam Guard codes may contain no digit)
)

// Scores. Only their order matters: a directly labelled candidate always
// beats a nearby one, which always beats one supported only by a keyword in
// another sentence. Within a tier the closer candidate wins (score minus
// distance), and on a tie the earlier one.
const (
	scoreStrong = 1000
	scoreNear   = 500
	scoreGlobal = 100
	// nearDistance is how far (in runes) a keyword may be from a candidate in
	// the same sentence to count as "nearby"; long enough for
	// "Your verification code for Acme Online Banking is 12345678".
	nearDistance = 60
	// contextWindow bounds, in bytes, how far sentenceAround looks for the
	// sentence containing a candidate.
	contextWindow = 64
	// unitWindow is how many bytes after a candidate negAfterRe looks at:
	// enough for "5000 bonus points". The regexps are the expensive part of
	// scoring, so their input is kept short.
	unitWindow = 24
)

// ws is whitespace including Unicode spaces (NBSP is common in SMS gateways);
// RE2's \s is ASCII-only.
const ws = `[\s\p{Zs}]`

// candidateRe finds code-shaped tokens. Alternatives are tried left to right
// at each position (leftmost-first), so "G-804036" is taken whole before the
// digits alone, and "123 456" before "123". The \b guards stop matches inside
// longer words and numbers; length limits for the alphanumeric alternative are
// enforced in classify because RE2 cannot count the mixed run.
var candidateRe = regexp.MustCompile(`\b(?:` +
	`[A-Z]{1,3}-\d{4,8}` + // Google G-123456, Facebook FB-12345
	`|\d{3}[- ]\d{3}` + // WhatsApp/Instagram 123-456, 123 456
	`|[A-Za-z]{0,7}\d[A-Za-z0-9]{0,7}` + // digits, or letters and digits
	`|[A-Z]{5,8}` + // Steam Guard codes without a digit
	`)\b`)

// beforeGapRe matches the text between a label keyword and a candidate that
// follows it when the label names that candidate: only punctuation and a verb
// ("code: 1234", "código es 1234", "Code is: 1234"), or up to four words
// closed by ":" or "is" ("código iFood: 1234", "code for Acme is 1234").
var beforeGapRe = regexp.MustCompile(`(?i)^(?:` +
	`[\s\p{Zs}"'“”«»(\[*#№:：=\-–—]*` +
	`|(?:` + ws + `+[^\s\p{Zs}.!?]+){1,4}` + `(?:` + ws + `*[:：=]|` + ws + `+(?:is|was|es|est|ist|é|è|era|lautet|sind|are))` +
	`)(?:(?:is|was|es|est|ist|é|è|era|lautet|sind|are)?[\s\p{Zs}"'“”«»(\[*:：=\-–—]*)$`)

// afterGapRe matches the text between a candidate and a label keyword after
// it when the label names the candidate: a connector and at most four words
// ("123456 is your Amazon OTP", "Use 1234567 as Microsoft account security
// code", "1234 — ваш код").
var afterGapRe = regexp.MustCompile(`(?i)^[\s\p{Zs})\]"'”»*,]*(?:is|as|es|est|ist|é|è|era|—|–|-|:|=|your|ur|seu|sua|tu|su|votre|ton|dein|ihr|ваш)` +
	`[\s\p{Zs}:]+(?:[^\s\p{Zs}.!?]+` + ws + `+){0,4}$`)

// negBeforeRe rejects a candidate by what immediately precedes it. It is
// matched against the lower-cased last few words before the candidate (see
// precededByNegative), so it needs no (?i), whose Unicode case folding is
// the slowest part of matching. Each alternative is anchored at the end,
// i.e. at the candidate.
var negBeforeRe = regexp.MustCompile(`(?:` +
	// References, accounts and identifiers: "Order #12345", "card ending
	// 1234", "Ref: 5678", "Member ID 12345678", "order number is 12345".
	`(?:#|№|\b(?:no|nr|num|number|order|ref|reference|invoice|inv|tracking|shipment|parcel|package|acct|account|a/c|card|ending(?:` + ws + `+(?:in|with))?|ends` + ws + `+(?:in|with)|last` + ws + `+(?:4|four)(?:` + ws + `+digits)?|ext|extension|ticket|case|claim|flight|room|gate|seat|unit|suite|apt|zip|postcode|pincode|id|member|membership|customer|policy|loan|txn|transaction|receipt|booking|reservation|pnr|store|branch|route|bus|train|platform|version|model|serial|sku|item|step|page|pedido|orden|commande|bestellung)\b` +
	// RE2's \b is ASCII-only, so Cyrillic words get an explicit boundary.
	`|(?:^|[^\p{L}])(?:заказ|счёт|счет|карт)\p{L}*)` +
	ws + `*(?:number|num|no\.?|nr|#|id)?` + `[\s\p{Zs}:.#=\-]*(?:(?:is|was)` + ws + `*[:\-]?` + ws + `*)?` +
	// Phone numbers and short codes: "text STOP to 22000", "call us at
	// 5550100", "from 72975". ("Text JOIN to 12345" is shortCodeRe.)
	`|\b(?:stop|help|start|unstop|end|quit|cancel|unsubscribe|subscribe|join|info|yes|no|y|n)` + ws + `+(?:to|at|@)` + ws + `*` +
	`|\b(?:call|dial|text|txt|sms|phone|tel|telephone|fax|whatsapp|contact|reach|helpline|hotline|toll` + ws + `?-?free|from|mobile|cell|ph|mob)\b(?:` + ws + `+(?:us|now|our|me))?(?:` + ws + `+(?:team|support))?(?:` + ws + `+(?:at|on|to))?[\s\p{Zs}:.\-]*` +
	// Money: "$1234", "INR 5000", "R$ 1500", "balance is 1500".
	`|[$€£¥₹₽₩₦]` + ws + `*` +
	`|\b(?:usd|eur|gbp|inr|rs|mxn|cad|aud|jpy|brl|rub|ngn|kes|php|idr|zar|chf|cny|rmb)\b\.?` + ws + `*` +
	`|\br\$` + ws + `*` +
	`|\b(?:amount|amt|total|balance|bal|price|cost|fee|paid|charged|debited|credited|spent|refund(?:ed)?|limit|sum|salary|deposit(?:ed)?|withdrawn?)\b(?:` + ws + `+(?:of|by|with|is|was|for))?[\s\p{Zs}:.\-]*` +
	// Times, dates and years: "at 1530", "until 2359", "in 2025", "© 2024".
	`|\b(?:at|on|until|till|by|before|after|since|between|during|within|in|year|anno|desde|depuis|seit)\b` + ws + `*` +
	`|(?:©|\(c\)|\bcopyright)` + ws + `*` +
	`)$`)

// shortCodeRe rejects a number after a capitalised SMS command, which
// subscription notices use for their short code: "Text JOIN to 12345",
// "Reply YES to 48291". Case matters here, so it runs on the original text.
var shortCodeRe = regexp.MustCompile(`\b[A-Z]{2,10}` + ws + `+(?:to|at|@)` + ws + `*$`)

// negAfterRe rejects a candidate by what immediately follows it: units,
// currencies and quantities ("1250 points", "1530 hrs", "5000 free credits").
var negAfterRe = regexp.MustCompile(`(?i)^(?:` +
	ws + `*(?:%|°|[$€£¥₹₽]|руб)` +
	`|` + ws + `*(?:am|pm|a\.m|p\.m|hrs?|hours?|h|mins?|minutes?|secs?|seconds?|days?|weeks?|months?|years?|yrs?|usd|eur|gbp|inr|rs|dollars?|euros?|pounds?|rupees?|pesos?|reais|rubles?|yen|sq|ft|feet|km|kms|mi|kg|kgs|lbs?|mb|gb|kb|tb|mph|kmh|kph)\b` +
	`|` + ws + `*(?:[A-Za-z]+` + ws + `+)?(?:points?|pts|miles?|rewards?|credits?|coins?|steps?|followers?|likes?|views?|people|users?|members?|items?|units?|calories|kcal|messages?|msgs?|minutes|bonus|puntos|pontos|punkte)\b` +
	`)`)

// alnumJunkRe rejects alphanumeric tokens that are quantities ("10min",
// "24h", "2nd", "5GB") or masked numbers ("XX1234").
var alnumJunkRe = regexp.MustCompile(`(?i)^(?:\d+(?:st|nd|rd|th|am|pm|h|hrs?|mins?|s|secs?|ms|k|m|mb|gb|kb|tb|g|kg|km|mi|x|d|y|w|px|p|fps|mah|gbps|mbps|ml|l|cm|mm|ft|in|lbs?|oz)|[x*]{2,}\d+)$`)

// tldRe spots a domain name in the token around a candidate ("foo123.com").
// Deliberately short: "123456.In 5 min" must not look like a domain.
var tldRe = regexp.MustCompile(`(?i)[a-z0-9]\.(?:com|net|org|io|co|ly|gl|gg|ai|app|dev|uk|ru|br|info|biz|link|page|us)\b`)

// marketingRe marks a sentence as an advertisement: an alphanumeric "code"
// in it is a promo code, not a verification code ("Use code SAVE20 for 20%
// off").
var marketingRe = regexp.MustCompile(`(?i)%` + ws + `*off\b|\b(?:off` + ws + `+your|at` + ws + `+checkout|free` + ws + `+shipping|sale|promo\p{L}*|coupon|discount|descuento|desconto|rabatt)\b`)

// Keywords are recognised word by word rather than with one big
// case-insensitive regexp: a single pass over the text with map look-ups is
// an order of magnitude faster than RE2's NFA over a hundred alternatives,
// and this runs for every inbound SMS. Words are maximal runs of Unicode
// letters and digits, compared in lower case.
var (
	// keywordWords maps whole lower-case words to their marker kind.
	keywordWords = map[string]markerKind{
		// Words that label the code itself ("code: 1234", "OTP is 1234").
		"code": markLabel, "codes": markLabel, "código": markLabel, "códigos": markLabel,
		"codigo": markLabel, "codigos": markLabel, "codice": markLabel, "kode": markLabel,
		"kodu": markLabel, "clave": markLabel, "senha": markLabel, "contraseña": markLabel,
		"contrasena": markLabel, "pin": markLabel, "pins": markLabel, "otp": markLabel,
		"otps": markLabel, "passcode": markLabel, "passcodes": markLabel, "password": markLabel,
		"passwords": markLabel, "passwort": markLabel, "kennwort": markLabel, "token": markLabel,
		"tokens": markLabel,
		// Words that show the message is about verification without naming a
		// particular token ("Use 123 456 to verify", "security").
		"auth": markContext, "2fa": markContext, "mfa": markContext, "login": markContext,
		"logon": markContext, "signin": markContext, "onetime": markContext,
		"security": markContext, "seguridad": markContext, "segurança": markContext,
		"seguranca": markContext,
		// Codes that are not verification codes.
		"barcode": markAnti, "barcodes": markAnti, "zipcode": markAnti, "zipcodes": markAnti,
		"postcode": markAnti, "postcodes": markAnti, "promocode": markAnti, "promocodes": markAnti,
		"pincode": markAnti, "pincodes": markAnti, "qrcode": markAnti, "unicode": markAnti,
		"decode": markAnti, "encode": markAnti, "geocode": markAnti,
	}
	// keywordPrefixes covers inflected forms: verify/verification/vérification,
	// confirm/confirmation, код/кода/коды, and so on.
	keywordPrefixes = []struct {
		prefix string
		kind   markerKind
	}{
		{"код", markLabel}, {"парол", markLabel},
		{"verif", markContext}, {"vérif", markContext}, {"confirm", markContext},
		{"bestätig", markContext}, {"bestatig", markContext}, {"authenti", markContext},
		{"sicherheit", markContext}, {"anmeld", markContext}, {"sécurit", markContext},
		{"подтвержд", markContext}, {"вход", markContext},
	}
	// tanWords are German banking transaction numbers. They are matched
	// case-sensitively because "tan" is also an English word.
	tanWords = map[string]bool{"TAN": true, "mTAN": true, "smsTAN": true, "SMSTAN": true, "pushTAN": true, "chipTAN": true}
	// antiModifiers turn a following "code" into a code that is not a
	// verification code: "promo code", "zip code", "order code".
	antiModifiers = map[string]bool{
		"promo": true, "promotional": true, "coupon": true, "discount": true, "voucher": true,
		"referral": true, "gift": true, "offer": true, "invite": true, "invitation": true,
		"zip": true, "postal": true, "post": true, "area": true, "country": true,
		"tracking": true, "booking": true, "reservation": true, "qr": true, "bar": true,
		"error": true, "status": true, "product": true, "style": true, "swift": true,
		"ifsc": true, "routing": true, "sort": true, "order": true, "dress": true,
		"cupón": true, "cupon": true, "cupom": true, "gutschein": true, "rabatt": true,
	}
	// antiQualifiers do the same after the noun, in Romance languages:
	// "código promocional", "code postal", "código de descuento".
	antiQualifiers = map[string]bool{
		"promo": true, "promocional": true, "postal": true, "descuento": true,
		"desconto": true, "barras": true, "rastreo": true, "rastreamento": true,
		"reserva": true, "cupón": true, "cupon": true, "cupom": true, "réduction": true,
		"reduction": true,
	}
	// cjkKeywords are searched as substrings because CJK text has no spaces
	// between words ("您的验证码是123456").
	cjkKeywords = []string{"验证码", "校验码", "驗證碼", "認証コード", "確認コード", "인증번호"}
)

type markerKind uint8

const (
	markAnti    markerKind = iota // "promo code", "zip code": not a verification code
	markLabel                     // "code", "OTP", "PIN": names the code
	markContext                   // "verify", "log in": verification topic
)

type marker struct {
	start, end int
	kind       markerKind
}

// span is a word's byte range in the text.
type span struct{ start, end int }

// findMarkers returns all keywords of text in order, and whether any of them
// is a real (non-anti) keyword.
func findMarkers(text string) (marks []marker, keyword bool) {
	var (
		buf           [64]byte
		prev, prev2   span   // the two previous words
		lprev, lprev2 string // ... and their lower-case forms
	)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		w := span{start: i}
		lw := buf[:0]
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			lw = utf8.AppendRune(lw, unicode.ToLower(r))
			i += size
		}
		w.end = i
		low := string(lw)

		kind, ok := keywordKind(low, text[w.start:w.end])
		last := len(marks) - 1
		switch {
		case joined(text, prev, w) && (low == "in" && (lprev == "log" || lprev == "sign") || low == "on" && lprev == "log" || low == "time" && lprev == "one"):
			// "log in", "sign-in", "one-time"
			marks = append(marks, marker{prev.start, w.end, markContext})
		case ok && kind == markLabel && strings.HasPrefix(low, "cod") && joined(text, prev, w) && antiModifiers[lprev]:
			// "promo code", "zip-code": one anti marker over both words.
			marks = append(marks, marker{prev.start, w.end, markAnti})
		case antiQualifiers[low] && last >= 0 && marks[last].kind == markLabel &&
			(marks[last].end == prev.end && joined(text, prev, w) ||
				marks[last].end == prev2.end && lprev == "de" && joined(text, prev2, prev) && joined(text, prev, w)):
			// "código promocional", "code de réduction": the label was not one.
			marks[last] = marker{marks[last].start, w.end, markAnti}
		case low == "passe" && lprev == "de" && lprev2 == "mot":
			marks = append(marks, marker{prev2.start, w.end, markLabel})
		case ok:
			marks = append(marks, marker{w.start, w.end, kind})
		}
		prev2, lprev2, prev, lprev = prev, lprev, w, low
	}
	if hasNonASCII(text) {
		n := len(marks)
		for _, kw := range cjkKeywords {
			for off := 0; ; {
				j := strings.Index(text[off:], kw)
				if j < 0 {
					break
				}
				off += j + len(kw)
				marks = append(marks, marker{off - len(kw), off, markLabel})
			}
		}
		if len(marks) > n {
			slices.SortFunc(marks, func(a, b marker) int { return a.start - b.start })
		}
	}
	for _, m := range marks {
		if m.kind != markAnti {
			return marks, true
		}
	}
	return marks, false
}

// keywordKind classifies one word given in lower case and as written.
func keywordKind(low, raw string) (markerKind, bool) {
	if k, ok := keywordWords[low]; ok {
		return k, true
	}
	if tanWords[raw] {
		return markLabel, true
	}
	for _, p := range keywordPrefixes {
		if strings.HasPrefix(low, p.prefix) {
			return p.kind, true
		}
	}
	if len(low) > len("code") && (strings.HasSuffix(low, "code") || strings.HasSuffix(low, "codes")) {
		// German and Dutch compounds: "Bestätigungscode", "verificatiecode".
		return markLabel, true
	}
	return 0, false
}

// joined reports whether words a and b are adjacent, separated only by a
// space or a hyphen ("promo code", "sign-in").
func joined(text string, a, b span) bool {
	if a.end == 0 || a.end >= b.start || b.start-a.end > 2 {
		return false
	}
	for _, c := range []byte(text[a.end:b.start]) {
		if c != ' ' && c != '-' {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// classify returns the shape of candidate v, or kindNone if v cannot be a
// code.
func classify(v string) kind {
	if strings.IndexByte(v, '-') >= 0 || strings.IndexByte(v, ' ') >= 0 {
		if isDigit(v[0]) {
			return kindGrouped
		}
		return kindPrefixed
	}
	if len(v) < 4 || len(v) > 8 {
		return kindNone
	}
	var digits, upper, lower, vowels int
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isDigit(c):
			digits++
		case c >= 'A' && c <= 'Z':
			upper++
			if strings.IndexByte("AEIOU", c) >= 0 {
				vowels++
			}
		default:
			lower++
		}
	}
	switch {
	case digits == len(v):
		return kindDigits
	case digits > 0:
		if alnumJunkRe.MatchString(v) {
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

// score rates the candidate text[s:e]; 0 means it is not a code or cannot
// beat floor, the score of the best candidate so far. The regexp checks on
// the surroundings are the costly part, so they run last and only for a
// candidate that would win.
func score(text string, s, e int, marks []marker, floor int) int {
	k := classify(text[s:e])
	if k == kindNone || badShape(text, s, e) {
		return 0
	}

	// Nearest keywords on each side within the same sentence.
	prevMark, nextMark, prevLabel, nextLabel := -1, -1, -1, -1
	for i, m := range marks {
		switch {
		case m.end <= s:
			if sentenceBreak(text[m.end:s]) {
				prevMark, prevLabel = -1, -1
				continue
			}
			prevMark = i
			if m.kind == markLabel {
				prevLabel = i
			}
		case m.start >= e:
			if sentenceBreak(text[e:m.start]) {
				break
			}
			if nextMark < 0 {
				nextMark = i
			}
			if m.kind == markLabel && nextLabel < 0 {
				nextLabel = i
			}
		}
	}
	distBefore, distAfter := -1, -1
	if prevMark >= 0 {
		distBefore = utf8.RuneCountInString(text[marks[prevMark].end:s])
	}
	if nextMark >= 0 {
		distAfter = utf8.RuneCountInString(text[e:marks[nextMark].start])
	}
	nearest, dist := -1, 0
	switch {
	case distBefore >= 0 && (distAfter < 0 || distBefore <= distAfter):
		nearest, dist = prevMark, distBefore
	case distAfter >= 0:
		nearest, dist = nextMark, distAfter
	}
	if nearest >= 0 && marks[nearest].kind == markAnti {
		// "promo code SAVE20", "zip code 94105".
		return 0
	}

	// Is the candidate directly labelled?
	strong, labelled, strongDist := false, false, 0
	if prevLabel >= 0 {
		gap := text[marks[prevLabel].end:s]
		if beforeGapRe.MatchString(gap) {
			strong, labelled, strongDist = true, true, utf8.RuneCountInString(gap)
		}
	}
	if !strong && nextLabel >= 0 {
		gap := text[e:marks[nextLabel].start]
		if afterGapRe.MatchString(gap) {
			strong, strongDist = true, utf8.RuneCountInString(gap)
		}
	}
	var sc int
	switch {
	case strong:
		sc = scoreStrong - strongDist
	case k == kindAlnum || k == kindLetters || isYear(text[s:e]):
		// Letters, mixed tokens and years are too often ordinary words,
		// model names or dates; accept them only when directly labelled.
		return 0
	case nearest >= 0 && dist <= nearDistance:
		sc = scoreNear - dist
	case k == kindPrefixed:
		return 0
	default:
		sc = scoreGlobal
	}
	if sc <= floor {
		return 0
	}
	if negAfterRe.MatchString(window(text, e, e+unitWindow)) {
		return 0
	}
	// A preceding label wins over the words right before the candidate:
	// in "OTP for your SBI transaction is 291834" the number is the OTP, not
	// a transaction reference, and in "PIN #1234" the "#" is decoration.
	if !labelled && precededByNegative(lastWords(text, s, 4)) {
		return 0
	}
	if (k == kindAlnum || k == kindLetters) && marketingRe.MatchString(sentenceAround(text, s, e)) {
		// "Use code SAVE20 for 20% off": a labelled word-like token in an
		// advertisement is a promo code. Digit codes are left alone because
		// a real OTP often shares a sentence with an offer.
		return 0
	}
	return sc
}

// badShape reports whether the characters around text[s:e] show it is a
// fragment of something longer: a phone number, date, time, amount, masked
// number, URL or e-mail address.
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
		}
	}
	if e < len(text) {
		switch text[e] {
		case '.', ',', ':', '/', '-', ' ':
			if e+1 < len(text) && isDigit(text[e+1]) {
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
	return strings.ContainsAny(tok, "/@&_+") || strings.Contains(strings.ToLower(tok), "www.") || tldRe.MatchString(tok)
}

// isTokenByte reports whether c continues an ASCII token; non-ASCII bytes end
// it so that CJK text without spaces does not form one huge token.
func isTokenByte(c byte) bool {
	return c > ' ' && c < utf8.RuneSelf
}

// isYear reports whether v looks like a year between 1900 and 2099.
func isYear(v string) bool {
	return len(v) == 4 && (strings.HasPrefix(v, "19") || strings.HasPrefix(v, "20")) && isDigit(v[2]) && isDigit(v[3])
}

// sentenceBreak reports whether seg contains the end of a sentence: ".", "!"
// or "?" followed by whitespace (so "5000.00" and "t.me" are not breaks), or
// a CJK full stop.
func sentenceBreak(seg string) bool {
	for i := 0; i+1 < len(seg); i++ {
		switch seg[i] {
		case '.', '!', '?':
			if isSpace(seg[i+1]) {
				return true
			}
		}
	}
	return strings.ContainsAny(seg, "。！？")
}

// sentenceAround returns the sentence containing text[s:e], looking at most
// 2*contextWindow bytes either way.
func sentenceAround(text string, s, e int) string {
	start, end := s, e
	for start > 0 && s-start < 2*contextWindow && !(isSpace(text[start-1]) && start >= 2 && isTerminator(text[start-2])) {
		start--
	}
	for end < len(text) && end-e < 2*contextWindow && !(isTerminator(text[end]) && (end+1 == len(text) || isSpace(text[end+1]))) {
		end++
	}
	return clip(text, start, end)
}

// lastWords returns the text before position s back to the start of the
// n-th preceding whitespace-separated token (at most 48 bytes): enough for the
// longest negative label ("contact our team at", "order number is") while
// keeping negBeforeRe's input short.
func lastWords(text string, s, n int) string {
	i, inWord := s, false
	for i > 0 && s-i < 48 {
		if isSpace(text[i-1]) {
			if inWord {
				if n--; n == 0 {
					break
				}
			}
			inWord = false
		} else {
			inWord = true
		}
		i--
	}
	return clip(text, i, s)
}

// precededByNegative reports whether before, the words just before a
// candidate, label it as something other than a code.
func precededByNegative(before string) bool {
	if shortCodeRe.MatchString(before) {
		return true
	}
	var buf [64]byte
	low := buf[:0]
	for _, r := range before {
		low = utf8.AppendRune(low, unicode.ToLower(r))
	}
	return negBeforeRe.Match(low)
}

// window returns text[from:to] clamped to the text and to rune boundaries.
func window(text string, from, to int) string {
	return clip(text, max(from, 0), min(to, len(text)))
}

// clip returns text[from:to] after moving both ends forward to the start of
// a rune, so that windows never split a UTF-8 sequence.
func clip(text string, from, to int) string {
	for from < to && !utf8.RuneStart(text[from]) {
		from++
	}
	for to < len(text) && to > from && !utf8.RuneStart(text[to]) {
		to++
	}
	return text[from:to]
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isTerminator(c byte) bool { return c == '.' || c == '!' || c == '?' }
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
