package front

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// socksGet opens a SOCKS tunnel to the origin and sends GET path; the
// caller reads the answer from the returned connection.
func (e *env) socksGet(t *testing.T, user, pass, path string) net.Conn {
	t.Helper()
	c, status, rep := socksOpen(t, e.socksAddr, user, pass, 1, "127.0.0.1", port(e.origin.Listener.Addr().String()))
	if status != 0 || rep != 0 {
		t.Fatalf("SOCKS open: auth %d, reply %d", status, rep)
	}
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: origin\r\n\r\n", path)
	return c
}

// openTunnels opens one SOCKS and one CONNECT tunnel to the echo server.
func (e *env) openTunnels(t *testing.T, user, pass string) (socks, connect net.Conn) {
	t.Helper()
	socks, status, rep := socksOpen(t, e.socksAddr, user, pass, 1, "127.0.0.1", port(e.echo))
	if status != 0 || rep != 0 {
		t.Fatalf("SOCKS open: auth %d, reply %d", status, rep)
	}
	connect, resp := httpConnect(t, e.httpAddr, user, pass, e.echo)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT: %d", resp.StatusCode)
	}
	echoRoundTrip(t, socks, "ping")
	echoRoundTrip(t, connect, "ping")
	return socks, connect
}

func TestRevokeClosesLiveTunnels(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 5, Upstream: "socks5://" + e.modem})
	e.auth.set("other", "pass", Lease{RentalID: 6, Upstream: "direct"})
	socks, connect := e.openTunnels(t, "user", "pass")
	download := e.socksGet(t, "user", "pass", "/stream")
	br := bufio.NewReader(download)
	if _, err := http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(br, make([]byte, 4096)); err != nil {
		t.Fatalf("download: %v", err)
	}
	otherSocks, _ := e.openTunnels(t, "other", "pass")
	if got := metricValue(e.front.metrics.open.WithLabelValues("5")); got != 3 {
		t.Fatalf("open tunnels of rental 5 = %v, want 3", got)
	}

	start := time.Now()
	e.front.Revoke(5)
	waitClosed(t, socks, time.Second)
	waitClosed(t, connect, time.Second)
	download.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Fatalf("the download did not stop: %v", err)
	}
	t.Logf("revoked tunnels closed in %v", time.Since(start))
	echoRoundTrip(t, otherSocks, "still there") // another rental is untouched

	// The rental's series go with its last tunnel.
	eventually(t, "rental 5 series deleted", func() bool {
		return seriesCount(t, e.reg, "mdnhub_proxy_connections") == 1 &&
			seriesCount(t, e.reg, "mdnhub_proxy_bytes_total") == 2
	})
}

func TestRevokeAbortsDialInProgress(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true, DialTimeout: 10 * time.Second})
	// An upstream that accepts and then says nothing: the SOCKS handshake
	// with it hangs.
	mute := listen(t)
	go func() {
		for {
			c, err := mute.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	e.auth.set("user", "pass", Lease{RentalID: 8, Upstream: "socks5://" + mute.Addr().String()})
	result := make(chan byte, 1)
	go func() {
		_, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 1, "127.0.0.1", port(e.echo))
		result <- rep
	}()
	eventually(t, "the dial to start", func() bool { return e.dialCount() == 1 })
	start := time.Now()
	e.front.Revoke(8)
	select {
	case rep := <-result:
		if rep == 0 {
			t.Fatal("the tunnel opened after Revoke")
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("aborted after %v", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Revoke did not abort the dial")
	}
}

func TestLeaseExpiryClosesTunnels(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 9, Upstream: "direct", ExpiresAt: time.Now().Add(400 * time.Millisecond)})
	socks, connect := e.openTunnels(t, "user", "pass")
	start := time.Now()
	waitClosed(t, socks, 2*time.Second)
	waitClosed(t, connect, time.Second)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("closed %v after the tunnel opened, lease had 400ms", d)
	}
	// The lease has expired: its credentials are denied.
	if _, status, _ := socksOpen(t, e.socksAddr, "user", "pass", 1, "127.0.0.1", port(e.echo)); status != 1 {
		t.Errorf("SOCKS with an expired lease: auth status %d, want 1", status)
	}
}

func TestInactiveRentalClosedByRecheck(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true, RecheckInterval: 100 * time.Millisecond})
	e.auth.set("user", "pass", Lease{RentalID: 10, Upstream: "direct"})
	e.auth.set("idle", "pass", Lease{RentalID: 11, Upstream: "direct"})
	socks, connect := e.openTunnels(t, "user", "pass")
	// Rental 11 has had a tunnel but has none open now.
	s11, c11 := e.openTunnels(t, "idle", "pass")
	s11.Close()
	c11.Close()
	eventually(t, "rental 11's tunnels to close", func() bool {
		return metricValue(e.front.metrics.open.WithLabelValues("11")) == 0
	})

	time.Sleep(250 * time.Millisecond) // a few rechecks that find them active
	echoRoundTrip(t, socks, "alive")
	e.auth.setActive(10, false) // ended on another node: no Revoke here
	e.auth.setActive(11, false)
	start := time.Now()
	waitClosed(t, socks, time.Second)
	waitClosed(t, connect, time.Second)
	// One RecheckInterval (100ms) plus scheduling slack.
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("closed %v after the rental ended", d)
	}
	eventually(t, "inactive rentals' series deleted", func() bool {
		return seriesCount(t, e.reg, "mdnhub_proxy_connections") == 0
	})
}

