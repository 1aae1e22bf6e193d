package front

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"testing"
)

// internalNames are names whose addresses are not all public, for the
// front's resolver and the upstreams' alike.
var internalNames = map[string][]string{
	"loopback.test":  {"127.0.0.1"},
	"private.test":   {"10.1.2.3"},
	"metadata.test":  {"169.254.169.254"},
	"cgnat.test":     {"100.64.0.1"},
	"bench.test":     {"198.18.0.1"},
	"protocol.test":  {"192.0.0.170"},
	"mapped.test":    {"::ffff:127.0.0.1"},
	"ula.test":       {"fd00::1"},
	"nat64.test":     {"64:ff9b::a00:1"},
	"mixed.test":     {"93.184.216.34", "10.0.0.1"},
	"mixed6.test":    {"2606:2800::1", "::1"},
	"reserved.test":  {"240.0.0.1"},
	"docs.test":      {"203.0.113.9"},
	"localhost.test": {"0.0.0.0"},
}

func (e *env) setNames(r *fakeResolver, names map[string][]string) {
	for name, addrs := range names {
		r.set(name, addrs...)
	}
}

// TestNamesOfInternalAddressesAreRefused: whatever the upstream, a name
// that resolves to any address that is not public is refused, on every
// listener, before anything is dialled; no upstream is contacted nor asked
// to resolve it.
func TestNamesOfInternalAddressesAreRefused(t *testing.T) {
	e := newEnv(t, Options{})
	e.setNames(e.dns, internalNames)
	// The upstreams' DNS would answer the same: the name must not reach them.
	e.setNames(e.net.dns, internalNames)
	echoPort := port(e.echo)
	for kind, up := range e.upstreams() {
		t.Run(kind, func(t *testing.T) {
			e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: up})
			for name := range internalNames {
				if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, name, echoPort); rep != 2 {
					t.Errorf("SOCKS CONNECT %s: reply %d, want 2 (not allowed by ruleset)", name, rep)
				}
				target := net.JoinHostPort(name, strconv.Itoa(echoPort))
				if _, resp := httpConnect(t, e.httpAddr, "user", "pass", target); resp.StatusCode != http.StatusForbidden {
					t.Errorf("CONNECT %s: %d, want 403", target, resp.StatusCode)
				}
				if code := plainStatus(t, e.httpAddr, "http://"+target+"/"); code != http.StatusForbidden {
					t.Errorf("GET %s: %d, want 403", target, code)
				}
			}
			if n := e.dialCount(); n != 0 {
				t.Errorf("refused names caused %d dials: %v", n, e.dials)
			}
			if asked := e.net.askedFor(); len(asked) != 0 {
				t.Errorf("upstreams were asked for %v", asked)
			}
			if asked := e.net.dns.lookups(); len(asked) != 0 {
				t.Errorf("the upstreams' DNS was asked for %v", asked)
			}
		})
	}
	if e.modemSeen.get() != 0 || e.httpSeen.get() != 0 {
		t.Errorf("upstreams connected somewhere")
	}
}

