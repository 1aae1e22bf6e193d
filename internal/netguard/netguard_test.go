package netguard

import (
	"net"
	"net/netip"
	"strings"
	"testing"
)

const (
	v6max64 = ":ffff:ffff:ffff:ffff" // the low 64 bits all ones
)

// TestRanges checks every refused range: addresses inside it, its first and
// last address, and the addresses just outside it on either side (public,
// or the neighbouring range's reason).
func TestRanges(t *testing.T) {
	ranges := []struct {
		name  string
		cases map[string]string
	}{
		{"0.0.0.0/8", map[string]string{"0.0.0.0": Unspecified, "0.1.2.3": Unspecified, "0.255.255.255": Unspecified, "1.0.0.0": ""}},
		{"10.0.0.0/8", map[string]string{"9.255.255.255": "", "10.0.0.0": Private, "10.1.2.3": Private, "10.255.255.255": Private, "11.0.0.0": ""}},
		{"100.64.0.0/10", map[string]string{"100.63.255.255": "", "100.64.0.0": Shared, "100.100.100.200": Shared, "100.127.255.255": Shared, "100.128.0.0": ""}},
		{"127.0.0.0/8", map[string]string{"126.255.255.255": "", "127.0.0.0": Loopback, "127.0.0.1": Loopback, "127.255.255.255": Loopback, "128.0.0.0": ""}},
		{"169.254.0.0/16", map[string]string{"169.253.255.255": "", "169.254.0.0": LinkLocal, "169.254.169.254": LinkLocal, "169.254.255.255": LinkLocal, "169.255.0.0": ""}},
		{"172.16.0.0/12", map[string]string{"172.15.255.255": "", "172.16.0.0": Private, "172.20.1.1": Private, "172.31.255.255": Private, "172.32.0.0": ""}},
		{"192.0.0.0/24", map[string]string{"191.255.255.255": "", "192.0.0.0": Protocol, "192.0.0.8": Protocol, "192.0.0.9": Protocol, "192.0.0.170": Protocol, "192.0.0.255": Protocol, "192.0.1.0": ""}},
		{"192.0.2.0/24", map[string]string{"192.0.1.255": "", "192.0.2.0": Documentation, "192.0.2.7": Documentation, "192.0.2.255": Documentation, "192.0.3.0": ""}},
		{"192.31.196.0/24", map[string]string{"192.31.195.255": "", "192.31.196.0": Anycast, "192.31.196.255": Anycast, "192.31.197.0": ""}},
		{"192.52.193.0/24", map[string]string{"192.52.192.255": "", "192.52.193.0": Anycast, "192.52.193.255": Anycast, "192.52.194.0": ""}},
		{"192.88.99.0/24", map[string]string{"192.88.98.255": "", "192.88.99.0": Anycast, "192.88.99.1": Anycast, "192.88.99.255": Anycast, "192.88.100.0": ""}},
		{"192.168.0.0/16", map[string]string{"192.167.255.255": "", "192.168.0.0": Private, "192.168.1.1": Private, "192.168.255.255": Private, "192.169.0.0": ""}},
		{"192.175.48.0/24", map[string]string{"192.175.47.255": "", "192.175.48.0": Anycast, "192.175.48.255": Anycast, "192.175.49.0": ""}},
		{"198.18.0.0/15", map[string]string{"198.17.255.255": "", "198.18.0.0": Benchmarking, "198.19.7.7": Benchmarking, "198.19.255.255": Benchmarking, "198.20.0.0": ""}},
		{"198.51.100.0/24", map[string]string{"198.51.99.255": "", "198.51.100.0": Documentation, "198.51.100.42": Documentation, "198.51.100.255": Documentation, "198.51.101.0": ""}},
		{"203.0.113.0/24", map[string]string{"203.0.112.255": "", "203.0.113.0": Documentation, "203.0.113.7": Documentation, "203.0.113.255": Documentation, "203.0.114.0": ""}},
		{"224.0.0.0/24", map[string]string{"223.255.255.255": "", "224.0.0.0": LinkLocal, "224.0.0.251": LinkLocal, "224.0.0.255": LinkLocal, "224.0.1.0": Multicast}},
		{"224.0.0.0/4", map[string]string{"224.0.1.0": Multicast, "232.1.2.3": Multicast, "239.255.255.255": Multicast, "240.0.0.0": Reserved}},
		{"240.0.0.0/4", map[string]string{"239.255.255.255": Multicast, "240.0.0.0": Reserved, "250.1.2.3": Reserved, "255.255.255.254": Reserved}},
		{"255.255.255.255/32", map[string]string{"255.255.255.254": Reserved, "255.255.255.255": Broadcast}},

		{"::/128", map[string]string{"::": Unspecified, "::1": Loopback, "::2": Reserved}},
		{"::1/128", map[string]string{"::": Unspecified, "::1": Loopback, "::2": Reserved}},
		{"::/96 (IPv4-compatible)", map[string]string{"::2": Reserved, "::a00:1": Reserved, "::808:808": Reserved, "::ffff:ffff": Reserved, "::1:0:0": Reserved}},
		{"::ffff:0:0/96 (mapped)", map[string]string{
			"::fffe:ffff:ffff": Reserved, "::ffff:0.0.0.0": Unspecified, "::ffff:10.1.2.3": Private, "::ffff:100.64.0.1": Shared,
			"::ffff:127.0.0.1": Loopback, "::ffff:192.0.0.1": Protocol, "::ffff:198.18.0.1": Benchmarking, "::ffff:8.8.8.8": "",
			"::ffff:255.255.255.255": Broadcast, "::1:0:0:0": Reserved,
		}},
		{"::ffff:0:0:0/96 (IPv4-translated)", map[string]string{"::ffff:0:0:0": Reserved, "::ffff:0:808:808": Reserved, "::ffff:0:ffff:ffff": Reserved}},
		{"64:ff9b::/96 (NAT64)", map[string]string{
			"64:ff9a:ffff:ffff" + v6max64: Reserved, "64:ff9b::": Unspecified, "64:ff9b::a00:1": Private, "64:ff9b::7f00:1": Loopback,
			"64:ff9b::6440:1": Shared, "64:ff9b::c000:201": Documentation, "64:ff9b::808:808": "", "64:ff9b::ffff:ffff": Broadcast,
			"64:ff9b::1:0:0": Reserved,
		}},
		{"64:ff9b:1::/48", map[string]string{"64:ff9b:1::": Translation, "64:ff9b:1::808:808": Translation, "64:ff9b:1:ffff" + v6max64: Translation, "64:ff9b:2::": Reserved}},
		{"100::/64", map[string]string{"ff:ffff:ffff:ffff" + v6max64: Reserved, "100::": Discard, "100::1": Discard, "100::" + v6max64[1:]: Discard, "100:0:0:1::": Reserved}},
		{"2000::/3", map[string]string{"1fff:ffff:ffff:ffff" + v6max64: Reserved, "2000::": "", "2a00:1450::1": "", "3fff:ffff:ffff:ffff" + v6max64: "", "4000::": Reserved, "5f00::1": Reserved}},
		{"2001::/23", map[string]string{
			"2000:ffff:ffff:ffff" + v6max64: "", "2001::": Protocol, "2001:0:4136:e378::1": Protocol, "2001:1::1": Protocol,
			"2001:2::1": Protocol, "2001:3::1": Protocol, "2001:4:112::1": Protocol, "2001:20::1": Protocol,
			"2001:1ff:ffff:ffff" + v6max64: Protocol, "2001:200::": "",
		}},
		{"2001:db8::/32", map[string]string{"2001:db7:ffff:ffff" + v6max64: "", "2001:db8::": Documentation, "2001:db8::1": Documentation, "2001:db8:ffff:ffff" + v6max64: Documentation, "2001:db9::": ""}},
		{"2002::/16 (6to4)", map[string]string{
			"2001:ffff:ffff:ffff" + v6max64: "", "2002::": Unspecified, "2002:a00:1::": Private, "2002:7f00:1::1": Loopback,
			"2002:c612:1::": Benchmarking, "2002:808:808::1": "", "2002:ffff:ffff:ffff" + v6max64: Broadcast, "2003::": "",
		}},
		{"2620:4f:8000::/48", map[string]string{"2620:4f:7fff:ffff" + v6max64: "", "2620:4f:8000::": Anycast, "2620:4f:8000:ffff" + v6max64: Anycast, "2620:4f:8001::": ""}},
		{"3fff::/20", map[string]string{"3ffe:ffff:ffff:ffff" + v6max64: "", "3fff::": Documentation, "3fff:fff:ffff:ffff" + v6max64: Documentation, "3fff:1000::": ""}},
		{"fc00::/7", map[string]string{"fbff:ffff:ffff:ffff" + v6max64: Reserved, "fc00::": Private, "fd12:3456::1": Private, "fdff:ffff:ffff:ffff" + v6max64: Private, "fe00::": Reserved}},
		{"fe80::/10", map[string]string{"fe7f:ffff:ffff:ffff" + v6max64: Reserved, "fe80::": LinkLocal, "fe80::1%eth0": LinkLocal, "febf:ffff:ffff:ffff" + v6max64: LinkLocal, "fec0::": SiteLocal}},
		{"fec0::/10", map[string]string{"fec0::": SiteLocal, "fec0::1": SiteLocal, "feff:ffff:ffff:ffff" + v6max64: SiteLocal, "ff00::": Multicast}},
		{"ff00::/8", map[string]string{"ff00::": Multicast, "ff01::1": Multicast, "ff02::1": LinkLocal, "ff05::2": Multicast, "ff0e::1": Multicast, "ffff:ffff:ffff:ffff" + v6max64: Multicast}},
		{"public", map[string]string{"1.1.1.1": "", "8.8.8.8": "", "93.184.216.34": "", "2001:4860:4860::8888": "", "2606:4700::1111": ""}},
	}
	for _, r := range ranges {
		t.Run(r.name, func(t *testing.T) {
			for s, want := range r.cases {
				a := netip.MustParseAddr(s)
				if got := ForbiddenAddr(a); got != want {
					t.Errorf("ForbiddenAddr(%s) = %q, want %q", s, got, want)
				}
				if strings.Contains(s, "%") {
					continue // net.IP has no zone
				}
				// The net.IP form: callbacks check net.IP, 16 bytes for IPv4 too.
				if got := Forbidden(net.ParseIP(s)); got != want {
					t.Errorf("Forbidden(net.ParseIP(%s)) = %q, want %q", s, got, want)
				}
			}
		})
	}
}

