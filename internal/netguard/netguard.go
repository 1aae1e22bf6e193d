// Package netguard tells which addresses mdnhub must not connect to on a
// customer's behalf (callback targets, proxy destinations): loopback,
// private, link-local, multicast, unspecified and broadcast addresses,
// where internal services live, including their IPv4-mapped and NAT64
// forms.
package netguard

import (
	"net"
	"net/netip"
)

// nat64 is the well-known NAT64 prefix (RFC 6052): an address in it
// reaches the IPv4 address in its last 32 bits.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// Forbidden reports why ip is not a public destination, or "" when it is.
func Forbidden(ip net.IP) string {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return "invalid"
	}
	return ForbiddenAddr(a)
}

// ForbiddenAddr is Forbidden for a netip.Addr.
func ForbiddenAddr(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ip.IsUnspecified(), ip.Is4() && ip.As4()[0] == 0:
		// 0.0.0.0/8 too: Linux connects 0.0.0.0 to the local host.
		return "unspecified"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	return ""
}
