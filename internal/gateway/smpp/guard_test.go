package smpp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// guardedReader applies guardedConn's check to a plain stream, as the link's
// connection does, for tests that read PDUs from bytes.
type guardedReader struct {
	r io.Reader
	g guardedConn
}

func (r *guardedReader) Read(p []byte) (int, error) {
	if r.g.err != nil {
		return 0, r.g.err
	}
	n, err := r.r.Read(p)
	if cerr := r.g.check(p[:n]); cerr != nil {
		r.g.err = cerr
		return 0, cerr
	}
	return n, err
}

// header is a PDU header with an empty body of the given length.
func header(length uint32, cmd data.CommandIDType, seq uint32) []byte {
	b := make([]byte, length)
	binary.BigEndian.PutUint32(b[0:], length)
	binary.BigEndian.PutUint32(b[4:], uint32(int32(cmd)))
	binary.BigEndian.PutUint32(b[12:], seq)
	return b
}

// A PDU an ESME is never sent (here the query_sm that panics gosmpp's
// parser), or a length out of bounds, ends the connection before gosmpp
// reads it; the PDUs before it pass untouched, whatever the read sizes.
func TestGuardedConn(t *testing.T) {
	query := []byte("\x00\x00\x00&\x00\x00\x00\x03\xff\xff\xff\xdf\x00\x00\x001\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x04\x00\x05hello")
	cases := []struct {
		name   string
		stream []byte
		good   int // PDUs read before the refusal
	}{
		{"enquire_link then query_sm", append(header(16, data.ENQUIRE_LINK, 1), query...), 1},
		{"length 8", append(header(16, data.ENQUIRE_LINK_RESP, 1), header(16, data.ENQUIRE_LINK, 2)[:8]...), 1},
		{"submit_sm sent to us", header(16, data.SUBMIT_SM, 3), 0},
		{"huge length", append(header(16, data.ENQUIRE_LINK, 1), 0, 0x10, 0, 0, 0, 0, 0, 5), 1},
	}
	// "length 8" above has a well-formed second header cut short, so fix
	// its length field to 8 to make it out of bounds.
	binary.BigEndian.PutUint32(cases[1].stream[16:], 8)
	for _, c := range cases {
		for _, chunk := range []int{1, 3, 7, 16, 1024} {
			a, b := net.Pipe()
			go func() {
				for s := c.stream; len(s) > 0; s = s[min(chunk, len(s)):] {
					a.Write(s[:min(chunk, len(s))])
				}
				time.Sleep(50 * time.Millisecond)
				a.Close()
			}()
			conn := guard(b)
			good := 0
			var err error
			for {
				if _, err = pdu.Parse(conn); err != nil {
					break
				}
				good++
			}
			if good != c.good || !errors.Is(err, errBadPDU) {
				t.Errorf("%s in chunks of %d: %d PDUs, then %v; want %d, then the refusal", c.name, chunk, good, err, c.good)
			}
		}
	}
	// A stream of good PDUs passes whole.
	var stream bytes.Buffer
	for i := range 50 {
		stream.Write(header(16, data.ENQUIRE_LINK, uint32(i)))
	}
	r := &guardedReader{r: &stream}
	for i := range 50 {
		if _, err := pdu.Parse(r); err != nil {
			t.Fatalf("PDU %d: %v", i, err)
		}
	}
}
