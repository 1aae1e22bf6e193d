// Package netguard tells which addresses mdnhub must not connect to on a
// customer's behalf (callback targets, proxy destinations): every address
// that is not public unicast on the internet. That is loopback, private,
// shared (CGNAT), link-local, multicast, unspecified and broadcast
// addresses, where internal services live, and every other block of the
// IANA special-purpose address registries for IPv4 and IPv6 (documentation,
// benchmarking, protocol assignments, reserved space), including the
// IPv4-mapped, NAT64 and 6to4 forms of IPv4 addresses.
//
// It is the one classifier of the project: the callback client and the
// proxy front both ask it, so a range added here is refused by both.
package netguard

import (
	"net"
	"net/netip"
)

// block is a refused address range and the reason given for it.
type block struct {
	prefix netip.Prefix
	why    string
}

func blocks(list ...string) []block {
	out := make([]block, 0, len(list)/2)
	for i := 0; i < len(list); i += 2 {
		out = append(out, block{netip.MustParsePrefix(list[i]), list[i+1]})
	}
	return out
}

// Reasons, as Forbidden returns them.
const (
	Loopback      = "loopback"
	Private       = "private"
	Shared        = "shared address space (CGNAT)"
	LinkLocal     = "link-local"
	Multicast     = "multicast"
	Unspecified   = "unspecified"
	Broadcast     = "broadcast"
	Documentation = "documentation"
	Benchmarking  = "benchmarking"
	Protocol      = "IETF protocol assignment"
	Anycast       = "special-purpose anycast"
	Reserved      = "reserved"
	Translation   = "local-use translation"
	Discard       = "discard-only"
	SiteLocal     = "site-local"
	Invalid       = "invalid"
)

// v4Blocks are the refused IPv4 ranges, the first match giving the reason:
// the IANA IPv4 Special-Purpose Address Registry (RFC 6890 and its updates)
// in full, multicast, and the deprecated 6to4 relay anycast block.
//
// The registry calls a few of its blocks globally reachable; they are
// refused all the same: 192.0.0.9 (PCP) and 192.0.0.10 (TURN) inside
// 192.0.0.0/24, AMT and AS112 are anycast services answered by the nearest
// instance, which may be inside the operator's or its ISP's network, and no
// customer needs them through a TCP proxy or as a callback target.
var v4Blocks = blocks(
	"0.0.0.0/8", Unspecified, // "this network"; Linux connects 0.0.0.0 to the local host
	"10.0.0.0/8", Private,
	"100.64.0.0/10", Shared, // RFC 6598: the ISP's side of a carrier-grade NAT
	"127.0.0.0/8", Loopback,
	"169.254.0.0/16", LinkLocal, // cloud metadata services live here
	"172.16.0.0/12", Private,
	"192.0.0.0/24", Protocol, // RFC 6890: DS-Lite, dummy, PCP, TURN, NAT64 discovery
	"192.0.2.0/24", Documentation, // TEST-NET-1
	"192.31.196.0/24", Anycast, // AS112-v4
	"192.52.193.0/24", Anycast, // AMT
	"192.88.99.0/24", Anycast, // 6to4 relay anycast, deprecated (RFC 7526)
	"192.168.0.0/16", Private,
	"192.175.48.0/24", Anycast, // AS112 direct delegation
	"198.18.0.0/15", Benchmarking, // RFC 2544
	"198.51.100.0/24", Documentation, // TEST-NET-2
	"203.0.113.0/24", Documentation, // TEST-NET-3
	"224.0.0.0/24", LinkLocal, // local network control multicast
	"224.0.0.0/4", Multicast,
	"255.255.255.255/32", Broadcast,
	"240.0.0.0/4", Reserved, // former class E
)

// Forms of IPv6 address that carry an IPv4 address: they are judged by
// that address.
var (
	mapped    = netip.MustParsePrefix("::ffff:0:0/96") // IPv4-mapped (RFC 4291)
	nat64     = netip.MustParsePrefix("64:ff9b::/96")  // NAT64 well-known prefix (RFC 6052)
	sixToFour = netip.MustParsePrefix("2002::/16")     // 6to4 (RFC 3056): the IPv4 address in bits 16-47
	global6   = netip.MustParsePrefix("2000::/3")      // the only IPv6 space allocated for global unicast
)

// v6Blocks are the refused IPv6 ranges besides the forms above, the first
// match giving the reason: the IANA IPv6 Special-Purpose Address Registry
// in full, multicast, deprecated site-local, and everything outside
// 2000::/3, which IANA has not allocated for global unicast.
//
// As for IPv4, the registry's globally reachable anycast and identifier
// blocks inside 2001::/23 (PCP, TURN and DNS-SD anycast, AMT, AS112,
// ORCHIDv2, DRIP) are refused too, and so is Teredo (2001::/32), which
// tunnels through relays to an IPv4 address it hides.
var v6Blocks = blocks(
	"::/128", Unspecified,
	"::1/128", Loopback,
	"::/96", Reserved, // IPv4-compatible, deprecated (RFC 4291)
	"::ffff:0:0:0/96", Reserved, // IPv4-translated (RFC 2765)
	"64:ff9b:1::/48", Translation, // RFC 8215
	"100::/64", Discard, // RFC 6666
	"2001::/23", Protocol, // Teredo, benchmarking, ORCHID, AMT, AS112 and the rest
	"2001:db8::/32", Documentation,
	"2620:4f:8000::/48", Anycast, // AS112 direct delegation
	"3fff::/20", Documentation, // RFC 9637
	"fc00::/7", Private, // unique local
	"fe80::/10", LinkLocal,
	"fec0::/10", SiteLocal, // deprecated (RFC 3879), may still route internally
	"ff00::/8", Multicast,
)

// Forbidden reports why ip is not a public destination, or "" when it is.
func Forbidden(ip net.IP) string {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return Invalid
	}
	return ForbiddenAddr(a)
}

// ForbiddenAddr is Forbidden for a netip.Addr. IPv4 addresses inside
// IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are
// judged as themselves, so ::ffff:10.0.0.1 is private and
// 64:ff9b::808:808 is public like 8.8.8.8.
func ForbiddenAddr(ip netip.Addr) string {
	if !ip.IsValid() {
		return Invalid
	}
	ip = ip.WithZone("")
	if ip.Is6() {
		switch {
		case mapped.Contains(ip), nat64.Contains(ip):
			b := ip.As16()
			ip = netip.AddrFrom4([4]byte(b[12:]))
		case sixToFour.Contains(ip):
			b := ip.As16()
			ip = netip.AddrFrom4([4]byte(b[2:6]))
		default:
			if ip.IsLinkLocalMulticast() {
				return LinkLocal
			}
			for _, b := range v6Blocks {
				if b.prefix.Contains(ip) {
					return b.why
				}
			}
			if !global6.Contains(ip) {
				return Reserved
			}
			return ""
		}
	}
	for _, b := range v4Blocks {
		if b.prefix.Contains(ip) {
			return b.why
		}
	}
	return ""
}
