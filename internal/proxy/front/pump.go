package front

import (
	"net"
	"sync/atomic"
)

// run makes the tunnel live and copies between client and its upstream:
// the way down on this goroutine, the way up on a worker. Whichever
// direction ends last finishes and releases the tunnel, so run may
// return while the other still copies; the client connection belongs to
// the tunnel from here. toUpstream holds bytes the client sent ahead of
// the tunnel (read into a handshake buffer), toClient bytes the upstream
// sent ahead.
func (t *tunnel) run(client net.Conn, toUpstream, toClient []byte) {
	if err := t.establish(client); err != nil {
		client.Close() //nolint:errcheck // the tunnel was closed meanwhile
		t.release()
		return
	}
	upstream := t.upstream
	if !t.writeAhead(upstream, toUpstream, &t.bytesUp) || !t.writeAhead(client, toClient, &t.bytesDown) {
		t.finish()
		t.release()
		return
	}
	t.halves.Store(2)
	// The caller's own count keeps f.wg above zero here, so adding is safe
	// even while Close waits.
	t.f.wg.Add(1)
	t.f.workers.run(func() {
		defer t.f.wg.Done()
		t.copyHalf(upstream, client, &t.bytesUp)
	})
	t.copyHalf(client, upstream, &t.bytesDown)
}

// writeAhead writes bytes that were read before the tunnel started.
func (t *tunnel) writeAhead(dst net.Conn, p []byte, counted *atomic.Uint64) bool {
	if len(p) == 0 {
		return true
	}
	n, err := dst.Write(p)
	counted.Add(uint64(n))
	return err == nil
}

// closeWriter is a connection that can send EOF while still reading.
type closeWriter interface{ CloseWrite() error }

// copyHalf copies one direction. At EOF it half-closes dst, so the peer
// sees the end while the other direction goes on (an HTTP/1.0 request,
// a TLS close_notify); on an error, or a reset, it closes the whole
// tunnel, which also stops the other direction. The last direction to
// end needs no half-close: it finishes and releases the tunnel, which
// closes both connections.
func (t *tunnel) copyHalf(dst, src net.Conn, counted *atomic.Uint64) {
	_, err := copyStream(dst, src, counted)
	last := t.halves.Add(-1) == 0
	switch {
	case err != nil:
		t.close("copy failed")
	case !last:
		// Without half-close the peer cannot be told: the other direction
		// ends the tunnel, or the idle timeout does.
		if cw, ok := dst.(closeWriter); ok && cw.CloseWrite() != nil {
			t.close("half-close failed")
		}
	}
	if last {
		t.finish()
		t.release()
	}
}
