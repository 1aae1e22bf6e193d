package front

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"

	socks5 "github.com/things-go/go-socks5"
)

// fakeResolver answers names from a table, so that no test resolves a real
// name; it records what it was asked.
type fakeResolver struct {
	mu    sync.Mutex
	names map[string][]netip.Addr
	// answer, when set and returning addresses, overrides the table: n is
	// how many times host was asked before (DNS rebinding).
	answer func(host string, n int) []netip.Addr
	asked  []string
	count  map[string]int
}

func newFakeResolver() *fakeResolver {
	return &fakeResolver{names: map[string][]netip.Addr{}, count: map[string]int{}}
}

func (r *fakeResolver) set(host string, addrs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[host] = nil
	for _, a := range addrs {
		r.names[host] = append(r.names[host], netip.MustParseAddr(a))
	}
}

func (r *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, host)
	n := r.count[host]
	r.count[host]++
	addrs := r.names[host]
	if r.answer != nil {
		if a := r.answer(host, n); a != nil {
			addrs = a
		}
	}
	var out []netip.Addr
	for _, a := range addrs {
		if network == "ip" || (network == "ip4") == a.Unmap().Is4() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

// lookups returns the names asked since the last reset, and resets.
func (r *fakeResolver) lookups() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.asked
	r.asked = nil
	clear(r.count)
	return out
}

// testNet stands in for the network beyond the front: the upstream
// proxies resolve names through their own fake resolver, addresses
// outside loopback reach only the loopback servers they are routed to,
// and nothing else is ever dialled.
type testNet struct {
	mu     sync.Mutex
	routes map[string]string // "93.184.216.34:80" → a loopback address
	dns    *fakeResolver     // the upstream proxies' DNS
	asked  []string          // destinations the upstream proxies were asked for
}

func newTestNet() *testNet {
	return &testNet{routes: map[string]string{}, dns: newFakeResolver()}
}

// route makes from (a public host:port) reach the loopback address to.
func (n *testNet) route(from, to string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.routes[from] = to
}

// routed returns where address leads: its route, or itself when it is on
// loopback; ok is false for anything else.
func (n *testNet) routed(address string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if to, ok := n.routes[address]; ok {
		return to, true
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return "", false
	}
	ip, err := netip.ParseAddr(host)
	return address, err == nil && ip.Unmap().IsLoopback()
}

var errTestUnreachable = errors.New("test network: only loopback and routed addresses are reachable")

// dial connects an upstream proxy to address, an IP:port or a name:port
// its fake DNS knows.
func (n *testNet) dial(ctx context.Context, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err != nil {
		addrs, err := n.dns.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		address = net.JoinHostPort(addrs[0].String(), port)
	}
	to, ok := n.routed(address)
	if !ok {
		return nil, errTestUnreachable
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", to)
}

// ask records a destination an upstream proxy was asked for.
func (n *testNet) ask(dest string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.asked = append(n.asked, dest)
}

// askedFor returns the destinations asked since the last call.
func (n *testNet) askedFor() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.asked
	n.asked = nil
	return out
}

// socksDNS is the modem's resolver for go-socks5: the fake one.
type socksDNS struct{ n *testNet }

func (r socksDNS) Resolve(ctx context.Context, name string) (context.Context, net.IP, error) {
	addrs, err := r.n.dns.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return ctx, nil, err
	}
	return ctx, addrs[0].AsSlice(), nil
}

// socksAsked records the modem's requests as the client wrote them.
type socksAsked struct{ n *testNet }

func (r socksAsked) Allow(ctx context.Context, req *socks5.Request) (context.Context, bool) {
	a := req.RawDestAddr
	host := a.FQDN
	if host == "" {
		host = a.IP.String()
	}
	r.n.ask(net.JoinHostPort(host, strconv.Itoa(a.Port)))
	return ctx, true
}
