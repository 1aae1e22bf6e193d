package front

// Fuzz targets of the proxy front's two listeners: fuzzed bytes are a
// client's whole side of one loopback connection (sent, then half-closed).
// Nothing real is ever dialled or resolved: the front gets a fake resolver,
// and its dialTCP hands out in-memory pipes to fake upstreams and origins.
// Seeds: f.Add below and testdata/fuzz/<FuzzName>/; docs/fuzzing.md says
// how to run them longer.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mdnhub/internal/netguard"
)

// The fake rentals: alice goes out directly, bob through an HTTP upstream
// (names resolved by the front), dave through a SOCKS5 upstream that
// resolves names itself, carol's port has an upstream the front cannot use.
var fzLeases = map[string]struct {
	pass  string
	lease Lease
}{
	"alice": {"secret", Lease{RentalID: 1, Port: "50001", Upstream: "direct"}},
	"bob":   {"hunter2", Lease{RentalID: 2, Port: "50002", Upstream: "http://10.0.0.3:3128"}},
	"dave":  {"pw", Lease{RentalID: 4, Port: "50004", Upstream: "socks5h://10.0.0.4:1080"}},
	"carol": {"x", Lease{RentalID: 3, Port: "50003", Upstream: "ftp://10.0.0.5:21"}},
}

const (
	fzHTTPUpstream  = "10.0.0.3:3128"
	fzSOCKSUpstream = "10.0.0.4:1080"
	// fzAnswer is what every fake origin answers, whatever it is sent.
	fzAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	// fzDeadline bounds one connection: the front must have answered and
	// closed it this long after the client's last byte.
	fzDeadline = 10 * time.Second
)

// fzWorld is the fake outside world of one fuzz target: it records who
// authenticated and what the front dialled, and the rule violations seen.
type fzWorld struct {
	mu      sync.Mutex
	authed  map[string]bool // users whose credentials passed, this connection
	dials   []string
	wrong   []string // violations, reported by the iteration
	logging []string // error-level and panic log records
}

func (w *fzWorld) violation(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wrong = append(w.wrong, fmt.Sprintf(format, args...))
}

// reset starts a connection; it returns what the previous one left.
func (w *fzWorld) reset() (wrong, logging []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	wrong, logging = w.wrong, w.logging
	w.authed, w.dials, w.wrong, w.logging = map[string]bool{}, nil, nil, nil
	return wrong, logging
}

func (w *fzWorld) Authenticate(_ context.Context, user, pass string) (Lease, error) {
	c, ok := fzLeases[user]
	if !ok || c.pass != pass {
		return Lease{}, ErrDenied
	}
	w.mu.Lock()
	w.authed[user] = true
	w.mu.Unlock()
	return c.lease, nil
}

func (w *fzWorld) Active(_ context.Context, ids []int64) (map[int64]bool, error) {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m, nil
}

// LookupNetIP is the fake DNS: a few names, one of them internal and one
// rebinding, everything else unknown.
func (w *fzWorld) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch strings.ToLower(strings.TrimSuffix(host, ".")) {
	case "example.com", "www.example.com":
		return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("2606:2800:220:1:248:1893:25c8:1946")}, nil
	case "internal.test":
		return []netip.Addr{netip.MustParseAddr("10.1.2.3")}, nil
	case "rebind.test":
		return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("127.0.0.1")}, nil
	case "empty.test":
		return nil, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// dial stands in for every outgoing TCP connection. The front may reach a
// rental's upstream only for its authenticated user, and a destination
// only for an authenticated direct rental and only at a public address it
// checked; port 1 refuses, as a closed port would.
func (w *fzWorld) dial(_ context.Context, _ *net.Dialer, address string) (net.Conn, error) {
	w.mu.Lock()
	w.dials = append(w.dials, address)
	authed := func(u string) bool { return w.authed[u] }
	okAlice, okBob, okDave := authed("alice"), authed("bob"), authed("dave")
	w.mu.Unlock()
	switch address {
	case fzHTTPUpstream:
		if !okBob {
			w.violation("dialled bob's upstream without his credentials")
		}
	case fzSOCKSUpstream:
		if !okDave {
			w.violation("dialled dave's upstream without his credentials")
		}
	default:
		// The port is the client's text (CONNECT host:port): a real
		// dialler refuses one that is not a number from 1 to 65535.
		host, port, err := net.SplitHostPort(address)
		ip, ierr := netip.ParseAddr(host)
		switch {
		case err != nil || ierr != nil:
			w.violation("dialled %q, not a checked address", address)
		case !okAlice:
			w.violation("dialled %s without a direct rental's credentials", address)
		case netguard.ForbiddenAddr(ip.Unmap()) != "":
			w.violation("dialled the non-public %s", address)
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "invalid port", Addr: address}}
		} else if n == 1 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		}
	}
	front, back := net.Pipe()
	go w.peer(address, back)
	return front, nil
}

