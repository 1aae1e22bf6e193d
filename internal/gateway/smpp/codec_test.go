package smpp

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestGSMRoundTrip(t *testing.T) {
	for _, s := range []string{
		"Your code is 123456",
		"@ £ $ ¥ è é ù ì ò Ç Ø ø Å å Δ _ Φ Γ Λ Ω Π Ψ Σ Θ Ξ Æ æ ß É ¤ ¡ Ä Ö Ñ Ü § ¿ ä ö ñ ü à",
		"€5 [x] {y} ~z \\ ^ | \f",
		"line\nbreak\r",
	} {
		b, ok := gsmEncode(s)
		if !ok {
			t.Fatalf("%q not encodable", s)
		}
		if got := gsmDecode(b); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
}

func TestGSMSeptets(t *testing.T) {
	b, _ := gsmEncode("@€[]$_")
	want := []byte{0x00, 0x1B, 0x65, 0x1B, 0x3C, 0x1B, 0x3E, 0x02, 0x11}
	if !bytes.Equal(b, want) {
		t.Fatalf("got % X, want % X", b, want)
	}
	if _, ok := gsmEncode("ç"); ok {
		t.Fatal("ç is not in the GSM default alphabet")
	}
	if _, ok := gsmEncode("😀"); ok {
		t.Fatal("emoji is not GSM")
	}
	// An escape before a septet the extension table lacks shows the
	// default character; a dangling escape is dropped.
	if got := gsmDecode([]byte{0x1B, 0x41, 0x42, 0x1B}); got != "AB" {
		t.Fatalf("got %q", got)
	}
}

func TestDecodeText(t *testing.T) {
	utf16be := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	for _, c := range []struct {
		name   string
		coding int
		in     []byte
		want   string
	}{
		{"gsm default", 0, []byte{0x00, 0x20, 0x1B, 0x65, 0x31}, "@ €1"},
		{"gsm with latin-1 octets", 0, []byte("caf\xe9"), "café"},
		{"gsm with utf-8 octets", 0, []byte("café"), "café"},
		{"ia5 ascii", 1, []byte("Code: 42 [ok] @home"), "Code: 42 [ok] @home"},
		{"ia5 carrying gsm septets", 1, []byte{0x00, 0x31, 0x1B, 0x3C, 0x02}, "@1[$"},
		{"latin-1", 3, []byte("Gr\xfc\xdfe \xa35"), "Grüße £5"},
		{"ucs-2", 8, utf16be("Код 1234"), "Код 1234"},
		{"ucs-2 emoji surrogate pair", 8, utf16be("ok 😀👍"), "ok 😀👍"},
		{"ucs-2 odd octet dropped", 8, append(utf16be("hi"), 0x00), "hi"},
		{"unknown coding", codingUnknown, []byte{0x00, 0x41}, "@A"},
		{"dcs class 0 gsm", 0xF0, []byte{0x41, 0x00}, "A@"},
		{"dcs general ucs-2", 0x18, utf16be("é"), "é"},
		{"cyrillic", 6, []byte{0xBA, 0xDE, 0xD4}, "Код"},
	} {
		got, err := decodeText(c.coding, c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	for _, coding := range []int{2, 4, 0xF4} {
		if _, err := decodeText(coding, []byte{1, 2}); err == nil {
			t.Errorf("coding %#x: binary data decoded as text", coding)
		}
	}
}

func TestEncodeTextSingle(t *testing.T) {
	e := encodeText(strings.Repeat("a", 160))
	if e.coding != 0 || len(e.parts) != 1 || len(e.parts[0]) != 160 {
		t.Fatalf("160 GSM chars: coding %d, %d parts", e.coding, len(e.parts))
	}
	// Extension characters take two septets: 80 euros do not fit one SMS.
	if e := encodeText(strings.Repeat("€", 80)); len(e.parts) != 1 {
		t.Fatalf("80 € = 160 septets: %d parts", len(e.parts))
	}
	if e := encodeText(strings.Repeat("€", 81)); len(e.parts) != 2 {
		t.Fatalf("81 € = 162 septets: %d parts", len(e.parts))
	}
	e = encodeText("Привет")
	if e.coding != 8 || len(e.parts) != 1 || len(e.parts[0]) != 12 {
		t.Fatalf("cyrillic: coding %d, parts %v", e.coding, e.parts)
	}
}

func TestEncodeTextSplit(t *testing.T) {
	long := strings.Repeat("0123456789", 40) // 400 septets
	e := encodeText(long)
	if len(e.parts) != 3 || len(e.parts[0]) != 153 || len(e.parts[1]) != 153 || len(e.parts[2]) != 94 {
		t.Fatalf("parts %d: %d %d", len(e.parts), len(e.parts[0]), len(e.parts[len(e.parts)-1]))
	}
	// An escape never ends a part: the € at septets 152-153 moves whole.
	s := strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10)
	e = encodeText(s)
	if len(e.parts[0]) != 152 || e.parts[1][0] != 0x1B || gsmDecode(bytes.Join(e.parts, nil)) != s {
		t.Fatalf("escape split: %d / % X", len(e.parts[0]), e.parts[1])
	}
	// UCS-2: 67 code units per part, surrogate pairs kept whole.
	s = strings.Repeat("я", 66) + "😀" + strings.Repeat("я", 10)
	e = encodeText(s)
	if e.coding != 8 || len(e.parts) != 2 || len(e.parts[0]) != 132 {
		t.Fatalf("ucs-2 split: %d parts, first %d octets", len(e.parts), len(e.parts[0]))
	}
	if got := ucs2(bytes.Join(e.parts, nil)); got != s {
		t.Fatal("ucs-2 split does not join back")
	}
	s = strings.Repeat("😀", 80) // 160 code units: three parts
	e = encodeText(s)
	for i, p := range e.parts {
		if len(p) > 134 || len(p)%4 != 0 {
			t.Fatalf("part %d has %d octets", i, len(p))
		}
	}
	if ucs2(bytes.Join(e.parts, nil)) != s {
		t.Fatal("emoji split does not join back")
	}
}
