package front

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWrongPasswordIsRefused(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct"})

	_, status, _ := socksOpen(t, e.socksAddr, "user", "wrong", 3, "127.0.0.1", port(e.echo))
	if status != 1 {
		t.Errorf("SOCKS auth status %d, want 1 (failure)", status)
	}
	if out, code := curl(t, "--socks5-hostname", "user:wrong@"+e.socksAddr, e.origin.URL); code == 0 {
		t.Errorf("curl through SOCKS with a wrong password succeeded: %q", out)
	}

	for _, cred := range [][2]string{{"user", "wrong"}, {"nobody", "pass"}, {"", ""}} {
		_, resp := httpConnect(t, e.httpAddr, cred[0], cred[1], e.echo)
		if resp.StatusCode != http.StatusProxyAuthRequired || resp.Header.Get("Proxy-Authenticate") != `Basic realm="mdnhub"` {
			t.Errorf("CONNECT with %q: %d %q", cred, resp.StatusCode, resp.Header.Get("Proxy-Authenticate"))
		}
	}
	out, _ := curl(t, "-o", "/dev/null", "-w", "%{http_code}", "-x", "http://user:wrong@"+e.httpAddr, e.origin.URL)
	if out != "407" {
		t.Errorf("plain request with a wrong password: %s, want 407", out)
	}
	if got := metricValue(e.front.metrics.conns.WithLabelValues("socks5", "denied")); got != 2 {
		t.Errorf("socks5 denied = %v, want 2", got)
	}
	if got := metricValue(e.front.metrics.conns.WithLabelValues("http", "denied")); got != 4 {
		t.Errorf("http denied = %v, want 4", got)
	}
}

func TestAuthenticatorFailure(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct"})
	e.auth.mu.Lock()
	e.auth.failing = true
	e.auth.mu.Unlock()
	if _, status, _ := socksOpen(t, e.socksAddr, "user", "pass", 3, "127.0.0.1", port(e.echo)); status != 1 {
		t.Errorf("SOCKS auth status %d, want 1", status)
	}
	if _, resp := httpConnect(t, e.httpAddr, "user", "pass", e.echo); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("CONNECT: %d, want 503", resp.StatusCode)
	}
}

func TestSOCKSOnlyPasswordAndConnect(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct"})

	// A client offering only "no authentication" is turned away.
	c, err := net.Dial("tcp", e.socksAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte{5, 1, 0})
	buf := make([]byte, 2)
	if _, err := io.ReadFull(c, buf); err != nil || buf[1] != 0xff {
		t.Errorf("no-auth greeting answered %v, %v; want method 0xff", buf, err)
	}

	// BIND and UDP ASSOCIATE are not supported.
	for _, cmd := range []byte{2, 3} {
		c := socksAuthed(t, e.socksAddr, "user", "pass")
		c.Write([]byte{5, cmd, 0, 1, 127, 0, 0, 1, 0, 80})
		reply := make([]byte, 10)
		if _, err := io.ReadFull(c, reply); err != nil || reply[1] != 7 {
			t.Errorf("command %d answered %v, %v; want reply 7", cmd, reply, err)
		}
	}
	if e.dialCount() != 0 {
		t.Errorf("refused requests dialled %v", e.dials)
	}
}

// socksAuthed returns a SOCKS connection past authentication.
func socksAuthed(t *testing.T, addr, user, pass string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte{5, 1, 2})
	c.Write(append(append(append([]byte{1, byte(len(user))}, user...), byte(len(pass))), pass...))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || buf[1] != 2 || buf[3] != 0 {
		t.Fatalf("handshake %v %v", buf, err)
	}
	return c
}

// TestPrivateDestinationsRefusedBeforeDialling checks the guard on every
// listener and upstream kind: the refusal comes before any connection, to
// the destination or to an upstream.
func TestPrivateDestinationsRefusedBeforeDialling(t *testing.T) {
	e := newEnv(t, Options{})
	type dest struct {
		atyp byte
		host string
	}
	dests := []dest{
		{1, "127.0.0.1"}, {3, "127.0.0.1"}, {1, "10.0.0.1"}, {3, "10.0.0.1"},
		{4, "::1"}, {3, "::1"}, {1, "169.254.169.254"}, {3, "169.254.169.254"},
		{3, "localhost"}, {3, "LOCALHOST."}, {3, "db.localhost"}, {3, "0x7f.1"}, {3, "2130706433"},
		{3, "192.168.1.1"}, {3, "fd00::1"}, {3, "fe80::1%25eth0"}, {1, "0.0.0.0"}, {1, "224.0.0.1"}, {3, "::ffff:10.1.2.3"},
	}
	for kind, up := range e.upstreams() {
		e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: up})
		for _, d := range dests {
			host := strings.ReplaceAll(d.host, "%25", "%")
			_, _, rep := socksOpen(t, e.socksAddr, "user", "pass", d.atyp, host, 80)
			if rep != 2 {
				t.Errorf("%s: SOCKS CONNECT %s got reply %d, want 2 (not allowed by ruleset)", kind, host, rep)
			}
			if strings.Contains(host, "%") {
				continue // a zone is not valid in an HTTP authority: net/http answers 400
			}
			target := net.JoinHostPort(host, "80")
			if _, resp := httpConnect(t, e.httpAddr, "user", "pass", target); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: CONNECT %s got %d, want 403", kind, target, resp.StatusCode)
			}
			if d.atyp == 3 {
				code := plainStatus(t, e.httpAddr, "http://"+net.JoinHostPort(host, "80")+"/")
				if code != http.StatusForbidden {
					t.Errorf("%s: GET %s got %d, want 403", kind, target, code)
				}
			}
		}
	}
	if n := e.dialCount(); n != 0 {
		t.Errorf("refused destinations caused %d dials: %v", n, e.dials)
	}
	if e.modemSeen.get() != 0 || e.httpSeen.get() != 0 {
		t.Errorf("upstreams were used")
	}
}