// peer plays the far end of a dialled pipe: an upstream proxy's handshake
// where there is one, then an origin that answers fzAnswer and hangs up.
func (w *fzWorld) peer(address string, c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(fzDeadline)) //nolint:errcheck // a pipe
	br := bufio.NewReader(c)
	switch address {
	case fzHTTPUpstream:
		req, err := http.ReadRequest(br)
		if errors.Is(err, io.EOF) {
			return // hung up before asking anything
		}
		if err != nil {
			w.violation("bob's upstream got no valid CONNECT: %v", err)
			return
		}
		host, _, err := net.SplitHostPort(req.Host)
		ip, perr := netip.ParseAddr(host)
		if req.Method != http.MethodConnect || err != nil || perr != nil || netguard.ForbiddenAddr(ip.Unmap()) != "" {
			w.violation("bob's upstream was asked %s %q, not a checked public address", req.Method, req.Host)
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			return
		}
	case fzSOCKSUpstream:
		if !w.socksUpstream(br, c) {
			return
		}
	}
	go io.Copy(io.Discard, br)  //nolint:errcheck // ends when c closes
	io.WriteString(c, fzAnswer) //nolint:errcheck // the front may be gone
}

// socksUpstream answers a SOCKS5 greeting and CONNECT, checking that an IP
// destination is public (a name is allowed: dave's upstream resolves).
func (w *fzWorld) socksUpstream(br *bufio.Reader, c net.Conn) bool {
	var hdr [2]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		// Hanging up first is allowed: x/net/proxy dials before it checks
		// the destination, and gives up on a name it cannot send (one
		// with a ']').
		return false
	}
	if hdr[0] != 5 {
		w.violation("dave's upstream got %q, not a SOCKS5 greeting", hdr[:])
		return false
	}
	if _, err := io.ReadFull(br, make([]byte, hdr[1])); err != nil {
		return false
	}
	if _, err := c.Write([]byte{5, 0}); err != nil {
		return false
	}
	var req [4]byte
	if _, err := io.ReadFull(br, req[:]); err != nil {
		return false
	}
	var n int
	switch req[3] {
	case 1:
		n = 4
	case 4:
		n = 16
	case 3:
		l, err := br.ReadByte()
		if err != nil {
			return false
		}
		n = int(l)
	}
	addr := make([]byte, n+2)
	if _, err := io.ReadFull(br, addr); err != nil {
		return false
	}
	if req[3] != 3 {
		ip, _ := netip.AddrFromSlice(addr[:n])
		if netguard.ForbiddenAddr(ip.Unmap()) != "" {
			w.violation("dave's upstream was asked for the non-public %s", ip)
		}
	}
	_, err := c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	return err == nil
}

// fzLog records what the front logs at error level, and any panic that
// net/http recovered in a handler.
type fzLog struct{ w *fzWorld }

func (h fzLog) Enabled(context.Context, slog.Level) bool { return true }
func (h fzLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h fzLog) WithGroup(string) slog.Handler            { return h }
func (h fzLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError || strings.Contains(r.Message, "panic") {
		h.w.mu.Lock()
		h.w.logging = append(h.w.logging, r.Message)
		h.w.mu.Unlock()
	}
	return nil
}

