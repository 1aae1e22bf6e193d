package front

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/proxy"
)

// errBadUpstream reports a Lease.Upstream the front cannot use: the
// operator's configuration, not the client, is at fault.
var errBadUpstream = errors.New("invalid upstream")

type upstreamKind int

const (
	kindDirect upstreamKind = iota
	kindSOCKS5
	kindHTTP
)

// upstream is a parsed Lease.Upstream.
type upstream struct {
	kind       upstreamKind
	addr       string // the upstream proxy's host:port
	user, pass string
	auth       bool
	local      *net.TCPAddr // direct: the source address, if any
	// names: destination host names go to the upstream proxy unresolved,
	// for its own DNS to answer (socks5h://, or ?resolve=upstream), and
	// only IP literals and localhost names are guarded. Otherwise the front
	// resolves names itself and hands the upstream a checked address.
	names bool
}

// CheckUpstream reports whether s is an upstream the front can use (see
// Lease.Upstream); the error never quotes s, which may hold a password.
func CheckUpstream(s string) error {
	_, err := parseUpstream(s)
	return err
}

// parseUpstream reads socks5://[user:pass@]host:port,
// socks5h://[user:pass@]host:port, http://[user:pass@]host:port (the
// proxied ones with an optional ?resolve=local or ?resolve=upstream),
// direct, or direct://<local IP>.
func parseUpstream(s string) (upstream, error) {
	if s == "direct" {
		return upstream{kind: kindDirect}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return upstream{}, fmt.Errorf("%w: not a URL", errBadUpstream)
	}
	if (u.Path != "" && u.Path != "/") || u.Fragment != "" || u.Opaque != "" {
		return upstream{}, fmt.Errorf("%w: unexpected path", errBadUpstream)
	}
	switch u.Scheme {
	case "direct":
		ip := net.ParseIP(u.Hostname())
		if ip == nil || u.Port() != "" || u.User != nil || u.RawQuery != "" {
			return upstream{}, fmt.Errorf("%w: want direct://<local IP>", errBadUpstream)
		}
		return upstream{kind: kindDirect, local: &net.TCPAddr{IP: ip}}, nil
	case "socks5", "socks5h":
		return proxyUpstream(kindSOCKS5, u)
	case "http":
		return proxyUpstream(kindHTTP, u)
	}
	// Never echo the string: it may hold the upstream's password.
	return upstream{}, fmt.Errorf("%w: unknown scheme %q", errBadUpstream, u.Scheme)
}

func proxyUpstream(kind upstreamKind, u *url.URL) (upstream, error) {
	port, err := strconv.Atoi(u.Port())
	if u.Hostname() == "" || err != nil || port < 1 || port > 65535 {
		return upstream{}, fmt.Errorf("%w: want %s://host:port", errBadUpstream, u.Scheme)
	}
	up := upstream{kind: kind, addr: net.JoinHostPort(u.Hostname(), u.Port())}
	if up.names, err = resolveOption(u); err != nil {
		return upstream{}, err
	}
	if u.User != nil {
		up.user = u.User.Username()
		up.pass, _ = u.User.Password()
		up.auth = true
	}
	return up, nil
}

// resolveOption reads who resolves destination names for a proxied
// upstream: the front ("local", the default) or the upstream ("upstream",
// also what the socks5h scheme says, as in curl).
func resolveOption(u *url.URL) (names bool, err error) {
	names = u.Scheme == "socks5h"
	if u.RawQuery == "" {
		return names, nil
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return false, fmt.Errorf("%w: bad options", errBadUpstream)
	}
	for k, v := range q {
		if k != "resolve" || len(v) != 1 {
			return false, fmt.Errorf("%w: the only option is resolve=local or resolve=upstream", errBadUpstream)
		}
		switch {
		case v[0] == "upstream":
			names = true
		case v[0] == "local" && u.Scheme != "socks5h":
			names = false
		default:
			return false, fmt.Errorf("%w: the only option is resolve=local or resolve=upstream (socks5h: upstream only)", errBadUpstream)
		}
	}
	return names, nil
}

// dial connects to dst, port through up. For an HTTP upstream, prefix
// holds bytes the upstream sent right after its CONNECT answer, which
// belong to the client.
func (f *Front) dial(ctx context.Context, up upstream, dst destination, port string) (c net.Conn, prefix []byte, err error) {
	switch up.kind {
	case kindSOCKS5:
		c, err = f.dialSOCKS5(ctx, up, net.JoinHostPort(dst.upstreamHost(), port))
		return c, nil, err
	case kindHTTP:
		return f.dialHTTP(ctx, up, net.JoinHostPort(dst.upstreamHost(), port))
	default:
		c, err = f.dialDirect(ctx, up, dst.addrs, port)
		return c, nil, err
	}
}

