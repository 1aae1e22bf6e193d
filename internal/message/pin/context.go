package pin

import (
	"strings"
	"unicode/utf8"
)

// labelsBefore reports whether gap, the text between a code word and a
// candidate after it, makes the word a label of the candidate: only
// punctuation ("code: 1234", "验证码：1234", "인증번호 [1234]"), or at most four
// words followed by a colon or a copula ("código es 1234", "code for Acme is
// 1234", "رمز التحقق الخاص بك هو 1234", "認証番号は1234", "รหัสยืนยันคือ 1234").
func labelsBefore(gap string) bool {
	words, runes := 0, 0
	colon := false
	lastStart, lastEnd := 0, 0
	for i := 0; i < len(gap); {
		r, size := utf8.DecodeRuneInString(gap[i:])
		if isWordRune(r) {
			words++
			lastStart = i
			for i < len(gap) {
				if r, size = utf8.DecodeRuneInString(gap[i:]); !isWordRune(r) {
					break
				}
				i += size
				runes++
			}
			lastEnd = i
			colon = false
			continue
		}
		i += size
		runes++
		switch {
		case isSpaceRune(r):
		case r == ':' || r == '：' || r == '=':
			colon = true
		case words == 0 && strings.ContainsRune(labelPunct, r):
		case words > 0 && !strings.ContainsRune(".!?。！？\n", r):
		default:
			return false
		}
	}
	switch {
	case words == 0:
		return true
	case runes > 48:
		return false
	case colon:
		return words <= 4
	}
	// Up to four words, then the copula.
	return words <= 5 && isCopula(gap[lastStart:lastEnd])
}

// labelPunct may stand between a label and its code: quotes, brackets,
// dashes, "#", "№", "*".
const labelPunct = "\"'“”«»‘’()[]{}<>*#№-–—,，、【】「」『』（）［］《》〈〉"

// labelsAfter reports whether gap, the text between a candidate and a code
// word after it, makes the word a label of the candidate: only punctuation
// ("123456 验证码", "(1234) code"), or a connector and at most four more
// words ("1234 is your Amazon OTP", "Use 1234567 as Microsoft account
// security code", "1234 — ваш код", "482913 là mã", "123456は認証コード").
func labelsAfter(gap string) bool {
	words, runes := 0, 0
	dash := false
	for i := 0; i < len(gap); {
		r, size := utf8.DecodeRuneInString(gap[i:])
		if isWordRune(r) {
			start := i
			for i < len(gap) {
				if r, size = utf8.DecodeRuneInString(gap[i:]); !isWordRune(r) {
					break
				}
				i += size
				runes++
			}
			if words == 0 && !dash && !isConnector(gap[start:i]) {
				return false
			}
			words++
			continue
		}
		i += size
		runes++
		switch {
		case isSpaceRune(r):
		case words == 0 && strings.ContainsRune("—–-:=", r):
			dash = true
		case words == 0 && strings.ContainsRune(labelPunct, r):
		case words > 0 && !strings.ContainsRune(".!?。！？\n", r):
		default:
			return false
		}
	}
	return words <= 5 && runes <= 48
}

// isCopula reports whether w closes the words between a label and its code.
func isCopula(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if isNoSpace(r) {
		for _, c := range cjkCopulas {
			if strings.HasSuffix(w, c) {
				return true
			}
		}
		return false
	}
	var buf [32]byte
	return len(w) <= 24 && copulas[string(appendKey(buf[:0], w))]
}

// isConnector reports whether w opens the words between a code and its
// label.
func isConnector(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if isNoSpace(r) {
		for _, c := range cjkConnectors {
			if strings.HasPrefix(w, c) {
				return true
			}
		}
		return false
	}
	var buf [32]byte
	return len(w) <= 24 && connectors[string(appendKey(buf[:0], w))]
}

// isSpaceRune is whitespace including Unicode spaces (NBSP is common in SMS
// gateways).
func isSpaceRune(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', 0xA0, 0x2007, 0x202F, 0x3000, 0x200B:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// skipSpaces returns the first position at or after i that is not a space.
func skipSpaces(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isSpaceRune(r) {
			break
		}
		i += size
	}
	return i
}