// newFuzzFront starts a front with the fake world on a loopback listener
// served by serve (ServeSOCKS or ServeHTTPProxy).
func newFuzzFront(f *testing.F, serve func(*Front, net.Listener) error) (*Front, *fzWorld, string) {
	w := &fzWorld{}
	w.reset()
	fr := New(w, Options{Resolver: w, DialTimeout: 5 * time.Second, IdleTimeout: time.Minute}, slog.New(fzLog{w}), nil)
	fr.dialTCP = w.dial
	ln, err := Listen(context.Background(), "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(fr, ln) }()
	f.Cleanup(func() {
		fr.Close()
		if err := <-done; !errors.Is(err, ErrClosed) {
			f.Errorf("serve: %v", err)
		}
	})
	return fr, w, ln.Addr().String()
}

// fuzzConn sends input as the whole client side of one connection, then
// checks that the front answered and closed in time, released every tunnel,
// and kept to the world's rules. It returns what the front sent.
func fuzzConn(t *testing.T, fr *Front, w *fzWorld, addr string, input []byte) []byte {
	c, err := net.DialTimeout("tcp", addr, fzDeadline)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(fzDeadline)) //nolint:errcheck // a fresh socket
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		c.Write(input)                //nolint:errcheck // the front may close first
		c.(*net.TCPConn).CloseWrite() //nolint:errcheck // likewise
	}()
	out, err := io.ReadAll(io.LimitReader(c, 1<<20))
	<-sent
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the front did not close the connection within %v of the client's last byte; it sent %q", fzDeadline, out)
	}
	// The far ends close asynchronously: wait for the front to release
	// every tunnel.
	deadline := time.Now().Add(fzDeadline)
	for {
		fr.mu.Lock()
		open := 0
		for _, r := range fr.rentals {
			open += len(r.tunnels)
		}
		fr.mu.Unlock()
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tunnels still open %v after the client left", open, fzDeadline)
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("sent %q\nanswer %q", input, out)
	wrong, logging := w.reset()
	if len(wrong) > 0 {
		t.Fatalf("rules broken: %s", strings.Join(wrong, "; "))
	}
	for _, m := range logging {
		if strings.Contains(m, "panic") {
			t.Fatalf("the front logged a panic: %s", m)
		}
	}
	return out
}

// socksHello is a SOCKS5 greeting offering username/password, and the
// RFC 1929 sub-negotiation for user and pass.
func socksHello(user, pass string) []byte {
	b := []byte{5, 1, 2, 1, byte(len(user))}
	b = append(b, user...)
	b = append(b, byte(len(pass)))
	return append(b, pass...)
}

// socksConnectTo is a CONNECT request to a name (atyp 3) or an address.
func socksConnectTo(host string, port uint16) []byte {
	b := []byte{5, 1, 0}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is4() {
		b = append(append(b, 1), ip.AsSlice()...)
	} else if err == nil {
		b = append(append(b, 4), ip.AsSlice()...)
	} else {
		b = append(append(b, 3, byte(len(host))), host...)
	}
	return append(b, byte(port>>8), byte(port))
}

func socksSeeds() [][]byte {
	cat := func(ps ...[]byte) []byte { return bytes.Join(ps, nil) }
	get := []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	return [][]byte{
		cat(socksHello("alice", "secret"), socksConnectTo("example.com", 80), get),
		cat(socksHello("alice", "secret"), socksConnectTo("93.184.216.34", 443), []byte("\x16\x03\x01\x00\x05hello")),
		cat(socksHello("alice", "secret"), socksConnectTo("2606:2800:220:1:248:1893:25c8:1946", 80), get),
		cat(socksHello("alice", "secret"), socksConnectTo("127.0.0.1", 22)),
		cat(socksHello("alice", "secret"), socksConnectTo("::ffff:10.0.0.1", 80)),
		cat(socksHello("alice", "secret"), socksConnectTo("internal.test", 80)),
		cat(socksHello("alice", "secret"), socksConnectTo("rebind.test", 80)),
		cat(socksHello("alice", "secret"), socksConnectTo("nowhere.test", 80)),
		cat(socksHello("alice", "secret"), socksConnectTo("93.184.216.34", 1)),
		cat(socksHello("alice", "secret"), socksConnectTo("0x7f.1", 80)),
		cat(socksHello("bob", "hunter2"), socksConnectTo("example.com", 443), get),
		cat(socksHello("dave", "pw"), socksConnectTo("example.com", 80), get),
		cat(socksHello("dave", "pw"), socksConnectTo("8.8.8.8", 53)),
		cat(socksHello("carol", "x"), socksConnectTo("example.com", 80)),
		cat(socksHello("alice", "wrong"), socksConnectTo("example.com", 80)),
		cat(socksHello("alice", "secret"), []byte{5, 2, 0, 1, 93, 184, 216, 34, 0, 80}), // BIND
		cat(socksHello("alice", "secret"), []byte{5, 3, 0, 1, 0, 0, 0, 0, 0, 0}),        // UDP ASSOCIATE
		cat(socksHello("alice", "secret"), []byte{5, 1, 0, 9, 1, 2}),                    // unknown address type
		{5, 1, 0}, // no authentication only
		{5, 0},
		{5, 2, 0, 2, 1, 0, 0},
		{4, 1, 0, 80, 93, 184, 216, 34, 'u', 0}, // SOCKS4
		socksHello("alice", "secret")[:7],
		{},
	}
}