// dialDirect connects from this host to the first of addrs that answers,
// each given a share of the time left, as net.Dialer does with the
// addresses of a name. Only addresses of the source address's family are
// tried. Unless private destinations are allowed, this host's own
// addresses are refused, public ones included (see localAddrs).
func (f *Front) dialDirect(ctx context.Context, up upstream, addrs []netip.Addr, port string) (net.Conn, error) {
	d := newDialer()
	if up.local != nil {
		d.LocalAddr = up.local
		v4 := up.local.IP.To4() != nil
		addrs = slices.DeleteFunc(slices.Clone(addrs), func(a netip.Addr) bool { return a.Is4() != v4 })
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w of the source address's family", errNoAddress)
	}
	if !f.opt.AllowPrivate {
		d.Control = guardControl
		for _, a := range addrs {
			if f.local.has(a) {
				return nil, fmt.Errorf("%w: an address of this host", errForbidden)
			}
		}
	}
	var first error
	for i, a := range addrs {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if dl, ok := ctx.Deadline(); ok && i < len(addrs)-1 {
			share := max(time.Until(dl)/time.Duration(len(addrs)-i), 2*time.Second)
			actx, cancel = context.WithTimeout(ctx, share)
		}
		c, err := f.dialTCP(actx, d, net.JoinHostPort(a.String(), port))
		cancel()
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// newDialer returns the dialer of outgoing connections. TCP keep-alive
// is off: the idle timeout already ends tunnels whose peer vanished, and
// its four setsockopt calls per connection cost set-up rate.
func newDialer() *net.Dialer { return &net.Dialer{KeepAlive: -1} }

// rawDialer dials the upstream SOCKS5 server for x/net/proxy and keeps the
// bare TCP connection: the tunnel copies on it rather than on x/net's
// wrapper, which hides SyscallConn and so copyStream's buffer-free waits.
type rawDialer struct {
	f    *Front
	conn net.Conn
}

func (r *rawDialer) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}

func (r *rawDialer) DialContext(ctx context.Context, _, address string) (net.Conn, error) {
	c, err := r.f.dialTCP(ctx, newDialer(), address)
	r.conn = c
	return c, err
}

// dialSOCKS5 asks a SOCKS5 upstream to connect to target: a checked IP
// address, or a host name for the modem's DNS when the operator chose so.
func (f *Front) dialSOCKS5(ctx context.Context, up upstream, target string) (net.Conn, error) {
	fwd := &rawDialer{f: f}
	var auth *proxy.Auth
	if up.auth {
		auth = &proxy.Auth{User: up.user, Password: up.pass}
	}
	d, err := proxy.SOCKS5("tcp", up.addr, auth, fwd)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadUpstream, err)
	}
	if _, err := d.(proxy.ContextDialer).DialContext(ctx, "tcp", target); err != nil {
		if fwd.conn == nil || ctx.Err() != nil {
			return nil, err // the upstream itself was not reached, or we gave up
		}
		return nil, refusalFromSOCKS(err)
	}
	return fwd.conn, nil
}

// aLongTimeAgo is a deadline in the past, to abort blocked I/O at once.
var aLongTimeAgo = time.Unix(1, 0)

// dialHTTP opens a tunnel to target with CONNECT on an HTTP upstream.
func (f *Front) dialHTTP(ctx context.Context, up upstream, target string) (net.Conn, []byte, error) {
	c, err := f.dialTCP(ctx, newDialer(), up.addr)
	if err != nil {
		return nil, nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl) //nolint:errcheck // a fresh socket
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) }) //nolint:errcheck // aborting
	fail := func(err error) (net.Conn, []byte, error) {
		stop()
		c.Close() //nolint:errcheck // failed set-up
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, nil, err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n", target, target)
	if up.auth {
		cred := base64.StdEncoding.EncodeToString([]byte(up.user + ":" + up.pass))
		fmt.Fprintf(&b, "Proxy-Authorization: Basic %s\r\n", cred)
	}
	b.WriteString("\r\n")
	if _, err := c.Write([]byte(b.String())); err != nil {
		return fail(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode/100 != 2 {
		return fail(&refusal{rep: repFromStatus(resp.StatusCode), msg: "upstream CONNECT: " + resp.Status})
	}
	if !stop() {
		return fail(ctx.Err())
	}
	c.SetDeadline(time.Time{}) //nolint:errcheck // the tunnel has no deadline
	var prefix []byte
	if n := br.Buffered(); n > 0 {
		p, _ := br.Peek(n)
		prefix = append([]byte(nil), p...)
	}
	return c, prefix, nil
}
