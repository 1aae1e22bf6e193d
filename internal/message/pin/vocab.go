package pin

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// language is the keyword vocabulary of one language. Each field is a list of
// entries separated by "|". An entry is
//
//   - a word, matched whole after normalisation (lower case, Latin
//     diacritics folded, so "código" also matches "codigo" and "şifre"
//     matches "sifre"; Arabic letter variants unified; Hebrew and Arabic
//     clitics such as "ה", "ל", "ال", "و" stripped);
//   - a word ending in "*", matched as a prefix ("verif*" covers verify,
//     verified, verification, vérification); "*N" allows at most N more
//     letters ("kod*8": kod, kodu, kodunuz, kodem, kode, but not kodeks...);
//   - "=word", matched as written (lower case) without folding diacritics,
//     for words whose plain form is too common ("mã", Vietnamese "code",
//     folds to "ma");
//   - two or three words separated by spaces, a phrase ("one time",
//     "mot de passe", "xac minh"; words may be joined by a space or a hyphen);
//   - in scripts written without spaces (Chinese, Japanese, Thai) and in
//     Korean, whose particles stick to the noun, a string found anywhere in
//     the text ("验证码", "認証番号", "รหัส", "인증번호"), longest first.
type language struct {
	name string
	// code names a code without saying what it is for: "code", "kod",
	// "código", "码". It labels a candidate ("code: 1234") but does not
	// protect it from the negative vocabulary.
	code string
	// secret names a verification code: "OTP", "PIN", "password", "TAN".
	secret string
	// verify is the verification topic: verify, confirm, log in, one-time,
	// security. Next to a code word it makes a verification code
	// ("verification code", "код подтверждения", "رمز التحقق").
	verify string
	// promo is marketing: a candidate it is closest to is a promo,
	// discount, coupon, gift or referral code, unless a verification word
	// is closer still.
	promo string
	// offer is weaker marketing: free, gift, offer. In the candidate's
	// sentence it counts as promo; in another sentence a direct label ("code:
	// 1234") overrides it ("Your code is 1234. Get the free app!").
	offer string
	// ref names other numbers: orders, bookings, flights, parcels,
	// balances. It vetoes the candidate it is closest to in its sentence
	// unless a code or verification word is closer still.
	ref string
	// stop are words and phrases that look like keywords but are not
	// ("decode", "in order").
	stop string
	// mine are first-person possessives: "my code" in a message is a
	// referral code, never a verification code.
	mine string
	// copula may close the words between a code word and the candidate
	// that follows it: "code for Acme is 1234", "código es 1234".
	copula string
	// connector may open the words between a candidate and the code word
	// that follows it: "1234 is your code", "1234 — ваш код".
	connector string
}

