package front

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// Resolver looks destination host names up. *net.Resolver is one; tests
// give a fake so that no real name is ever resolved.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// errNoAddress reports a destination name without a usable address (it does
// not resolve, or not to the family a direct upstream's source address
// can reach): the client is told the host is unreachable.
var errNoAddress = errors.New("no address for the destination")

// destination is where a tunnel goes: the checked addresses to connect to,
// in the order to try them, or for an upstream that resolves names itself
// the name as the client sent it.
type destination struct {
	name  string
	addrs []netip.Addr
}

// resolveDestination turns the client's host into a destination for up:
//
//   - an IP literal (any form literalAddr reads) is used as it is; the
//     guard checked it before anything else;
//   - a name for an upstream with names set (the operator's socks5:// or
//     http:// ...?resolve=upstream) passes unresolved;
//   - any other name is resolved here, with Options.Resolver. Unless
//     Options.AllowPrivate, it is refused when any of its addresses is not
//     public, and the addresses checked are the ones connected to: the name
//     is never looked up again, by this host or by an upstream, so an answer
//     that changes after the check (DNS rebinding) is never used.
func (f *Front) resolveDestination(ctx context.Context, up upstream, host string) (destination, error) {
	if ip, ok := literalAddr(host); ok {
		return destination{addrs: []netip.Addr{ip.Unmap()}}, nil
	}
	if up.kind != kindDirect && up.names {
		return destination{name: host}, nil
	}
	addrs, err := f.opt.Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return destination{}, fmt.Errorf("%w: %s: %w", errNoAddress, host, err)
	}
	if len(addrs) == 0 {
		return destination{}, fmt.Errorf("%w: %s", errNoAddress, host)
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		a = a.Unmap()
		if !f.opt.AllowPrivate {
			// One bad address refuses the name: a mix of public and
			// internal answers is how rebinding attacks hedge their bets.
			if why := forbiddenIP(a); why != "" {
				f.log.Debug("proxy destination refused", "host", host, "addresses", addrs)
				return destination{}, fmt.Errorf("%w: %s resolves to a non-public address (%s)", errForbidden, host, why)
			}
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if up.kind != kindDirect {
		// The modem gets one address: an IPv4 one when there is one, which
		// every mobile upstream can reach, IPv6 support being uncertain.
		slices.SortStableFunc(out, func(a, b netip.Addr) int {
			return boolCmp(b.Is4(), a.Is4())
		})
	}
	return destination{addrs: out}, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// upstreamHost is the host to ask an upstream proxy for: the name, or the
// first checked address (without a zone, which means nothing there).
func (d destination) upstreamHost() string {
	if d.name != "" {
		return d.name
	}
	return d.addrs[0].WithZone("").String()
}
