//go:build unix

package front

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
)

// rawReader reads a socket inside RawConn.Read, which calls read again
// each time the socket becomes readable; one per copy, so the callback
// is allocated once rather than per read.
type rawReader struct {
	class int
	buf   *[]byte
	n     int
	err   error
}

// read takes a buffer only once there are bytes to read: a socket
// waiting for data holds none.
func (r *rawReader) read(fd uintptr) bool {
	r.buf = getBuf(r.class)
	for {
		r.n, r.err = syscall.Read(int(fd), *r.buf)
		if r.err != syscall.EINTR {
			break
		}
	}
	if r.err == syscall.EAGAIN {
		putBuf(r.class, r.buf) // nothing yet: wait without it
		r.buf = nil
		return false
	}
	return true
}

// copyStream copies src to dst until EOF, adding what it writes to
// counted.
func copyStream(dst, src net.Conn, counted *atomic.Uint64) (int64, error) {
	sc, ok := src.(syscall.Conn)
	if !ok {
		return copyPlain(dst, src, counted)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return copyPlain(dst, src, counted)
	}
	r := &rawReader{}
	read := r.read
	var written int64
	for {
		err := rc.Read(read)
		if err == nil && r.err != nil {
			err = r.err
		}
		if err != nil || r.n <= 0 {
			if r.buf != nil {
				putBuf(r.class, r.buf)
			}
			if err == nil || err == io.EOF {
				return written, nil // n == 0: the peer's EOF
			}
			return written, err
		}
		w, werr := dst.Write((*r.buf)[:r.n])
		size := len(*r.buf)
		putBuf(r.class, r.buf)
		r.buf = nil
		written += int64(w)
		counted.Add(uint64(w))
		if werr != nil {
			return written, werr
		}
		r.class = nextClass(r.class, r.n, size)
	}
}
