package pin

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// corpusPath is the shared corpus of real-world SMS formats; each line is
// "<expected pin>\t<message text>".
const corpusPath = "../../../testdata/pins.tsv"

// corpusEntry is one line of the corpus.
type corpusEntry struct {
	line     int
	expected string
	text     string
}

// loadCorpus reads the corpus, skipping blank and "#" comment lines. A
// literal `\n` in a message stands for a line break, since the TSV format
// cannot hold real newlines.
func loadCorpus(tb testing.TB) []corpusEntry {
	tb.Helper()
	f, err := os.Open(corpusPath)
	if err != nil {
		tb.Fatalf("open corpus: %v", err)
	}
	defer f.Close()

	var entries []corpusEntry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		expected, text, ok := strings.Cut(line, "\t")
		if !ok || strings.Contains(text, "\t") {
			tb.Errorf("%s:%d: want exactly one tab separating expected pin and text", corpusPath, n)
			continue
		}
		entries = append(entries, corpusEntry{
			line:     n,
			expected: expected,
			text:     strings.ReplaceAll(text, `\n`, "\n"),
		})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	return entries
}

func TestExtractCorpus(t *testing.T) {
	entries := loadCorpus(t)
	if len(entries) < 400 {
		t.Errorf("corpus has %d entries, want at least 400", len(entries))
	}
	failed := 0
	for _, e := range entries {
		if got := Extract(e.text); got != e.expected {
			failed++
			t.Error(corpusFailure(e, got))
		}
	}
	t.Logf("corpus: %d/%d correct (%.1f%%)", len(entries)-failed, len(entries),
		100*float64(len(entries)-failed)/float64(len(entries)))
}

// corpusFailure describes a corpus line Extract got wrong: where it is
// (file and line number, so it can be opened directly), the message, what
// came out and what was expected.
func corpusFailure(e corpusEntry, got string) string {
	return fmt.Sprintf("%s:%d: Extract(%q) = %q, want %q", corpusPath, e.line, e.text, got, e.expected)
}