// FuzzSOCKS5Handshake: whatever a client sends to the SOCKS5 listener, the
// front never panics, answers and closes within fzDeadline of the client's
// last byte, releases every tunnel, never resolves or dials anything real,
// dials a destination only for valid credentials and only at a public
// address it checked, and reaches an upstream only for its rental.
func FuzzSOCKS5Handshake(f *testing.F) {
	for _, s := range socksSeeds() {
		f.Add(s)
	}
	fr, w, addr := newFuzzFront(f, (*Front).ServeSOCKS)
	f.Fuzz(func(t *testing.T, input []byte) {
		out := fuzzConn(t, fr, w, addr, input)
		if len(out) > 0 && out[0] != 5 {
			t.Fatalf("answer %q does not start with the SOCKS version", out)
		}
	})
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func httpProxySeeds() []string {
	alice, bob, dave := basic("alice", "secret"), basic("bob", "hunter2"), basic("dave", "pw")
	connect := func(target, auth string) string {
		s := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
		if auth != "" {
			s += "Proxy-Authorization: " + auth + "\r\n"
		}
		return s + "\r\n"
	}
	get := func(url, auth string) string {
		return "GET " + url + " HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: " + auth + "\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"
	}
	return []string{
		connect("example.com:443", alice) + "\x16\x03\x01\x00\x05hello",
		connect("93.184.216.34:80", alice) + "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
		connect("[2606:2800:220:1:248:1893:25c8:1946]:443", alice),
		connect("example.com:443", "") + connect("example.com:443", alice), // 407, then the credentials
		connect("127.0.0.1:22", alice),
		connect("[::1]:80", alice),
		connect("internal.test:80", alice),
		connect("rebind.test:443", alice),
		connect("empty.test:443", alice),
		connect("93.184.216.34:1", alice),
		connect("example.com", alice),
		connect("example.com:443", basic("alice", "nope")),
		connect("example.com:443", bob),
		connect("example.com:443", dave),
		connect("example.com:443", basic("carol", "x")),
		get("http://example.com/", alice),
		get("http://example.com:8080/path?q=1", bob),
		get("http://10.0.0.1/admin", alice),
		get("https://example.com/", alice),
		get("http://example.com/", ""),
		"POST http://example.com/form HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: " + alice +
			"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2",
		"POST http://example.com/up HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: " + alice +
			"\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"CONNECT \r\n\r\n",
		"CONNECT example.com:443 HTTP/1.0\r\nProxy-Authorization: " + alice + "\r\nConnection: close\r\n\r\n",
		"CONNECT",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
	}
}

// FuzzHTTPProxyHandshake: whatever a client sends to the HTTP proxy
// listener, the front never panics (net/http's recovered panics included),
// answers in HTTP and closes within fzDeadline of the client's last byte,
// never answers 500, releases every tunnel, and dials as for SOCKS5.
func FuzzHTTPProxyHandshake(f *testing.F) {
	for _, s := range httpProxySeeds() {
		f.Add([]byte(s))
	}
	fr, w, addr := newFuzzFront(f, (*Front).ServeHTTPProxy)
	f.Fuzz(func(t *testing.T, input []byte) {
		out := fuzzConn(t, fr, w, addr, input)
		if len(out) > 0 && !bytes.HasPrefix(out, []byte("HTTP/1.")) {
			t.Fatalf("answer %q is not HTTP", out)
		}
		if bytes.HasPrefix(out, []byte("HTTP/1.1 500")) {
			t.Fatalf("internal error: %q", out)
		}
	})
}
