package smpp

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/linxGnu/gosmpp/data"
)

// codingUnknown stands for a data_coding the SMPP library did not report
// (it keeps only the codings it knows).
const codingUnknown = -1

// errBinary marks 8-bit data (WAP push, ringtones, SIM updates): not text.
var errBinary = errors.New("8-bit binary data is not a text message")

// decodeText turns a message's user data (UDH removed) into text by its
// data_coding.
func decodeText(coding int, b []byte) (string, error) {
	switch {
	case coding == 0x00: // SMSC default alphabet: GSM 03.38 in practice
		return defaultAlphabet(b), nil
	case coding == 0x01: // IA5
		return ia5(b), nil
	case coding == 0x02 || coding == 0x04:
		return "", errBinary
	case coding == 0x03:
		return latin1(b), nil
	case coding == 0x06:
		return data.CYRILLIC.Decode(b)
	case coding == 0x07:
		return data.HEBREW.Decode(b)
	case coding == 0x08:
		return ucs2(b), nil
	case coding == codingUnknown || coding < 0x10:
		return defaultAlphabet(b), nil
	}
	return decodeDCS(byte(coding), b)
}

// decodeDCS follows the GSM 03.38 data coding scheme groups that SMPP
// passes through for values above 0x0F.
func decodeDCS(dcs byte, b []byte) (string, error) {
	var alphabet byte
	switch {
	case dcs&0xC0 == 0x00: // general data coding
		if dcs&0x20 != 0 {
			return "", errors.New("compressed text is not supported")
		}
		alphabet = dcs >> 2 & 0x03
	case dcs&0xF0 == 0xF0: // data coding / message class
		alphabet = dcs >> 2 & 0x01
	case dcs&0xF0 == 0xC0 || dcs&0xF0 == 0xD0: // message waiting, GSM text
		alphabet = 0
	case dcs&0xF0 == 0xE0: // message waiting, UCS-2 text
		alphabet = 2
	default:
		return defaultAlphabet(b), nil
	}
	switch alphabet {
	case 0:
		return gsmDecode(b), nil
	case 2:
		return ucs2(b), nil
	}
	return "", errBinary
}

// defaultAlphabet decodes GSM septets; octets above 0x7F cannot be septets,
// so such data is taken as UTF-8 when valid, else as Latin-1 (both seen
// from SMSCs that misuse data_coding 0).
func defaultAlphabet(b []byte) string {
	if ascii7(b) {
		return gsmDecode(b)
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return latin1(b)
}

// ia5 decodes data_coding 1. The standard says IA5 (ASCII), but several
// stacks (node-smpp among them) put GSM septets under it; a control
// octet other than CR or LF is not printable IA5, and is how GSM's '@'
// (0x00), '$' (0x02), '_' (0x11) and escape (0x1B) look, so such data is
// decoded as GSM.
func ia5(b []byte) string {
	if !ascii7(b) {
		return latin1(b)
	}
	for _, c := range b {
		if c < 0x20 && c != '\r' && c != '\n' {
			return gsmDecode(b)
		}
	}
	return string(b)
}

func ascii7(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// ucs2 decodes big-endian UTF-16 (a superset of UCS-2 that phones use for
// emoji); a trailing odd octet is dropped and a lone surrogate becomes
// U+FFFD.
func ucs2(b []byte) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(units))
}

// Outbound limits: octets of user data in one SMS without and with the
// 6-octet concatenation header, in GSM septets and UCS-2 code units.
const (
	gsmSingle  = 160
	gsmPart    = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// encoded is an outbound text ready for submit_sm: its data_coding and the
// user data of each part (one part needs no UDH).
type encoded struct {
	coding byte
	parts  [][]byte
}

// encodeText encodes text in GSM 7-bit when every character has a GSM
// representation, else in UCS-2 (UTF-16), and splits it into parts of
// 153 septets or 67 code units when it does not fit one SMS. A split
// never separates an escape from its character or the halves of a
// surrogate pair.
func encodeText(text string) encoded {
	if septets, ok := gsmEncode(text); ok {
		if len(septets) <= gsmSingle {
			return encoded{coding: data.GSM7BITCoding, parts: [][]byte{septets}}
		}
		return encoded{coding: data.GSM7BITCoding, parts: splitUnits(septets, 1, gsmPart, func(b []byte) bool {
			return b[len(b)-1] == gsmEscape
		})}
	}
	units := utf16.Encode([]rune(text))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		b[2*i], b[2*i+1] = byte(u>>8), byte(u)
	}
	if len(units) <= ucs2Single {
		return encoded{coding: data.UCS2Coding, parts: [][]byte{b}}
	}
	return encoded{coding: data.UCS2Coding, parts: splitUnits(b, 2, ucs2Part, func(b []byte) bool {
		u := uint16(b[len(b)-2])<<8 | uint16(b[len(b)-1])
		return u >= 0xD800 && u < 0xDC00 // a high surrogate
	})}
}

// splitUnits cuts b into parts of at most per units of size octets each;
// glued(part) tells that the last unit of a part must move to the next.
func splitUnits(b []byte, size, per int, glued func(part []byte) bool) [][]byte {
	var parts [][]byte
	for len(b) > 0 {
		n := per * size
		if n >= len(b) {
			parts = append(parts, b)
			break
		}
		if glued(b[:n]) {
			n -= size
		}
		parts = append(parts, b[:n])
		b = b[n:]
	}
	return parts
}