var languages = []language{{
	name:      "English",
	code:      "code|codes",
	secret:    "otp|otps|pin|pins|passcode*1|password*1|token|tokens|2fa|mfa",
	verify:    "verif*|confirm*|authenti*|authori*|auth|login*1|logon|signin|onetime|one time|log in|log on|sign in|sign on|security|secure|activation|activate|validation|access|two factor|two step|2 step",
	promo:     "promo*|promotion*|discount*|coupon*|voucher*|referral*|refer|invite*|invitation*|sale|sales|cashback|checkout",
	offer:     "gift*|offer*|reward*|deal|deals|free",
	ref:       "order*|booking*|reservation*|flight*|tracking|track|shipment*|parcel*|package*|balance|balances|zip code|zipcode*|postal code|post code|postcode*|pincode*|area code|country code|qr code|qrcode*|bar code|barcode*|error code|status code|product code|style code|swift code|ifsc code|routing code|sort code|dress code",
	stop:      "unicode|decode*|encode*|geocode*|opcode*|in order|source code|free msg|free message|feel free|toll free|hands free",
	mine:      "my",
	copula:    "is|was|are",
	connector: "is|was|are|as|your|ur",
}, {
	name:      "Spanish",
	code:      "código*1",
	secret:    "clave*1|contraseña*1",
	verify:    "verific*|confirm*|seguridad|acceso|autentic*|activación|validación|un solo uso|inicio de sesión|iniciar sesión|dinámica|temporal",
	promo:     "promo*|descuento*|cupón|cupones|referido*|invitación|invita|bono|rebaja*",
	offer:     "oferta*|regalo*|gratis",
	ref:       "orden|órdenes|vuelo*|reserva|reservas|reservación|saldo*|envío|seguimiento|paquete*|código postal|código de barras|código de rastreo",
	mine:      "mi",
	copula:    "es|era|será",
	connector: "es|tu|su|como|será",
}, {
	name:      "Portuguese",
	code:      "código*1",
	secret:    "senha*1",
	verify:    "verific*|confirm*|segurança|acesso|autentic*|ativação|validação|uso único|login|dinâmica",
	promo:     "desconto*|cupom|cupons|indicação|indiqu*|convite*|bônus",
	offer:     "grátis",
	ref:       "voo|voos|rastreio|rastreamento|encomenda*|código de rastreamento",
	mine:      "meu|minha",
	copula:    "é|era|será|são",
	connector: "é|seu|sua|como",
}, {
	name:      "French",
	secret:    "mot de passe|mdp",
	verify:    "vérif*|connexion|sécurité|usage unique|authentif*|identification",
	promo:     "réduction*|remise*|parrain*|invitation*",
	offer:     "offre*|cadeau*|gratuit*",
	ref:       "commande*|vol|vols|réservation*|colis|suivi|solde|code postal",
	mine:      "mon",
	copula:    "est|sera",
	connector: "est|votre|ton|comme",
}, {
	name:      "German",
	secret:    "passwort*1|kennwort*1",
	verify:    "bestätig*|verifizier*|sicherheit*|anmeld*|einmal*|authentifizier*|freischalt*|zugang*|zugriff*",
	promo:     "gutschein*|rabatt*|aktionscode*|empfehl*|einladung*|sonderangebot*",
	offer:     "angebot*|geschenk*|prämie*|kostenlos*|gratis",
	ref:       "bestellung*|flug|fluges|flugnummer|buchung*|sendung*|paket*|guthaben|kontostand|lieferung*|postleitzahl",
	mine:      "mein|meinen|meine",
	copula:    "ist|lautet|lauten|sind",
	connector: "ist|ihr|ihre|dein|deine|als|lautet",
}, {
	name:      "Italian",
	code:      "codice|codici",
	verify:    "verific*|conferm*|accesso|sicurezza|monouso|autentica*|attivazione",
	promo:     "sconto*|buono*|promozion*|invito",
	offer:     "offerta*|regalo|gratuit*|omaggio",
	ref:       "ordine*|volo|voli|prenotazion*|spedizion*|tracciament*",
	mine:      "mio|mia",
	copula:    "è|era|sarà",
	connector: "è|tuo|tua|come",
}, {
	name:      "Dutch",
	secret:    "wachtwoord*1",
	verify:    "bevestig*|inlog*|eenmalig*|beveilig*|aanmeld*",
	promo:     "korting*|waardebon*|uitnodig*|actiecode*",
	offer:     "aanbieding*|gratis",
	ref:       "bestelling*|vlucht*|boeking*|tegoed*|zending*|pakket*",
	mine:      "mijn",
	copula:    "is|luidt",
	connector: "is|je|jouw|uw|als",
}, {
	name:      "Russian and Ukrainian",
	code:      "код*4",
	secret:    "парол*3|пароль|пин",
	verify:    "подтвержд*|вход*|вхід|авториз*|верификац*|проверочн*|одноразов*|безопасност*|активац*|регистрац*|підтвердж*|перевірк*|реєстрац*",
	promo:     "промокод*|скидк*|знижк*|купон*|акци*|бонус*|реферал*|приглас*|запрош*|кешбэк|кэшбэк|кешбек",
	offer:     "подар*|бесплатн*|безкоштовн*",
	ref:       "заказ*|замовлен*|рейс*|бронирован*|бронюван*|баланс*|трек*|посылк*|посилк*|отправлени*",
	mine:      "мой|мою|мій|мого",
	copula:    "это|є",
	connector: "ваш|ваша|ваше|твой|твоя|это|как|як|є",
}, {
	name:      "Polish",
	code:      "kod*8",
	secret:    "hasł*3",
	verify:    "weryfik*|potwierdz*|potwierdź*|logowan*|zaloguj*|jednorazow*|uwierzytelni*|autoryzac*|bezpieczeń*",
	promo:     "rabat*|zniżk*|kupon*|promocj*|promocyjn*|polecaj*|zaprosz*",
	offer:     "gratis|darmow*",
	ref:       "zamówieni*|rezerwac*|przesyłk*|lotu",
	mine:      "mój|moja|moje|mojego",
	copula:    "to|jest",
	connector: "to|jest|twój|twoja|twoje|jako",
}, {
	name:      "Czech",
	secret:    "hesl*3",
	verify:    "ověřovac*|ověřen*|potvrz*|přihláš*|přihlas*|jednorázov*|autoriz*|bezpečnost*",
	promo:     "slev*|akční*|pozvánk*",
	offer:     "dárk*|zdarma",
	ref:       "objednávk*|zásilk*|zůstat*",
	mine:      "můj|moje",
	copula:    "je",
	connector: "je|váš|vaše|tvůj|jako",
}, {
	name:      "Turkish",
	secret:    "şifre*5|parola*5",
	verify:    "doğrula*|onay*|giriş*|tek kullanımlık|tek seferlik|güvenlik*|aktivasyon*",
	promo:     "indirim*|promosyon*|kampanya*|davet*|referans*|kodum*3",
	offer:     "hediye*|ücretsiz",
	ref:       "sipariş*|uçuş*|rezervasyon*|bakiye*|kargo*|takip*",
	mine:      "benim",
	connector: "sizin|senin|olarak",
}, {
	name:      "Arabic",
	code:      "رمز*1|كود*1",
	secret:    "كلمة المرور|كلمة السر|كلمة مرور",
	verify:    "تحقق*1|التحقق|تأكيد|تفعيل|دخول|مصادقة|لمرة واحدة",
	promo:     "خصم*1|كوبون*1|قسيمة*1|ترويجي*1|إحالة|دعوة",
	offer:     "عرض|عروض|هدية|مجاني*1",
	ref:       "طلب*1|طلبية|رحلة*2|رحلتك|رصيد*2|شحنة*1|تتبع|حجز*2",
	copula:    "هو|هي",
	connector: "هو|هي",
}, {
	name:      "Hebrew",
	code:      "קוד",
	secret:    "סיסמה|סיסמא|סיסמת",
	verify:    "אימות|אישור|כניסה|התחברות|חד פעמי|חד פעמית|זיהוי",
	promo:     "הנחה|הנחות|קופון|שובר|מבצע|קוד שלי|הקוד שלי",
	offer:     "חינם|הטבה|הטבות",
	ref:       "הזמנה|הזמנתך|טיסה|טיסת|יתרה|יתרת|משלוח|מעקב",
	copula:    "הוא|היא",
	connector: "הוא|היא",
}, {
	name:      "Persian",
	code:      "کد*1",
	secret:    "رمز عبور|گذرواژه",
	verify:    "تایید*1|تأیید*1|ورود|یکبار*4|فعالسازی|فعال سازی|احراز",
	promo:     "تخفیف*1|کوپن|دعوت|معرف*1|کد من",
	offer:     "جایزه|هدیه|رایگان",
	ref:       "سفارش*2|پرواز|موجودی|رهگیری|رزرو",
	copula:    "است",
	connector: "است",
}, {
	name:      "Hindi",
	code:      "कोड",
	secret:    "ओटीपी|पासवर्ड|पिन",
	verify:    "सत्यापन|पुष्टि|लॉगिन|वन टाइम|एक बार",
	promo:     "छूट|कूपन|प्रोमो|कैशबैक|रेफरल|डिस्काउंट|मेरा कोड",
	offer:     "ऑफर|उपहार|मुफ्त|फ्री",
	ref:       "ऑर्डर|उड़ान|बुकिंग|बैलेंस|शेष",
	copula:    "है|हैं",
	connector: "आपका|आपकी|है",
}, {
	name:      "Bengali",
	code:      "কোড",
	secret:    "ওটিপি|পাসওয়ার্ড|পিন",
	verify:    "যাচাই*4|নিশ্চিতকরণ|লগইন",
	promo:     "ছাড়|কুপন|প্রোমো|অফার|ক্যাশব্যাক",
	ref:       "অর্ডার|ফ্লাইট|ব্যালেন্স|বুকিং",
	copula:    "হল|হলো|হচ্ছে",
	connector: "আপনার|হল|হলো",
}, {
	name:      "Urdu",
	code:      "کوڈ",
	secret:    "پاس ورڈ",
	verify:    "تصدیق*2",
	promo:     "رعایت|ڈسکاؤنٹ|پرومو",
	ref:       "آرڈر|بیلنس",
	copula:    "ہے",
	connector: "آپ|ہے",
}, {
	name:      "Indonesian and Malay",
	secret:    "sandi|kata sandi|tac",
	verify:    "konfirmasi*|otentikasi|autentikasi|aktivasi|pengesahan|sekali pakai|masuk|keamanan|keselamatan|log masuk",
	promo:     "diskon*|potongan*|kupon*|undang*|ajak*|rujukan|kode saya|kod saya",
	offer:     "hadiah*|gratis|percuma",
	ref:       "pesanan*|penerbangan*|saldo|resi|tempahan|pengiriman",
	copula:    "adalah|ialah|yaitu|iaitu",
	connector: "adalah|ialah|merupakan|sebagai|anda",
}, {
	name:      "Vietnamese",
	code:      "=mã",
	secret:    "mật khẩu|mã otp|mã xác minh|mã xác thực|mã xác nhận|mã kích hoạt|mã đăng nhập|mã bảo mật",
	verify:    "xác minh|xác thực|xác nhận|kích hoạt|đăng nhập|bảo mật|một lần",
	promo:     "=giảm|khuyến mãi|giảm giá|ưu đãi|giới thiệu|hoàn tiền|mã giảm giá|mã khuyến mãi|mã ưu đãi|mã giới thiệu|mã của tôi",
	offer:     "quà tặng|miễn phí",
	ref:       "đơn hàng|chuyến bay|số dư|vận đơn|đặt chỗ|đặt phòng|mã đơn hàng|mã vận đơn",
	copula:    "là",
	connector: "là",
}, {
	name:      "Thai",
	code:      "รหัส|โค้ด|โค๊ด",
	secret:    "รหัสผ่าน|โอทีพี",
	verify:    "ยืนยัน|เข้าสู่ระบบ|ครั้งเดียว|ตรวจสอบ",
	promo:     "ส่วนลด|คูปอง|โปรโมชั่น|โปรโมชัน|แนะนำเพื่อน|เงินคืน",
	offer:     "ของขวัญ|ฟรี",
	ref:       "คำสั่งซื้อ|เที่ยวบิน|ยอดคงเหลือ|คงเหลือ|พัสดุ|ติดตาม|การจอง|รหัสไปรษณีย์",
	copula:    "คือ|เป็น",
	connector: "คือ|เป็น",
}, {
	name:      "Chinese",
	code:      "码|碼|代码|代碼",
	secret:    "验证码|驗證碼|校验码|校驗碼|动态码|動態碼|确认码|確認碼|认证码|認證碼|密码|密碼|口令|动态密码|動態密碼",
	verify:    "验证|驗證|校验|校驗|认证|認證|确认|確認|登录|登錄|登入|动态|動態|一次性|安全",
	promo:     "优惠|優惠|折扣|优惠券|優惠券|红包|紅包|邀请|邀請|推荐|推薦|促销|促銷|兑换|兌換|券|返现|返現|立减|立減",
	offer:     "礼品|禮品|免费|免費",
	ref:       "订单|訂單|航班|快递|快遞|运单|運單|单号|單號|余额|餘額|积分|積分|取件|取货|提货|条码|條碼|二维码|二維碼|预订|預訂|邮编|郵編",
	copula:    "是|为|為",
	connector: "是|为|為",
}, {
	name:      "Japanese",
	code:      "コード",
	secret:    "認証番号|確認番号|暗証番号|パスワード|パスコード|認証コード|確認コード|セキュリティコード",
	verify:    "認証|確認|ログイン|ワンタイム|本人確認",
	promo:     "クーポン|割引|キャンペーン|プロモーション|紹介|招待|セール",
	offer:     "プレゼント|ギフト|無料",
	ref:       "注文|予約|フライト|便名|残高|配送|追跡|お問い合わせ番号|電話番号|会員番号|ポイント|郵便番号",
	copula:    "は|が",
	connector: "は|が",
}, {
	name:      "Korean",
	code:      "코드",
	secret:    "인증번호|비밀번호|인증코드|확인코드|보안코드",
	verify:    "인증|확인|로그인|일회용|보안",
	promo:     "쿠폰|할인|프로모션|추천|초대|적립",
	offer:     "선물|무료|이벤트",
	ref:       "주문|예약|항공편|잔액|포인트|운송장|송장|배송|전화번호|승인번호|계좌번호|카드번호|우편번호",
	copula:    "는|은",
	connector: "은|는|이|가",
}}

