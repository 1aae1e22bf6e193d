//go:build unix

package front

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
)

// copyStream copies src to dst until EOF, adding what it writes to
// counted. It waits for data without holding a buffer: the read is done
// inside RawConn.Read, which takes a buffer only once the socket is
// readable.
func copyStream(dst, src net.Conn, counted *atomic.Uint64) (int64, error) {
	sc, ok := src.(syscall.Conn)
	if !ok {
		return copyPlain(dst, src, counted)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return copyPlain(dst, src, counted)
	}
	var written int64
	class := 0
	for {
		var buf *[]byte
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			buf = getBuf(class)
			for {
				n, rerr = syscall.Read(int(fd), *buf)
				if rerr != syscall.EINTR {
					break
				}
			}
			if rerr == syscall.EAGAIN {
				putBuf(class, buf) // nothing yet: wait without it
				buf = nil
				return false
			}
			return true
		})
		if err == nil && rerr != nil {
			err = rerr
		}
		if err != nil || n <= 0 {
			if buf != nil {
				putBuf(class, buf)
			}
			if err == nil {
				err = io.EOF
			}
			if err == io.EOF {
				return written, nil
			}
			return written, err
		}
		w, werr := dst.Write((*buf)[:n])
		size := len(*buf)
		putBuf(class, buf)
		written += int64(w)
		counted.Add(uint64(w))
		if werr != nil {
			return written, werr
		}
		class = nextClass(class, n, size)
	}
}
