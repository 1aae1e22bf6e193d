package smpp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/linxGnu/gosmpp/data"
)

// maxPDULength bounds one PDU from the SMSC: a deliver_sm with a 64 KiB
// message_payload and its other fields fits.
const maxPDULength = 70_000

// receivable are the commands an ESME can be sent on the binds mdnhub opens.
// Anything else is a broken or hostile peer: gosmpp's parser is not written
// for it (a query_sm with optional parameters makes it panic, which would
// stop the process), and mdnhub has no answer for it anyway.
var receivable = map[data.CommandIDType]bool{
	data.GENERIC_NACK:          true,
	data.BIND_RECEIVER_RESP:    true,
	data.BIND_TRANSMITTER_RESP: true,
	data.BIND_TRANSCEIVER_RESP: true,
	data.SUBMIT_SM_RESP:        true,
	data.DELIVER_SM:            true,
	data.DATA_SM:               true,
	data.DATA_SM_RESP:          true,
	data.UNBIND:                true,
	data.UNBIND_RESP:           true,
	data.ENQUIRE_LINK:          true,
	data.ENQUIRE_LINK_RESP:     true,
	data.ALERT_NOTIFICATION:    true,
}

// errBadPDU ends a link whose peer sent a PDU mdnhub will not parse.
var errBadPDU = errors.New("smpp: unexpected PDU from the SMSC")

// guardedConn checks the header of every PDU the SMSC sends before gosmpp's
// parser sees it: a length out of bounds or a command an ESME is never sent
// ends the connection (the link rebinds with back-off) instead of reaching
// code that may panic. It only watches the stream as it passes, a few
// integer operations per read.
type guardedConn struct {
	net.Conn
	hdr  [8]byte // command_length and command_id of the PDU being read
	hdrN int     // header bytes seen
	left int     // bytes of the current PDU after its first 8
	err  error   // once set, every read fails with it
}

func guard(c net.Conn) net.Conn { return &guardedConn{Conn: c} }

// Read reads from the connection and checks every PDU header it passes.
func (g *guardedConn) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.Conn.Read(p)
	if cerr := g.check(p[:n]); cerr != nil {
		g.err = cerr
		g.Conn.Close()
		return 0, cerr
	}
	return n, err
}

// check follows the PDU boundaries through b.
func (g *guardedConn) check(b []byte) error {
	for len(b) > 0 {
		if g.left > 0 {
			k := min(g.left, len(b))
			g.left -= k
			b = b[k:]
			continue
		}
		k := copy(g.hdr[g.hdrN:], b)
		g.hdrN += k
		b = b[k:]
		if g.hdrN < len(g.hdr) {
			return nil
		}
		g.hdrN = 0
		length := binary.BigEndian.Uint32(g.hdr[:4])
		cmd := data.CommandIDType(int32(binary.BigEndian.Uint32(g.hdr[4:])))
		if length < 16 || length > maxPDULength {
			return fmt.Errorf("%w: command_length %d", errBadPDU, length)
		}
		if !receivable[cmd] {
			return fmt.Errorf("%w: command 0x%08x", errBadPDU, uint32(int32(cmd)))
		}
		g.left = int(length) - len(g.hdr)
	}
	return nil
}