// followedByUnit reports whether the candidate ending at e is followed by a
// unit, a currency or a quantity: "1250 points", "1530 hrs", "5000 free
// credits", "50%", "5000円", "2025年".
func followedByUnit(text string, e int) bool {
	i := skipSpaces(text, e)
	if i >= len(text) {
		return false
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	if strings.ContainsRune(unitSymbols, r) {
		return true
	}
	if isNoSpace(r) {
		for _, u := range cjkUnits {
			if strings.HasPrefix(text[i:], u) {
				return true
			}
		}
		return false
	}
	if i+3 <= len(text) && (text[i]|0x20 == 'a' || text[i]|0x20 == 'p') && text[i+1] == '.' && text[i+2]|0x20 == 'm' {
		return true // "a.m.", "p.m."
	}
	if !isWordRune(r) {
		return false
	}
	j := i + size
	for j < len(text) {
		r, size = utf8.DecodeRuneInString(text[j:])
		if !isWordRune(r) {
			break
		}
		j += size
	}
	if j-i > 24 {
		return false
	}
	var buf [32]byte
	key := appendKey(buf[:0], text[i:j])
	if unitWords[string(key)] || quantityWords[string(key)] {
		return true
	}
	if strings.HasPrefix(string(key), "руб") {
		return true
	}
	// "5000 bonus points", "2500 reward points"
	k := skipSpaces(text, j)
	if k == j || !isLetterASCII(text[i]) {
		return false
	}
	l := k
	for l < len(text) && isLetterASCII(text[l]) {
		l++
	}
	if l-k > 12 {
		return false
	}
	return quantityWords[string(lowerASCII(buf[:0], text[k:l]))]
}

const (
	currencySymbols = "$€£¥₹₽₩₦₺₪₫฿₴₸"
	unitSymbols     = currencySymbols + "%°٪％đ"
)

var cjkUnits = []string{
	"円", "元", "원", "圓", "块", "塊", "积分", "積分", "点", "分", "秒", "年", "月", "日", "時", "时",
	"号", "號", "件", "个", "個", "人", "名", "枚", "次", "回", "歳", "岁", "万", "千", "만", "천",
	"ポイント", "포인트", "마일", "マイル", "달러", "บาท", "คะแนน", "แต้ม",
}

var unitWords = setOf(`am pm hr hrs hour hours h min mins minute minutes sec secs second seconds
	day days week weeks month months year years yr yrs usd eur gbp inr rs dollar dollars euro euros
	pound pounds rupee rupees peso pesos reais real ruble rubles rub yen sq ft feet km kms mi kg kgs
	lb lbs mb gb kb tb mph kmh kph грн гривен тенге сум tl lira zl zloty pln czk kc try vnd dong
	baht thb sar aed egp riyal dirham ریال درهم جنیه دینار تومان रुपये रु টাকা minutos minuten minuti
	minut минут мин dakika phut menit minit`)

var quantityWords = setOf(`point points pts mile miles reward rewards credit credits coin coins step
	steps follower followers like likes view views people user users member members item items unit
	units calories kcal message messages msg msgs bonus puntos pontos punkte punti punten puan poin
	diem баллов балла балл бонусов`)

// precededByNegative reports whether the words just before the candidate at
// s label it as something other than a code: money ("$1234", "INR 5000",
// "balance is 1500"), references ("Order #12345", "card ending 1234",
// "Ref: 5678", "order number is 12345"), phone numbers and short codes
// ("call us at 5550100", "text STOP to 22000"), times, dates and years ("at
// 1530", "until 2359", "© 2024").
func precededByNegative(text string, s int) bool {
	i := s
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if !isSpaceRune(r) {
			break
		}
		i -= size
	}
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case r == '#' || r == '№' || r == '©':
			return true
		case strings.ContainsRune(currencySymbols, r):
			return true
		case i >= 3 && strings.EqualFold(text[i-3:i], "(c)"):
			return true
		}
	}

	var t prevTokens
	t.collect(text, s)
	if t.n == 0 {
		return false
	}
	// Money: "USD 500", "Rs.5000", "R$ 1500", "amount of 2500".
	if t.in(0, currencyWords) || t.lens[0] > 0 && t.keys[0][t.lens[0]-1] == '$' {
		return true
	}
	k := 0
	if t.in(k, setPrepositions) {
		k++
	}
	if t.in(k, amountWords) {
		return true
	}
	// References: "order 12345", "order number is 12345", "Member ID
	// 12345678", "card ending in 1234", "last 4 digits 1234", "заказ 12345".
	k = 0
	if t.is(k, "is") || t.is(k, "was") {
		k++
	}
	if t.in(k, numberWords) {
		k++
		if t.in(k-1, englishNumberWords) && !t.in(k, verifyNouns) {
			// "confirmation number 48291", "Number: 48291": a number of
			// something is a reference, unless it is a "PIN number" or a
			// "verification number".
			return true
		}
	}
	if t.in(k, refWords) || t.hasPrefix(k, "заказ") || t.hasPrefix(k, "счет") || t.hasPrefix(k, "карт") {
		return true
	}
	switch {
	case t.is(k, "ending"),
		(t.is(k, "in") || t.is(k, "with")) && (t.is(k+1, "ending") || t.is(k+1, "ends")),
		t.is(k, "digits") && (t.is(k+1, "4") || t.is(k+1, "four")) && t.is(k+2, "last"),
		(t.is(k, "4") || t.is(k, "four")) && t.is(k+1, "last"):
		return true
	}
	// Short codes: "text STOP to 22000", "Reply YES to 48291", "Send 1 to
	// 72000".
	if (t.is(0, "to") || t.is(0, "at")) && t.n > 1 && (t.in(1, smsCommands) || t.isCommand(text, 1) || t.isNumber(1)) {
		return true
	}
	// Phone numbers: "call 5550100", "call us now at 5550100", "contact our
	// support team on 5550100", "toll-free 18005550100".
	k = 0
	if t.is(k, "at") || t.is(k, "on") || t.is(k, "to") {
		k++
	}
	if t.is(k, "team") || t.is(k, "support") {
		k++
	}
	if t.in(k, setOf1) {
		k++
	}
	if t.in(k, phoneWords) || t.is(k, "free") && t.is(k+1, "toll") {
		return true
	}
	// Times, dates and years: "at 1530", "until 2359", "in 2025".
	return t.in(0, timeWords) || t.is(0, "copyright")
}