// TestBlockBounds checks that each block's first and last address gets the
// block's reason, or a more specific one listed before it: the tables and
// the first-match order agree.
func TestBlockBounds(t *testing.T) {
	check := func(list []block) {
		for i, b := range list {
			for _, a := range []netip.Addr{b.prefix.Addr(), lastAddr(b.prefix)} {
				got := ForbiddenAddr(a)
				if got == "" {
					t.Errorf("%s (%s) passes", a, b.prefix)
					continue
				}
				if got == b.why {
					continue
				}
				earlier := false
				for _, e := range list[:i] {
					earlier = earlier || (e.prefix.Contains(a) && e.why == got)
				}
				if !earlier {
					t.Errorf("%s (%s): %q, want %q", a, b.prefix, got, b.why)
				}
			}
		}
	}
	check(v4Blocks)
	check(v6Blocks)
}

// lastAddr is the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestInvalid(t *testing.T) {
	if got := Forbidden(nil); got != Invalid {
		t.Errorf("Forbidden(nil) = %q", got)
	}
	if got := Forbidden(net.IP{1, 2, 3}); got != Invalid {
		t.Errorf("Forbidden(3 bytes) = %q", got)
	}
	if got := ForbiddenAddr(netip.Addr{}); got != Invalid {
		t.Errorf("ForbiddenAddr(zero) = %q", got)
	}
}
