package front

import (
	"net"
	"sync/atomic"
)

// run makes the tunnel live and copies between client and its upstream
// until both directions are done or the tunnel is closed, then releases
// it. toUpstream holds bytes the client sent ahead of the tunnel (read
// into a handshake buffer), toClient bytes the upstream sent ahead.
func (t *tunnel) run(client net.Conn, toUpstream, toClient []byte) {
	defer t.release()
	if err := t.establish(client); err != nil {
		client.Close() //nolint:errcheck // the tunnel was closed meanwhile
		return
	}
	defer t.finish()
	upstream := t.upstream
	if !t.writeAhead(upstream, toUpstream, &t.bytesUp) || !t.writeAhead(client, toClient, &t.bytesDown) {
		return
	}
	var ended atomic.Int32
	done := make(chan struct{})
	t.f.workers.run(func() {
		t.copyHalf(upstream, client, &t.bytesUp, &ended)
		close(done)
	})
	t.copyHalf(client, upstream, &t.bytesDown, &ended)
	<-done
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
// tunnel, which also stops the other direction. ended counts the
// directions done: the second one needs no half-close, the tunnel is
// about to close whole.
func (t *tunnel) copyHalf(dst, src net.Conn, counted *atomic.Uint64, ended *atomic.Int32) {
	_, err := copyStream(dst, src, counted)
	last := ended.Add(1) == 2
	if err != nil {
		t.close("copy failed")
		return
	}
	if last {
		return
	}
	if cw, ok := dst.(closeWriter); ok {
		if cw.CloseWrite() != nil {
			t.close("half-close failed")
		}
	}
	// Without half-close the peer cannot be told: the other direction
	// ends the tunnel, or the idle timeout does.
}