// prevTokens are the (at most four) tokens before a candidate, nearest
// first, lower case and folded: runs of characters other than whitespace
// and ":.#=,;-()\"'!?".
type prevTokens struct {
	n    int
	raw  [4][2]int // start and end of each token in the text
	keys [4][24]byte
	lens [4]int
}

func (t *prevTokens) collect(text string, s int) {
	i := s
	for t.n < 4 && i > 0 && s-i < 64 {
		for i > 0 {
			c := text[i-1]
			if isSpace(c) || strings.IndexByte(":.#=,;-", c) >= 0 {
				i--
				continue
			}
			if r, size := utf8.DecodeLastRuneInString(text[:i]); isSpaceRune(r) {
				i -= size
				continue
			}
			break
		}
		j := i
		for j > 0 && !isSpace(text[j-1]) && strings.IndexByte(":.#=,;-()\"'!?", text[j-1]) < 0 {
			j--
		}
		if j == i {
			return
		}
		raw := text[j:i]
		t.raw[t.n] = [2]int{j, i}
		t.lens[t.n] = 0
		if len(raw) <= 20 {
			var buf [64]byte
			if key := appendKey(buf[:0], raw); len(key) <= len(t.keys[t.n]) {
				t.lens[t.n] = copy(t.keys[t.n][:], key)
			}
		}
		t.n++
		i = j
	}
}

func (t *prevTokens) is(k int, w string) bool {
	return k < t.n && string(t.keys[k][:t.lens[k]]) == w
}

func (t *prevTokens) in(k int, set map[string]bool) bool {
	return k < t.n && set[string(t.keys[k][:t.lens[k]])]
}

func (t *prevTokens) hasPrefix(k int, p string) bool {
	return k < t.n && strings.HasPrefix(string(t.keys[k][:t.lens[k]]), p)
}

// isNumber reports whether token k is a number.
func (t *prevTokens) isNumber(k int) bool {
	return k < t.n && t.lens[k] > 0 && isDigits(string(t.keys[k][:t.lens[k]]))
}

// isCommand reports whether token k is a capitalised SMS command ("JOIN",
// "YES"), which subscription notices put before their short code.
func (t *prevTokens) isCommand(text string, k int) bool {
	w := text[t.raw[k][0]:t.raw[k][1]]
	return len(w) >= 2 && len(w) <= 10 && isUpperASCII(w)
}

var (
	setPrepositions = setOf("of by with is was for")
	setOf1          = setOf("us now our me")
	numberWords     = setOf("number num no nr id nº n° numero nummer numer nomor номер")
	// englishNumberWords follow the noun they number ("order number"),
	// unlike "número de pedido" or "номер заказа".
	englishNumberWords = setOf("number num no nr")
	verifyNouns        = setOf(`verification verify security secure otp pin access authentication auth
		login sms activation validation passcode`)
	refWords = setOf(`no nr num number order ref reference invoice inv tracking shipment parcel
		package acct account a/c card ext extension ticket case claim flight room gate seat unit suite apt
		zip postcode pincode id member membership customer policy loan txn transaction receipt booking
		reservation pnr store branch route bus train platform version model serial sku item step page
		pedido orden commande bestellung siparis zamowienie objednavka pesanan`)
	smsCommands = setOf("stop help start unstop end quit cancel unsubscribe subscribe join info yes no y n")
	phoneWords  = setOf(`call dial text txt sms phone tel telephone fax whatsapp contact reach helpline
		hotline from mobile cell ph mob llame llamar ligue appelez anrufen bellen chiama звоните
		позвоните телефон telefon telefone telefono hubungi goi`)
	currencyWords = setOf(`usd eur gbp inr rs mxn cad aud jpy brl rub ngn kes php idr zar chf cny rmb rp
		vnd tl try pln zl czk kc ils sar aed egp thb krw uah грн руб kzt`)
	amountWords = setOf(`amount amt total balance bal price cost fee paid charged debited credited spent
		refund refunded limit sum salary deposit deposited withdraw withdrawn saldo importe monto valor
		betrag montant сумма сумму итого tutar jumlah kwota`)
	timeWords = setOf(`at on until till by before after since between during within in year anno desde
		depuis seit um bis hasta ate alle до в с`)
)