func TestMaxConnsPerRental(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true, MaxConnsPerRental: 2})
	e.auth.set("user", "pass", Lease{RentalID: 12, Upstream: "direct"})
	e.auth.set("other", "pass", Lease{RentalID: 13, Upstream: "direct"})
	socks, _ := e.openTunnels(t, "user", "pass")

	if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 1, "127.0.0.1", port(e.echo)); rep != 2 {
		t.Errorf("third SOCKS tunnel: reply %d, want 2", rep)
	}
	if _, resp := httpConnect(t, e.httpAddr, "user", "pass", e.echo); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third CONNECT: %d, want 429", resp.StatusCode)
	}
	if code := plainStatus(t, e.httpAddr, "http://127.0.0.1:1/"); code != http.StatusTooManyRequests {
		t.Errorf("plain request over the limit: %d, want 429", code)
	}
	e.openTunnels(t, "other", "pass") // the limit is per rental

	socks.Close()
	eventually(t, "a slot to free up", func() bool {
		c, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 1, "127.0.0.1", port(e.echo))
		c.Close()
		return rep == 0
	})
}

func TestIdleTimeout(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true, IdleTimeout: 300 * time.Millisecond, RecheckInterval: 50 * time.Millisecond})
	e.auth.set("user", "pass", Lease{RentalID: 14, Upstream: "direct"})
	idleSocks, idleConnect := e.openTunnels(t, "user", "pass")
	busySocks, busyConnect := e.openTunnels(t, "user", "pass")

	// Keep the busy pair trickling for well over the idle timeout.
	stop := time.After(time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
loop:
	for {
		select {
		case <-stop:
			break loop
		case <-tick.C:
			echoRoundTrip(t, busySocks, "x")
			echoRoundTrip(t, busyConnect, "y")
		}
	}
	waitClosed(t, idleSocks, 10*time.Millisecond)
	waitClosed(t, idleConnect, 10*time.Millisecond)
	t.Logf("idle tunnels closed; busy ones alive after %v", time.Since(start))
	waitClosed(t, busySocks, time.Second)
}

func TestSwapMovesNewConnectionsToTheNewUpstream(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("old", "pw1", Lease{RentalID: 20, Port: "50001", Upstream: "socks5://" + e.modem})
	socks, connect := e.openTunnels(t, "old", "pw1")
	if e.modemSeen.get() != 2 || e.httpSeen.get() != 0 {
		t.Fatalf("before the swap: modem %d, http %d", e.modemSeen.get(), e.httpSeen.get())
	}

	// The swap: same rental, new credentials and port; the domain changes
	// its store, then calls Revoke.
	e.auth.remove("old")
	e.auth.set("new", "pw2", Lease{RentalID: 20, Port: "50002", Upstream: "http://upuser:uppass@" + e.httpUp})
	e.front.Revoke(20)
	waitClosed(t, socks, time.Second)
	waitClosed(t, connect, time.Second)

	if _, status, _ := socksOpen(t, e.socksAddr, "old", "pw1", 1, "127.0.0.1", port(e.echo)); status != 1 {
		t.Errorf("old credentials after the swap: auth status %d, want 1", status)
	}
	out, code := curl(t, "--socks5-hostname", "new:pw2@"+e.socksAddr, e.origin.URL+"/")
	if code != 0 || out != "hello from origin" {
		t.Fatalf("curl with the new credentials: %d %q", code, out)
	}
	e.openTunnels(t, "new", "pw2")
	if e.modemSeen.get() != 2 || e.httpSeen.get() != 3 {
		t.Errorf("after the swap: modem %d (want 2), http proxy %d (want 3)", e.modemSeen.get(), e.httpSeen.get())
	}
}

func TestHalfCloseIsPassedOn(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	for kind, up := range e.upstreams() {
		e.auth.set("user", "pass", Lease{RentalID: 21, Upstream: up})
		socks, connect := e.openTunnels(t, "user", "pass")
		for _, c := range []net.Conn{socks, connect} {
			io.WriteString(c, "12345")
			c.(*net.TCPConn).CloseWrite()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			rest, err := io.ReadAll(c)
			// The echo server saw EOF, answered after it, and the answer
			// came back through the half-closed tunnel.
			if err != nil || string(rest) != "12345total 9\n" {
				t.Errorf("%s: after half-close got %q, %v", kind, rest, err)
			}
		}
	}
}

