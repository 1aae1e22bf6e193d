package smpp

import "strings"

// The GSM 03.38 default alphabet, indexed by septet; 0x1B is the escape to
// the extension table.
const gsmBasicChars = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

const gsmEscape = 0x1B

// gsmExtension is the extension table: escape + septet → character.
var gsmExtension = map[byte]rune{
	0x0A: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2F: '\\',
	0x3C: '[', 0x3D: '~', 0x3E: ']', 0x40: '|', 0x65: '€',
}

var (
	gsmBasic   [128]rune
	gsmEncode1 = map[rune]byte{} // characters of the default table
	gsmEncode2 = map[rune]byte{} // characters that need the escape
)

func init() {
	rs := []rune(gsmBasicChars)
	if len(rs) != 128 {
		panic("smpp: GSM table has the wrong size")
	}
	copy(gsmBasic[:], rs)
	for i, r := range rs {
		if i != gsmEscape {
			gsmEncode1[r] = byte(i)
		}
	}
	for b, r := range gsmExtension {
		gsmEncode2[r] = b
	}
}

// gsmEncode encodes text as unpacked GSM 7-bit septets, one per octet, the
// way SMPP carries the default alphabet. ok is false when a character has
// no GSM representation.
func gsmEncode(text string) (septets []byte, ok bool) {
	out := make([]byte, 0, len(text))
	for _, r := range text {
		if b, found := gsmEncode1[r]; found {
			out = append(out, b)
		} else if b, found := gsmEncode2[r]; found {
			out = append(out, gsmEscape, b)
		} else {
			return nil, false
		}
	}
	return out, true
}

// gsmDecode decodes unpacked GSM 7-bit septets. As 3GPP TS 23.038 asks, an
// escape followed by a septet the extension table lacks shows that
// septet's default character; a dangling escape is dropped.
func gsmDecode(septets []byte) string {
	var b strings.Builder
	b.Grow(len(septets))
	for i := 0; i < len(septets); i++ {
		c := septets[i] & 0x7F
		if c != gsmEscape {
			b.WriteRune(gsmBasic[c])
			continue
		}
		if i+1 >= len(septets) {
			break
		}
		i++
		next := septets[i] & 0x7F
		if r, ok := gsmExtension[next]; ok {
			b.WriteRune(r)
		} else if next == gsmEscape {
			b.WriteRune(' ') // reserved for a further extension table
		} else {
			b.WriteRune(gsmBasic[next])
		}
	}
	return b.String()
}