// plainStatus sends an absolute-form GET through the HTTP proxy.
func plainStatus(t *testing.T, proxyAddr, rawURL string) int {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET "+rawURL+" HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestDirectGuardChecksResolvedAddress: for a direct upstream a public
// looking name that resolves to an internal address is refused before
// anything is dialled.
func TestDirectGuardChecksResolvedAddress(t *testing.T) {
	e := newEnv(t, Options{})
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct"})
	e.dns.set("internal.example", "127.0.0.1")
	target := "internal.example:" + strings.Split(e.echo, ":")[1]
	if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, "internal.example", port(e.echo)); rep != 2 {
		t.Errorf("SOCKS reply %d, want 2", rep)
	}
	if _, resp := httpConnect(t, e.httpAddr, "user", "pass", target); resp.StatusCode != http.StatusForbidden {
		t.Errorf("CONNECT got %d, want 403", resp.StatusCode)
	}
	if got := metricValue(e.front.metrics.conns.WithLabelValues("socks5", "refused")); got != 1 {
		t.Errorf("socks5 refused = %v, want 1", got)
	}
	if n := e.dialCount(); n != 0 {
		t.Errorf("dialled %v", e.dials)
	}
}

func TestInvalidUpstreamFailsClearly(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	for _, up := range []string{"ftp://x:1", "socks5://nohost", "http://:8080", "direct://not-an-ip", "", "socks5://u:p@[::1"} {
		e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: up})
		if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 1, "127.0.0.1", port(e.echo)); rep != 1 {
			t.Errorf("upstream %q: SOCKS reply %d, want 1 (general failure)", up, rep)
		}
		if _, resp := httpConnect(t, e.httpAddr, "user", "pass", e.echo); resp.StatusCode != http.StatusBadGateway {
			t.Errorf("upstream %q: CONNECT %d, want 502", up, resp.StatusCode)
		}
		if code := plainStatus(t, e.httpAddr, e.origin.URL+"/"); code != http.StatusBadGateway {
			t.Errorf("upstream %q: GET %d, want 502", up, code)
		}
	}
}

func TestUpstreamRefusalIsRelayed(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	// A port nobody listens on: connecting to it is refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for kind, up := range e.upstreams() {
		e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: up})
		wantRep := map[string]byte{"socks5": 5, "http": 4, "direct": 5, "direct-local": 5}[kind]
		if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 1, "127.0.0.1", port(closed)); rep != wantRep {
			t.Errorf("%s: SOCKS reply %d, want %d", kind, rep, wantRep)
		}
		if _, resp := httpConnect(t, e.httpAddr, "user", "pass", closed); resp.StatusCode != http.StatusBadGateway {
			t.Errorf("%s: CONNECT %d, want 502", kind, resp.StatusCode)
		}
	}
	// An upstream that cannot be reached at all.
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "socks5://" + closed})
	if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 1, "127.0.0.1", port(e.echo)); rep != 5 {
		t.Errorf("unreachable upstream: SOCKS reply %d, want 5", rep)
	}
}

// TestConnectAfterChallengeOnTheSameConnection: a browser's CONNECT
// without credentials gets 407 and retries on the same connection.
func TestConnectAfterChallengeOnTheSameConnection(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct"})
	c, err := net.Dial("tcp", e.httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	connect := &http.Request{Method: http.MethodConnect}
	io.WriteString(c, "CONNECT "+e.echo+" HTTP/1.1\r\nHost: "+e.echo+"\r\n\r\n")
	resp, err := http.ReadResponse(br, connect)
	if err != nil || resp.StatusCode != http.StatusProxyAuthRequired || resp.Header.Get("Proxy-Authenticate") == "" {
		t.Fatalf("first CONNECT: %v %v", resp, err)
	}
	io.Copy(io.Discard, io.LimitReader(br, resp.ContentLength))
	io.WriteString(c, "CONNECT "+e.echo+" HTTP/1.1\r\nHost: "+e.echo+"\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n")
	resp, err = http.ReadResponse(br, connect)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("second CONNECT: %v %v", resp, err)
	}
	io.WriteString(c, "ping")
	got := make([]byte, 4)
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "ping" {
		t.Fatalf("echo: %q %v", got, err)
	}
}

// TestConnectAfterPlainRequestOnTheSameConnection: once a connection
// carried a plain request, http.Server serves it, CONNECT included
// (through Hijack), with pipelined bytes kept.
func TestConnectAfterPlainRequestOnTheSameConnection(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct"})
	c, err := net.Dial("tcp", e.httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	auth := "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
	io.WriteString(c, "GET "+e.origin.URL+"/ HTTP/1.1\r\nHost: x\r\n"+auth+"\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "hello from origin" {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}
	io.WriteString(c, "CONNECT "+e.echo+" HTTP/1.1\r\nHost: "+e.echo+"\r\n"+auth+"\r\nearly")
	resp, err = http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "early" {
		t.Fatalf("echo of the pipelined bytes: %q %v", got, err)
	}
}