// TestCheckedAddressIsConnected: a name is resolved once, by the front,
// and what it checked is what is connected to, directly or by the
// upstream, which gets the address and not the name. A resolver that
// answers differently the second time (DNS rebinding: public for the
// check, loopback for the connection) gets no second question.
func TestCheckedAddressIsConnected(t *testing.T) {
	e := newEnv(t, Options{})
	echoPort := strconv.Itoa(port(e.echo))
	public := netip.MustParseAddr("93.184.216.34")
	e.dns.answer = func(host string, n int) []netip.Addr {
		if host != "rebind.test" {
			return nil
		}
		if n == 0 {
			return []netip.Addr{public}
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	}
	// Upstreams get an IPv4 address when the name has one.
	e.dns.set("dual.test", "2606:2800::1", "93.184.216.34")
	e.net.dns.set("rebind.test", "127.0.0.1") // what the modem's DNS would say
	e.net.dns.set("dual.test", "127.0.0.1")
	e.net.route("93.184.216.34:"+echoPort, e.echo)
	e.net.route("[2606:2800::1]:"+echoPort, e.echo)
	want := "93.184.216.34:" + echoPort

	for kind, up := range e.upstreams() {
		if kind == "direct-local" {
			continue // a loopback source address cannot reach a public one
		}
		for _, name := range []string{"rebind.test", "dual.test"} {
			t.Run(kind+"/"+name, func(t *testing.T) {
				e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: up})
				e.dns.lookups()
				e.net.askedFor()
				e.takeDials()

				c, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, name, port(e.echo))
				if rep != 0 {
					t.Fatalf("SOCKS reply %d", rep)
				}
				echoRoundTrip(t, c, "through "+kind)
				if got := e.dns.lookups(); !slices.Equal(got, []string{name}) {
					t.Errorf("front lookups %v, want one of %s", got, name)
				}
				dials := e.takeDials()
				switch kind {
				case "direct":
					// dual.test: the resolver's order, IPv6 first, whose
					// route leads to the same echo server.
					if name == "rebind.test" && !slices.Equal(dials, []string{want}) {
						t.Errorf("dialled %v, want %s", dials, want)
					}
					for _, d := range dials {
						if _, err := netip.ParseAddrPort(d); err != nil {
							t.Errorf("dialled %q, not an address", d)
						}
					}
				default:
					if got := e.net.askedFor(); !slices.Equal(got, []string{want}) {
						t.Errorf("upstream asked for %v, want %s", got, want)
					}
				}
				if asked := e.net.dns.lookups(); len(asked) != 0 {
					t.Errorf("the upstream resolved %v", asked)
				}
			})
		}
	}
}

// TestOperatorLetsUpstreamResolve: with resolve=upstream (or socks5h) a
// name goes to the upstream unresolved and the front does not look it up;
// IP literals and localhost are still refused. What the upstream's DNS
// answers is not checked: the operator's risk, shown here.
func TestOperatorLetsUpstreamResolve(t *testing.T) {
	e := newEnv(t, Options{})
	echoPort := port(e.echo)
	e.net.dns.set("modem-only.test", "93.184.216.34")
	e.net.dns.set("internal.test", "127.0.0.1")
	e.net.route(net.JoinHostPort("93.184.216.34", strconv.Itoa(echoPort)), e.echo)
	e.dns.set("internal.test", "127.0.0.1") // the front would refuse it, were it asked
	ups := map[string]string{
		"socks5?resolve=upstream": "socks5://" + e.modem + "?resolve=upstream",
		"socks5h":                 "socks5h://" + e.modem,
		"http?resolve=upstream":   "http://upuser:uppass@" + e.httpUp + "/?resolve=upstream",
	}
	for kind, up := range ups {
		t.Run(kind, func(t *testing.T) {
			e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: up})
			for _, name := range []string{"modem-only.test", "internal.test"} {
				c, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, name, echoPort)
				if rep != 0 {
					t.Fatalf("%s: SOCKS reply %d", name, rep)
				}
				echoRoundTrip(t, c, "ping")
				want := net.JoinHostPort(name, strconv.Itoa(echoPort))
				if got := e.net.askedFor(); !slices.Equal(got, []string{want}) {
					t.Errorf("upstream asked for %v, want %s", got, want)
				}
			}
			if got := e.dns.lookups(); len(got) != 0 {
				t.Errorf("the front resolved %v", got)
			}
			for _, host := range []string{"localhost", "db.localhost", "127.0.0.1", "127.1", "0x7f.1", "::1", "10.0.0.1.", "192.0.0.9"} {
				if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, host, echoPort); rep != 2 {
					t.Errorf("%s: SOCKS reply %d, want 2", host, rep)
				}
			}
			if got := e.net.askedFor(); len(got) != 0 {
				t.Errorf("refused literals reached the upstream: %v", got)
			}
		})
	}
}

// TestAllowPrivateReachesInternalNames: the operator's proxy.allow_private
// lets names of internal addresses through, on every upstream.
func TestAllowPrivateReachesInternalNames(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.dns.set("internal.test", "127.0.0.1")
	for kind, up := range e.upstreams() {
		t.Run(kind, func(t *testing.T) {
			e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: up})
			c, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, "internal.test", port(e.echo))
			if rep != 0 {
				t.Fatalf("SOCKS reply %d", rep)
			}
			echoRoundTrip(t, c, "inside")
			target := net.JoinHostPort("internal.test", strconv.Itoa(port(e.echo)))
			c, resp := httpConnect(t, e.httpAddr, "user", "pass", target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("CONNECT %d", resp.StatusCode)
			}
			echoRoundTrip(t, c, "inside")
		})
	}
}

