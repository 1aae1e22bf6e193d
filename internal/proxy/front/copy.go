package front

import (
	"io"
	"net"
	"sync/atomic"
)

// plainMaxClass caps copyPlain's buffers at 64 KiB: it holds its buffer
// while waiting for data.
const plainMaxClass = 1

// copyPlain is copyStream for connections without a file descriptor (a
// TLS listener, a test pipe): an ordinary read/write loop with a pooled
// buffer that adapts like copyStream's, up to plainMaxClass.
func copyPlain(dst, src net.Conn, counted *atomic.Uint64) (int64, error) {
	var written int64
	class := 0
	buf := getBuf(class)
	defer func() { putBuf(class, buf) }()
	for {
		n, rerr := src.Read(*buf)
		if n > 0 {
			w, werr := dst.Write((*buf)[:n])
			written += int64(w)
			counted.Add(uint64(w))
			if werr != nil {
				return written, werr
			}
			if next := min(nextClass(class, n, len(*buf)), plainMaxClass); next != class {
				putBuf(class, buf)
				class, buf = next, getBuf(next)
			}
		}
		if rerr == io.EOF {
			return written, nil
		}
		if rerr != nil {
			return written, rerr
		}
	}
}

// countingConn counts what is written to (up) and read from (down) the
// upstream connection of a forwarded plain HTTP request, which goes
// through net/http's buffers rather than copyStream.
type countingConn struct {
	net.Conn
	up, down *atomic.Uint64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.down.Add(uint64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.up.Add(uint64(n))
	return n, err
}
