package front

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	socks5 "github.com/things-go/go-socks5"
)

// fakeAuth is an in-memory Authenticator.
type fakeAuth struct {
	mu       sync.Mutex
	creds    map[string]fakeCred
	inactive map[int64]bool
	failing  bool
}

type fakeCred struct {
	pass  string
	lease Lease
}

func newFakeAuth() *fakeAuth {
	return &fakeAuth{creds: map[string]fakeCred{}, inactive: map[int64]bool{}}
}

func (a *fakeAuth) set(user, pass string, lease Lease) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.creds[user] = fakeCred{pass, lease}
	delete(a.inactive, lease.RentalID)
}

func (a *fakeAuth) remove(user string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.creds, user)
}

func (a *fakeAuth) setActive(id int64, active bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inactive[id] = !active
}

func (a *fakeAuth) Authenticate(_ context.Context, user, pass string) (Lease, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failing {
		return Lease{}, errors.New("store down")
	}
	c, ok := a.creds[user]
	if !ok || c.pass != pass || a.inactive[c.lease.RentalID] {
		return Lease{}, ErrDenied
	}
	return c.lease, nil
}

func (a *fakeAuth) Active(_ context.Context, ids []int64) (map[int64]bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = !a.inactive[id]
	}
	return m, nil
}

// listen opens a loopback listener closed with the test.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// counter counts the connections an upstream or origin saw.
type counter struct{ n atomic.Int64 }

func (c *counter) get() int64 { return c.n.Load() }

// startModem runs a SOCKS5 server without authentication, standing in for
// a modem's proxy on the test network n; it counts the connections it
// makes.
func startModem(t testing.TB, n *testNet) (addr string, seen *counter) {
	seen = new(counter)
	ln := listen(t)
	srv := socks5.NewServer(
		socks5.WithResolver(socksDNS{n}),
		socks5.WithRule(socksAsked{n}),
		socks5.WithDial(func(ctx context.Context, network, addr string) (net.Conn, error) {
			seen.n.Add(1)
			return n.dial(ctx, addr)
		}))
	go srv.Serve(ln) //nolint:errcheck // ends with the listener
	return ln.Addr().String(), seen
}

// startConnectProxy runs a tiny HTTP CONNECT proxy on the test network n
// that wants user:pass when user is not empty; it counts the tunnels it
// opens and passes half-closes on.
func startConnectProxy(t testing.TB, user, pass string, n *testNet) (addr string, seen *counter) {
	seen = new(counter)
	ln := listen(t)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				if req.Method != http.MethodConnect {
					io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
					return
				}
				if user != "" && req.Header.Get("Proxy-Authorization") != want {
					io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
					return
				}
				n.ask(req.Host)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				dst, err := n.dial(ctx, req.Host)
				cancel()
				if err != nil {
					io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
					return
				}
				defer dst.Close()
				seen.n.Add(1)
				io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\n")
				done := make(chan struct{})
				go func() {
					io.Copy(dst, br)
					dst.(*net.TCPConn).CloseWrite()
					close(done)
				}()
				io.Copy(c, dst)
				c.(*net.TCPConn).CloseWrite()
				<-done
			}()
		}
	}()
	return ln.Addr().String(), seen
}

// startEcho runs a TCP server that echoes each connection and, when the
// client half-closes, writes "total <n>\n" and closes.
func startEcho(t testing.TB) string {
	ln := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				n, _ := io.Copy(c, c)
				fmt.Fprintf(c, "total %d\n", n)
			}()
		}
	}()
	return ln.Addr().String()
}

// originHandler serves the test origins.
func originHandler(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		io.WriteString(w, "hello from origin")
	case "/bytes":
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		chunk := []byte(strings.Repeat("0123456789abcdef", 4096))
		for n > 0 {
			k := min(n, len(chunk))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			n -= k
		}
	case "/stream":
		// Never ends on its own: a long download.
		for {
			if _, err := io.WriteString(w, strings.Repeat("x", 1024)); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	case "/headers":
		for k, v := range r.Header {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(v, ","))
		}
	case "/echo":
		io.Copy(w, r.Body)
	default:
		http.NotFound(w, r)
	}
}

// env is a front with its listeners, origins and upstreams, on loopback.
type env struct {
	t         *testing.T
	auth      *fakeAuth
	front     *Front
	reg       *prometheus.Registry
	socksAddr string
	httpAddr  string
	origin    *httptest.Server
	tlsOrigin *httptest.Server
	echo      string
	modem     string // upstream SOCKS5
	modemSeen *counter
	httpUp    string // upstream HTTP CONNECT proxy, wants upuser:uppass
	httpSeen  *counter
	// dns is the front's resolver, net the network beyond it (the
	// upstreams' DNS and routes to fake public addresses).
	dns *fakeResolver
	net *testNet
	// dials records every address the front dialled.
	dialMu sync.Mutex
	dials  []string
	served chan error
}