// caseSensitive are keywords matched as written because their lower-case
// form is an ordinary word: German banking TANs ("tan") and Malaysian TACs.
// All end in "AN" or "AC", which lookupWord checks first.
var caseSensitive = map[string]mark{
	"TAN": mLabel | mVerify, "mTAN": mLabel | mVerify, "smsTAN": mLabel | mVerify,
	"SMSTAN": mLabel | mVerify, "pushTAN": mLabel | mVerify, "chipTAN": mLabel | mVerify,
	"TAC": mLabel | mVerify,
}

// A mark classifies a keyword; a marker may combine several.
type mark uint8

const (
	mLabel  mark = 1 << iota // names a code: "code", "kod", "码"
	mVerify                  // verification: "verify", "OTP", "認証"
	mPromo                   // marketing: promo, discount, referral
	mRef                     // other numbers: order, flight, balance
	mMine                    // first-person possessive: "my"
	mStop                    // not a keyword after all
	mWeak                    // with mPromo: weak marketing (free, gift, offer)

	mAnti    = mPromo | mRef
	mSupport = mLabel | mVerify
)

// entry is what the vocabulary knows about one normalised word.
type entry struct {
	exact, prefix mark
	// extra is the most runes a prefix entry may be followed by; 255 is
	// unlimited.
	extra uint8
	// tail: the word ends a phrase, so a phrase look-up is worth doing.
	tail bool
}

