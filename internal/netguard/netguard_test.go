package netguard

import (
	"net"
	"testing"
)

func TestForbidden(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1": "loopback", "::1": "loopback", "10.0.0.1": "private", "172.16.5.4": "private",
		"192.168.1.1": "private", "fd00::1": "private", "169.254.169.254": "link-local", "fe80::1": "link-local",
		"224.0.0.1": "link-local", "239.1.1.1": "multicast", "0.0.0.0": "unspecified", "::": "unspecified",
		"8.8.8.8": "", "2001:4860:4860::8888": "", "203.0.113.7": "",
		"::ffff:127.0.0.1": "loopback", "64:ff9b::a00:1": "private", "0.1.2.3": "unspecified", "255.255.255.255": "broadcast",
	}
	for ip, want := range cases {
		if got := Forbidden(net.ParseIP(ip)); got != want {
			t.Errorf("%s: %q, want %q", ip, got, want)
		}
	}
}