func TestCorpusFailureIsReadable(t *testing.T) {
	e := corpusEntry{line: 42, expected: "4821", text: "Tu código es 4821\nNo lo compartas"}
	msg := corpusFailure(e, "")
	for _, want := range []string{"pins.tsv:42:", `"Tu código es 4821\nNo lo compartas"`, `want "4821"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message %q does not contain %q", msg, want)
		}
	}
}

func TestLoadCorpusLineNumbers(t *testing.T) {
	// Line numbers count every line of the file, comments and blank lines
	// included, so that a reported number points at the right line.
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, e := range loadCorpus(t) {
		if e.line < 1 || e.line > len(lines) {
			t.Fatalf("entry reports line %d of %d", e.line, len(lines))
		}
		expected, text, _ := strings.Cut(lines[e.line-1], "\t")
		if expected != e.expected || strings.ReplaceAll(text, `\n`, "\n") != e.text {
			t.Errorf("entry reported at line %d is not that line: %q", e.line, lines[e.line-1])
		}
	}
}

func TestExtractExpectedIsSubstring(t *testing.T) {
	// Guards the corpus itself: Extract returns codes as written, so every
	// expectation must appear verbatim in its message.
	for _, e := range loadCorpus(t) {
		if e.expected != "" && !strings.Contains(e.text, e.expected) {
			t.Errorf("%s:%d: expected %q does not occur in the text", corpusPath, e.line, e.expected)
		}
	}
}

func TestExtractFormats(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"google keeps prefix", "G-804036 is your Google verification code.", "G-804036"},
		{"facebook keeps prefix", "FB-12345 is your Facebook confirmation code", "FB-12345"},
		{"dash kept", "Your WhatsApp code: 123-456", "123-456"},
		{"space kept", "Use 123 456 to verify your Instagram account.", "123 456"},
		{"code after keyword", "Telegram code: 12345", "12345"},
		{"code before keyword", "123456 is your Amazon OTP. Do not share it with anyone.", "123456"},
		{"microsoft", "Use 1234567 as Microsoft account security code", "1234567"},
		{"apple", "Your Apple ID Code is: 123456. Don't share it", "123456"},
		{"signal", "SIGNAL: Your code is: 123456", "123456"},
		{"alphanumeric", "Your code is AB12CD", "AB12CD"},
		{"steam letters only", "Your Steam Guard code is: RTQXB", "RTQXB"},
		{"spanish", "Tu código es 4821", "4821"},
		{"russian", "Ваш код: 1234", "1234"},
		{"german compound", "Ihr Bestätigungscode lautet 829104", "829104"},
		{"nbsp", "Your code is\u00a0482913", "482913"},
		{"other prefix near keyword", "Your Acme verification: T-4821", "T-4821"},
		{"4+4 digits", "Your one-time passcode is 4821-9930.", "4821-9930"},
		{"4+4 alphanumeric", "Recovery code: AB12-CD34", "AB12-CD34"},
		{"google prefix in korean", "G-582019은(는) Google 인증 코드입니다.", "G-582019"},
		{"google prefix without keyword", "G-582019 Google", "G-582019"},
		{"webotp without keyword", "Acme: 184273\n\n@acme.com #184273", "184273"},
		{"repeated in a link", "Open https://acme.app/v?c=739104 or manually enter 739104.", "739104"},
		{"grouped code repeated in a link", "Tap https://acme.app/v/482913 or enter 482-913", "482-913"},
		{"cjk adjacent", "验证码123456", "123456"},
		{"japanese copula", "認証番号は123456です", "123456"},
		{"thai copula", "รหัสยืนยันคือ 123456", "123456"},
		{"arabic", "رمز التحقق الخاص بك هو 482913", "482913"},
		{"hebrew clitic", "קוד האימות שלך הוא 482913", "482913"},
		{"transliterated vietnamese", "ma xac thuc cua ban la 7K2PQX", "7K2PQX"},
		{"transliterated turkish", "Dogrulama kodunuz: 482913", "482913"},
		{"polish without diacritics", "Haslo jednorazowe: 7302", "7302"},
		{"verification beats promo", "Use promo code FALL25 for 25% off. Your login code is 391028.", "391028"},
		{"promo word claims its own code", "Your code is 829103 or use promo code SAVE20 for 20% off!", "829103"},
		{"free app in another sentence", "Your Acme code is 4821. Get the free Acme app!", "4821"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Extract(tt.text); got != tt.want {
				t.Errorf("Extract(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestExtractPrefersLabelledCode(t *testing.T) {
	// Several numbers, only one of them labelled as the code.
	text := "Order 48291 (ref 5521) ships 2025-03-04. Call 1-800-555-0199. Your verification code is 7302."
	if got := Extract(text); got != "7302" {
		t.Errorf("Extract(%q) = %q, want %q", text, got, "7302")
	}
}

func TestExtractRejects(t *testing.T) {
	for _, text := range []string{
		"",
		"Your code",
		"Call 1-800-555-1234 for your code.",
		"Your code will be sent from +1 (415) 555-0100.",
		"Text STOP to 22000. Code requests are free.",
		"© 2024 Acme. Your code expires soon.",
		"Your code costs $1234.56",
		"Your code expires at 10:30.",
		"Your code was sent on 12/05/2024.",
		"Open https://acme.com/code/482913",
		"Your order #12345 has shipped",
		"Welcome to Foo! Reply STOP to unsubscribe",
		"Use promo code SAVE20 for 20% off",
		"Use code 481920 online for 30% off",
		"Diskon 50% untuk pesanan pertama, pakai kode HEMAT50",
		"Use my code JRDN42 when you sign up",
		"Booking confirmed: flight BA 2490 departs at 18:45.",
		"ACME SALE: 50% OFF EVERYTHING. Code: SAVE50. Ends Sunday!",
		"Your appointment confirmation number is 48291.",
		"Your verification code expired. Request a new one at acme.com/verify/482019",
		"[#] Your code is\nFA+9qCX9VSu",
		"Your balance is 4821 points.",
		"Text 4821 to 22000 to confirm your subscription.",
		"您的订单 48291 已发货",
		"Ваш заказ 48291 передан в доставку.",
	} {
		if got := Extract(text); got != "" {
			t.Errorf("Extract(%q) = %q, want no code", text, got)
		}
	}
}

// BenchmarkExtract runs Extract over the whole corpus per iteration and
// reports the average cost of one message (ns/msg, allocs/msg, B/msg), since
// Extract runs once for every inbound SMS.
func BenchmarkExtract(b *testing.B) {
	entries := loadCorpus(b)
	texts := make([]string, len(entries))
	for i, e := range entries {
		texts[i] = e.text
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	msgs := 0
	for b.Loop() {
		for _, t := range texts {
			Extract(t)
		}
		msgs += len(texts)
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	if msgs > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(msgs), "ns/msg")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(msgs), "allocs/msg")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(msgs), "B/msg")
	}
}

func FuzzExtract(f *testing.F) {
	for _, seed := range []string{
		"G-804036 is your Google verification code.",
		"Your WhatsApp code: 123-456",
		"Call 1-800-555-1234",
		"Код подтверждения: 58291",
		"验证码：593021",
		"認証番号は123456です",
		"รหัสยืนยันคือ 123456",
		"رمز التحقق الخاص بك هو 482913",
		"קוד האימות שלך הוא 482913",
		"Your one-time passcode is 4821-9930",
		"Use code 481920 online for 30% off",
		"Open https://go.acme.app/m/731946 or manually enter 731946",
		"@acme.com #184273",
		"code:\xff\xfe1234",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Extract(text) // must not panic
		if got == "" {
			return
		}
		if !strings.Contains(text, got) {
			t.Errorf("Extract(%q) = %q, which is not a substring of the input", text, got)
		}
		if !plausibleCode(got) {
			t.Errorf("Extract(%q) = %q, which is not shaped like a code", text, got)
		}
	})
}

// plausibleCode reports whether v has one of the shapes Extract returns:
// 4-8 digits, 3+3 or 4+4 digits with a hyphen or a space, a 1-3 capital
// prefix and 4-8 digits, a 4-8 character alphanumeric token with a digit,
// 4+4 capitals and digits with a hyphen, or 5-8 capitals.
var plausibleCode = regexp.MustCompile(`^(?:` +
	`\d{4,8}` +
	`|\d{3}[- ]\d{3}|\d{4}-\d{4}` +
	`|[A-Z]{1,3}-\d{4,8}` +
	`|[A-Za-z0-9]{4,8}` +
	`|[A-Z0-9]{4}-[A-Z0-9]{4}` +
	`)$`).MatchString

// BenchmarkExtractLong runs Extract on 20 KB texts dense with codes and
// keywords: its cost must grow about linearly with the text, so that no
// inbound message, however long, is expensive to read.
func BenchmarkExtractLong(b *testing.B) {
	for _, unit := range []string{
		"promo 4821 order 5521 code 1234 verify 99999. ",
		"验证码123456优惠券4821。",
		"a1b2c3d4 ",
	} {
		text := strings.Repeat(unit, 20000/len(unit))
		b.Run(strconv.Itoa(len(unit)), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Extract(text)
			}
		})
	}
}