// cjkEntry is a keyword of a script written without spaces.
type cjkEntry struct {
	s    string
	kind mark
}

// The vocabulary, built once from languages.
var (
	words      = map[string]*entry{}
	rawWords   = map[string]mark{}
	maxRawWord int // the longest key of rawWords, in bytes
	phrases    = map[string]mark{}
	cjkWords   = map[rune][]cjkEntry{}
	copulas    = map[string]bool{}
	connectors = map[string]bool{}
	// cjkCopulas and cjkConnectors are the copulas and connectors of
	// scripts without spaces; they are matched at the end (copula) or the
	// start (connector) of a word: "码为", "123456是您的".
	cjkCopulas, cjkConnectors []string
	// prefixStart has bit (b0<<8 | b1) set when some prefix entry starts
	// with the bytes b0 b1, which skips the prefix search for most words.
	prefixStart [1 << 16 / 64]uint64
)

func init() {
	for _, l := range languages {
		for _, list := range []struct {
			s    string
			kind mark
		}{
			{l.code, mLabel}, {l.secret, mLabel | mVerify}, {l.verify, mVerify},
			{l.promo, mPromo}, {l.offer, mPromo | mWeak}, {l.ref, mRef}, {l.stop, mStop}, {l.mine, mMine},
		} {
			for _, e := range splitList(list.s) {
				if err := addEntry(e, list.kind); err != nil {
					panic(fmt.Sprintf("pin: %s vocabulary: %v", l.name, err))
				}
			}
		}
		for _, e := range splitList(l.copula) {
			if isNoSpaceWord(e) {
				cjkCopulas = append(cjkCopulas, e)
			} else {
				copulas[normalize(e)] = true
			}
		}
		for _, e := range splitList(l.connector) {
			if isNoSpaceWord(e) {
				cjkConnectors = append(cjkConnectors, e)
			} else {
				connectors[normalize(e)] = true
			}
		}
	}
	for r, list := range cjkWords {
		// Longest first, so that "验证码" wins over "码" and "รหัสผ่าน"
		// over "รหัส".
		slices.SortStableFunc(list, func(a, b cjkEntry) int { return len(b.s) - len(a.s) })
		cjkWords[r] = list
	}
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func addEntry(e string, kind mark) error {
	switch {
	case e == "":
		return fmt.Errorf("empty entry")
	case isNoSpaceWord(e):
		r, _ := utf8.DecodeRuneInString(e)
		for _, old := range cjkWords[r] {
			if old.s == e && old.kind != kind {
				return fmt.Errorf("%q listed twice with different kinds", e)
			}
		}
		cjkWords[r] = append(cjkWords[r], cjkEntry{e, kind})
	case strings.HasPrefix(e, "="):
		w := strings.ToLower(e[1:])
		rawWords[w] = kind
		maxRawWord = max(maxRawWord, len(w))
	case strings.Contains(e, " "):
		parts := strings.Fields(e)
		if len(parts) > 3 {
			return fmt.Errorf("phrase %q has more than three words", e)
		}
		for i, p := range parts {
			parts[i] = normalize(p)
		}
		key := strings.Join(parts, " ")
		if old, ok := phrases[key]; ok && old != kind {
			return fmt.Errorf("phrase %q listed twice with different kinds", e)
		}
		phrases[key] = kind
		wordEntry(parts[len(parts)-1]).tail = true
	default:
		word, extra, isPrefix := strings.Cut(e, "*")
		key := normalize(word)
		if key == "" {
			return fmt.Errorf("entry %q normalises to nothing", e)
		}
		w := wordEntry(key)
		if !isPrefix {
			if w.exact != 0 && w.exact != kind {
				return fmt.Errorf("%q listed twice with different kinds", e)
			}
			w.exact = kind
			return nil
		}
		n := 255
		if extra != "" {
			var err error
			if n, err = strconv.Atoi(extra); err != nil || n < 0 || n > 254 {
				return fmt.Errorf("bad prefix length in %q", e)
			}
		}
		if w.prefix != 0 && w.prefix != kind {
			return fmt.Errorf("prefix %q listed twice with different kinds", e)
		}
		if len(key) < 2 {
			return fmt.Errorf("prefix %q is too short", e)
		}
		w.prefix, w.extra = kind, uint8(n)
		b := int(key[0])<<8 | int(key[1])
		prefixStart[b/64] |= 1 << (b % 64)
	}
	return nil
}

func wordEntry(key string) *entry {
	w := words[key]
	if w == nil {
		w = &entry{}
		words[key] = w
	}
	return w
}

// normalize returns the look-up key of a vocabulary word.
func normalize(s string) string {
	var buf [64]byte
	return string(appendKey(buf[:0], s))
}

// isNoSpaceWord reports whether s is written in a script without spaces
// between words (or with particles attached, as in Korean).
func isNoSpaceWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isNoSpace(r)
}