func newEnv(t *testing.T, opt Options) *env {
	t.Helper()
	e := &env{t: t, auth: newFakeAuth(), reg: prometheus.NewRegistry(), served: make(chan error, 2),
		dns: newFakeResolver(), net: newTestNet()}
	if opt.Resolver == nil {
		opt.Resolver = e.dns
	}
	e.origin = httptest.NewServer(http.HandlerFunc(originHandler))
	t.Cleanup(e.origin.Close)
	e.tlsOrigin = httptest.NewTLSServer(http.HandlerFunc(originHandler))
	t.Cleanup(e.tlsOrigin.Close)
	e.echo = startEcho(t)
	e.modem, e.modemSeen = startModem(t, e.net)
	e.httpUp, e.httpSeen = startConnectProxy(t, "upuser", "uppass", e.net)

	e.front = New(e.auth, opt, nil, e.reg)
	next := e.front.dialTCP
	e.front.dialTCP = func(ctx context.Context, d *net.Dialer, address string) (net.Conn, error) {
		e.dialMu.Lock()
		e.dials = append(e.dials, address)
		e.dialMu.Unlock()
		to, ok := e.net.routed(address)
		switch {
		case !ok:
			return nil, errTestUnreachable // never dial out of loopback
		case to != address:
			// A fake public address: the front checked it already, and the
			// loopback server standing in for it would fail the guard.
			var plain net.Dialer
			return plain.DialContext(ctx, "tcp", to)
		}
		return next(ctx, d, address)
	}
	sl, err1 := Listen(context.Background(), "127.0.0.1:0")
	hl, err2 := Listen(context.Background(), "127.0.0.1:0")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	e.socksAddr, e.httpAddr = sl.Addr().String(), hl.Addr().String()
	go func() { e.served <- e.front.ServeSOCKS(sl) }()
	go func() { e.served <- e.front.ServeHTTPProxy(hl) }()
	t.Cleanup(func() {
		e.front.Close()
		for range 2 {
			if err := <-e.served; !errors.Is(err, ErrClosed) {
				t.Errorf("Serve returned %v, want ErrClosed", err)
			}
		}
	})
	return e
}

// upstreams are the upstream kinds every client is driven through.
func (e *env) upstreams() map[string]string {
	return map[string]string{
		"socks5":       "socks5://" + e.modem,
		"http":         "http://upuser:uppass@" + e.httpUp,
		"direct":       "direct",
		"direct-local": "direct://127.0.0.1",
	}
}

// takeDials returns the addresses dialled so far and forgets them.
func (e *env) takeDials() []string {
	e.dialMu.Lock()
	defer e.dialMu.Unlock()
	out := e.dials
	e.dials = nil
	return out
}

func (e *env) dialCount() int {
	e.dialMu.Lock()
	defer e.dialMu.Unlock()
	return len(e.dials)
}

// socksOpen does a SOCKS5 handshake by hand, to see the exact reply codes.
// It returns the connection, the auth status (0 ok) and the CONNECT reply.
func socksOpen(t testing.TB, proxyAddr, user, pass string, atyp byte, host string, port int) (net.Conn, byte, byte) {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 512)
	c.Write([]byte{5, 1, 2})
	if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[1] != 2 {
		t.Fatalf("method selection: %v %v", buf[:2], err)
	}
	c.Write(append(append(append([]byte{1, byte(len(user))}, user...), byte(len(pass))), pass...))
	if _, err := io.ReadFull(c, buf[:2]); err != nil {
		t.Fatalf("auth reply: %v", err)
	}
	if buf[1] != 0 {
		return c, buf[1], 0xff
	}
	req := []byte{5, 1, 0, atyp}
	switch atyp {
	case 1:
		req = append(req, net.ParseIP(host).To4()...)
	case 4:
		req = append(req, net.ParseIP(host).To16()...)
	default:
		req = append(append(req, byte(len(host))), host...)
	}
	req = append(req, byte(port>>8), byte(port))
	c.Write(req)
	if _, err := io.ReadFull(c, buf[:4]); err != nil {
		t.Fatalf("connect reply: %v", err)
	}
	rep := buf[1]
	skip := map[byte]int{1: 4 + 2, 4: 16 + 2}[buf[3]]
	if buf[3] == 3 {
		io.ReadFull(c, buf[:1])
		skip = int(buf[0]) + 2
	}
	io.ReadFull(c, buf[:skip])
	c.SetDeadline(time.Time{})
	return c, 0, rep
}

// httpConnect opens a CONNECT tunnel by hand; the response is returned
// whatever its status.
func httpConnect(t testing.TB, proxyAddr, user, pass, target string) (net.Conn, *http.Response) {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	auth := ""
	if user != "" {
		auth = "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)) + "\r\n"
	}
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", target, target, auth)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatalf("CONNECT answer: %v", err)
	}
	if resp.StatusCode == http.StatusOK && br.Buffered() > 0 {
		t.Fatalf("unexpected bytes after the CONNECT answer")
	}
	c.SetDeadline(time.Time{})
	return c, resp
}

// echoRoundTrip writes msg and expects it back.
func echoRoundTrip(t testing.TB, c net.Conn, msg string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
		t.Fatalf("echo: got %q, %v", got, err)
	}
}

// waitClosed expects the peer to close c within d.
func waitClosed(t testing.TB, c net.Conn, d time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %v", d)
	}
}

// eventually polls cond for up to 5 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func port(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

// metricValue reads one counter or gauge.
func metricValue(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		panic(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

// seriesCount counts the series of the named family in reg.
func seriesCount(t testing.TB, reg *prometheus.Registry, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.Metric)
		}
	}
	return 0
}
