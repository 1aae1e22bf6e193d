// Package netguard tells which addresses mdnhub must not connect to on a
// customer's behalf (callback targets, proxy destinations): loopback,
// private, link-local, multicast and unspecified addresses, where internal
// services live.
package netguard

import "net"

// Forbidden reports why ip is not a public destination, or "" when it is.
func Forbidden(ip net.IP) string {
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ip.IsUnspecified():
		return "unspecified"
	}
	return ""
}