func TestDataSentAheadOfTheReply(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 22, Upstream: "direct"})

	// SOCKS: greeting, auth, request and payload in one write.
	c, err := net.Dial("tcp", e.socksAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := port(e.echo)
	msg := []byte{5, 1, 2, 1, 4, 'u', 's', 'e', 'r', 4, 'p', 'a', 's', 's', 5, 1, 0, 1, 127, 0, 0, 1, byte(p >> 8), byte(p)}
	c.Write(append(msg, "early"...))
	c.SetDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, 2+2+10+5)
	if _, err := io.ReadFull(c, got); err != nil || string(got[14:]) != "early" || got[3] != 0 || got[5] != 0 {
		t.Errorf("SOCKS pipelined: %v %q, %v", got[:14], got[14:], err)
	}

	// HTTP: CONNECT and payload in one write.
	h, err := net.Dial("tcp", e.httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	fmt.Fprintf(h, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\nearly", e.echo, e.echo)
	h.SetDeadline(time.Now().Add(5 * time.Second))
	all := make([]byte, len(connectEstablished)+5)
	if _, err := io.ReadFull(h, all); err != nil || string(all) != connectEstablished+"early" {
		t.Errorf("CONNECT pipelined: %q, %v", all, err)
	}
}

func TestMetricsCountBytesAndConnections(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 30, Upstream: "direct"})
	const n = 1 << 20
	c := e.socksGet(t, "user", "pass", fmt.Sprintf("/bytes?n=%d", n))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := io.Copy(io.Discard, resp.Body); k != n {
		t.Fatalf("read %d bytes", k)
	}
	c.Close()
	out, code := curl(t, "-x", "http://user:pass@"+e.httpAddr, fmt.Sprintf("%s/bytes?n=%d", e.origin.URL, n))
	if code != 0 || len(out) != n {
		t.Fatalf("curl: %d, %d bytes", code, len(out))
	}
	eventually(t, "tunnels to close", func() bool {
		return metricValue(e.front.metrics.open.WithLabelValues("30")) == 0
	})
	down := metricValue(e.front.metrics.bytes.WithLabelValues("30", "down"))
	up := metricValue(e.front.metrics.bytes.WithLabelValues("30", "up"))
	if down < 2*n || down > 2*n+2000 || up < 40 || up > 2000 {
		t.Errorf("bytes down %v (want 2 MiB plus headers), up %v", down, up)
	}
	if ok := metricValue(e.front.metrics.conns.WithLabelValues("socks5", "ok")); ok != 1 {
		t.Errorf("socks5 ok = %v", ok)
	}
	if ok := metricValue(e.front.metrics.conns.WithLabelValues("http", "ok")); ok != 1 {
		t.Errorf("http ok = %v", ok)
	}
}

// TestLiveByteCounts: a long tunnel's bytes show before it closes.
func TestLiveByteCounts(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true, RecheckInterval: 50 * time.Millisecond})
	e.auth.set("user", "pass", Lease{RentalID: 31, Upstream: "direct"})
	socks, _ := e.openTunnels(t, "user", "pass")
	echoRoundTrip(t, socks, strings.Repeat("z", 100000))
	eventually(t, "live byte counts", func() bool {
		return metricValue(e.front.metrics.bytes.WithLabelValues("31", "down")) >= 100004 &&
			metricValue(e.front.metrics.bytes.WithLabelValues("31", "up")) >= 100004
	})
}

func TestCloseEndsEverything(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 40, Upstream: "direct"})
	baseline := runtime.NumGoroutine() // with the front's loops and Serve calls
	socks, connect := e.openTunnels(t, "user", "pass")
	hung, err := net.Dial("tcp", e.socksAddr) // a client that never finishes its handshake
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	eventually(t, "the handshake to be accepted", func() bool { return runtime.NumGoroutine() > baseline+4 })

	if err := e.front.Close(); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, socks, time.Second)
	waitClosed(t, connect, time.Second)
	waitClosed(t, hung, time.Second)
	for range 2 {
		if err := <-e.served; err != ErrClosed {
			t.Errorf("Serve returned %v", err)
		}
	}
	e.served <- ErrClosed // for the cleanup's check
	e.served <- ErrClosed
	if c, err := net.Dial("tcp", e.socksAddr); err == nil {
		c.Close()
		t.Error("the SOCKS listener still accepts")
	}
	// The front's own goroutines (two loops, two Serve calls, each
	// connection's) are all gone.
	eventually(t, "the front's goroutines to end", func() bool { return runtime.NumGoroutine() <= baseline-4 })
	if err := e.front.ServeSOCKS(listen(t)); err != ErrClosed {
		t.Errorf("ServeSOCKS after Close: %v", err)
	}
}