// TestUnresolvableAndWrongFamily: a name without addresses, or only with
// addresses of the other family than a direct upstream's source address,
// is "host unreachable", and nothing is dialled.
func TestUnresolvableAndWrongFamily(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.dns.set("v6only.test", "::1")
	e.dns.set("both.test", "::1", "127.0.0.1")
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct://127.0.0.1"})
	for _, name := range []string{"nxdomain.test", "v6only.test"} {
		if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, name, port(e.echo)); rep != 4 {
			t.Errorf("%s: SOCKS reply %d, want 4 (host unreachable)", name, rep)
		}
		target := net.JoinHostPort(name, strconv.Itoa(port(e.echo)))
		if _, resp := httpConnect(t, e.httpAddr, "user", "pass", target); resp.StatusCode != http.StatusBadGateway {
			t.Errorf("%s: CONNECT %d, want 502", name, resp.StatusCode)
		}
	}
	if n := e.dialCount(); n != 0 {
		t.Errorf("dialled %v", e.dials)
	}
	// Only the IPv4 address is tried from an IPv4 source.
	c, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 3, "both.test", port(e.echo))
	if rep != 0 {
		t.Fatalf("both.test: SOCKS reply %d", rep)
	}
	echoRoundTrip(t, c, "v4")
	if want := "127.0.0.1:" + strconv.Itoa(port(e.echo)); !slices.Equal(e.takeDials(), []string{want}) {
		t.Errorf("dialled something else than %s", want)
	}
}

// TestDirectRefusesThisHostsAddresses: a direct upstream does not connect
// to an address of this host, public or not, given as an address or by a
// name; through a modem the same address is reached from outside, and
// allowed.
func TestDirectRefusesThisHostsAddresses(t *testing.T) {
	e := newEnv(t, Options{})
	e.front.local.list = func() ([]net.Addr, error) {
		return []net.Addr{
			&net.IPNet{IP: net.ParseIP("127.0.0.1"), Mask: net.CIDRMask(8, 32)},
			&net.IPNet{IP: net.ParseIP("93.184.216.40"), Mask: net.CIDRMask(24, 32)},
			&net.IPNet{IP: net.ParseIP("2606:2800::40"), Mask: net.CIDRMask(64, 128)},
		}, nil
	}
	echoPort := strconv.Itoa(port(e.echo))
	e.net.route("93.184.216.40:"+echoPort, e.echo)
	e.dns.set("self.test", "93.184.216.40")
	e.dns.set("self6.test", "2606:2800::40")
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "direct"})
	for _, d := range []struct {
		atyp byte
		host string
	}{{1, "93.184.216.40"}, {3, "93.184.216.40"}, {4, "2606:2800::40"}, {3, "self.test"}, {3, "self6.test"}} {
		if _, _, rep := socksOpen(t, e.socksAddr, "user", "pass", d.atyp, d.host, port(e.echo)); rep != 2 {
			t.Errorf("direct to %s: SOCKS reply %d, want 2", d.host, rep)
		}
		target := net.JoinHostPort(d.host, echoPort)
		if _, resp := httpConnect(t, e.httpAddr, "user", "pass", target); resp.StatusCode != http.StatusForbidden {
			t.Errorf("direct CONNECT %s: %d, want 403", target, resp.StatusCode)
		}
	}
	if dials := e.takeDials(); len(dials) != 0 {
		t.Errorf("dialled %v", dials)
	}
	e.auth.set("user", "pass", Lease{RentalID: 1, Upstream: "socks5://" + e.modem})
	c, _, rep := socksOpen(t, e.socksAddr, "user", "pass", 1, "93.184.216.40", port(e.echo))
	if rep != 0 {
		t.Fatalf("through the modem: SOCKS reply %d, want 0", rep)
	}
	echoRoundTrip(t, c, "from outside")
}
