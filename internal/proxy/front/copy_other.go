//go:build !unix

package front

import (
	"net"
	"sync/atomic"
)

// copyStream copies src to dst until EOF, adding what it writes to
// counted; without unix sockets it holds its buffer while waiting.
func copyStream(dst, src net.Conn, counted *atomic.Uint64) (int64, error) {
	return copyPlain(dst, src, counted)
}
