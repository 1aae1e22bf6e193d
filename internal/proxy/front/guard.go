package front

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"mdnhub/internal/netguard"
)

// errForbidden refuses a destination that is not public (netguard: loopback,
// private, link-local, CGNAT, documentation, multicast and the rest), as
// written or as its name resolves, unless Options.AllowPrivate.
var errForbidden = errors.New("destination not allowed")

// forbiddenHost tells why a destination host, as the client sent it (a
// name or an IP literal), is refused before anything is looked up or
// dialled, or "" if it may be tried: IP literals in any form an upstream's
// resolver might read as one, and localhost names. Other names are checked
// once resolved (resolveDestination), or pass unresolved to an upstream
// the operator told to resolve them.
func forbiddenHost(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return "localhost"
	}
	if ip, ok := literalAddr(host); ok {
		return forbiddenIP(ip)
	}
	return ""
}

// literalAddr reads host as an IP address: the standard forms (an IPv6
// zone kept), the numeric forms inet_aton(3) accepts, and either with a
// trailing dot.
func literalAddr(host string) (netip.Addr, bool) {
	h := strings.TrimSuffix(host, ".")
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip, true
	}
	return parseLegacyIPv4(h)
}

// forbiddenIP tells why ip is refused, or "".
func forbiddenIP(ip netip.Addr) string { return netguard.ForbiddenAddr(ip) }

// parseLegacyIPv4 reads the numeric forms inet_aton(3) accepts besides
// dotted quads ("127.1", "0x7f000001", "2130706433", "0177.0.0.1"): an
// upstream's resolver may honour them, so they must not pass as names.
func parseLegacyIPv4(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var n uint64
	for i, p := range parts {
		v, ok := parseAtonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if v > 255 {
				return netip.Addr{}, false
			}
			n |= v << (24 - 8*i)
			continue
		}
		// The last part fills all the bytes left.
		if v >= 1<<(8*(4-i)) {
			return netip.Addr{}, false
		}
		n |= v
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

// parseAtonPart reads one part in inet_aton's bases: 0x hex, 0 octal,
// else decimal.
func parseAtonPart(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseUint(p, base, 32)
	return v, err == nil
}

// guardControl is the net.Dialer.Control of direct upstreams: it refuses
// the address actually being connected to. The front dials only addresses
// it checked already; this is the second lock on the same door.
func guardControl(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", errForbidden, address)
	}
	if why := forbiddenIP(ip); why != "" {
		return fmt.Errorf("%w: %s is %s", errForbidden, host, why)
	}
	return nil
}

// checkDestination applies the guard to a destination host before any
// dial, unless private destinations are allowed.
func (f *Front) checkDestination(host string) error {
	if f.opt.AllowPrivate {
		return nil
	}
	if why := forbiddenHost(host); why != "" {
		return fmt.Errorf("%w: %s is %s", errForbidden, host, why)
	}
	return nil
}
