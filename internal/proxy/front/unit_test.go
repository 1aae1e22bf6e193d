package front

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestForbiddenHost(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1": "loopback", "127.255.0.9": "loopback", "::1": "loopback",
		"10.0.0.1": "private", "172.16.5.4": "private", "192.168.0.1": "private", "fd12::1": "private",
		"169.254.169.254": "link-local", "fe80::1": "link-local", "fe80::1%eth0": "link-local",
		"224.0.0.1": "link-local", "239.1.2.3": "multicast", "ff02::1": "link-local", "ff05::2": "multicast",
		"0.0.0.0": "unspecified", "::": "unspecified", "0.1.2.3": "unspecified",
		"255.255.255.255": "broadcast",
		"::ffff:10.1.2.3": "private", "64:ff9b::a00:1": "private",
		"localhost": "localhost", "LocalHost.": "localhost", "api.localhost": "localhost",
		"127.1": "loopback", "0x7f.0.0.1": "loopback", "2130706433": "loopback", "0177.0.0.1": "loopback",
		"012.1": "private", "0xa000001": "private",
		"8.8.8.8": "", "2001:4860::8888": "", "example.com": "", "localhost.example": "",
		"1.2.3.4.5": "", "0x": "", "1e3": "", "08.1.1.1": "", "+1": "", "1_0.0.0.1": "",
		"134744072": "", // 8.8.8.8 in one number
	}
	for host, want := range cases {
		if got := forbiddenHost(host); got != want {
			t.Errorf("forbiddenHost(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestParseLegacyIPv4(t *testing.T) {
	cases := map[string]string{
		"127.1": "127.0.0.1", "10.1.65535": "10.1.255.255", "0x7f.1": "127.0.0.1",
		"4294967295": "255.255.255.255", "1.2.3.4": "1.2.3.4",
	}
	for in, want := range cases {
		got, ok := parseLegacyIPv4(in)
		if !ok || got != netip.MustParseAddr(want) {
			t.Errorf("parseLegacyIPv4(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"4294967296", "1.256.1", "1.2.16777216", "1.2.3.256", "a.b", ""} {
		if got, ok := parseLegacyIPv4(bad); ok {
			t.Errorf("parseLegacyIPv4(%q) = %v, want failure", bad, got)
		}
	}
}

func TestGuardControl(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": false, "[::1]:443": false, "10.9.8.7:1": false, "[::ffff:192.168.1.1]:80": false,
		"93.184.216.34:80": true, "[2606:2800::1]:443": true,
	} {
		err := guardControl("tcp", addr, nil)
		if (err == nil) != ok || (err != nil && !errors.Is(err, errForbidden)) {
			t.Errorf("guardControl(%s) = %v", addr, err)
		}
	}
}

func TestParseUpstream(t *testing.T) {
	good := map[string]upstream{
		"direct":                                {kind: kindDirect},
		"direct://192.0.2.7":                    {kind: kindDirect},
		"direct://[2001:db8::1]":                {kind: kindDirect},
		"socks5://10.0.0.2:1080":                {kind: kindSOCKS5, addr: "10.0.0.2:1080"},
		"socks5h://modem:1080":                  {kind: kindSOCKS5, addr: "modem:1080", names: true},
		"socks5://modem:1080?resolve=upstream":  {kind: kindSOCKS5, addr: "modem:1080", names: true},
		"socks5://modem:1080/?resolve=local":    {kind: kindSOCKS5, addr: "modem:1080"},
		"socks5h://modem:1080?resolve=upstream": {kind: kindSOCKS5, addr: "modem:1080", names: true},
		"http://10.0.0.3:8080?resolve=upstream": {kind: kindHTTP, addr: "10.0.0.3:8080", names: true},
		"http://10.0.0.3:8080?resolve=local":    {kind: kindHTTP, addr: "10.0.0.3:8080"},
		"socks5://u:p%40ss@h:1":                 {kind: kindSOCKS5, addr: "h:1", user: "u", pass: "p@ss", auth: true},
		"http://10.0.0.3:8080":                  {kind: kindHTTP, addr: "10.0.0.3:8080"},
		"http://u:p@[::1]:3128/":                {kind: kindHTTP, addr: "[::1]:3128", user: "u", pass: "p", auth: true},
	}
	for in, want := range good {
		got, err := parseUpstream(in)
		if err != nil {
			t.Errorf("parseUpstream(%q): %v", in, err)
			continue
		}
		got.local = nil
		if got != want {
			t.Errorf("parseUpstream(%q) = %+v, want %+v", in, got, want)
		}
	}
	if up, _ := parseUpstream("direct://192.0.2.7"); up.local == nil || up.local.IP.String() != "192.0.2.7" {
		t.Errorf("direct source address: %+v", up.local)
	}
	for _, bad := range []string{
		"", "Direct", "ftp://h:21", "socks5://h", "socks5://h:0", "socks5://h:99999", "http://:80",
		"direct://host", "direct://1.2.3.4:5", "http://h:80/path", "socks5://h:1?x=1", "socks5://u:secret@h",
		"direct://1.2.3.4?resolve=upstream", "direct?resolve=upstream", "socks5h://h:1?resolve=local",
		"http://h:1?resolve=remote", "http://h:1?resolve=upstream&resolve=local", "http://h:1?resolve=upstream&x=1",
		"socks5://u:secret@h:1?resolve=%zz",
	} {
		_, err := parseUpstream(bad)
		if !errors.Is(err, errBadUpstream) {
			t.Errorf("parseUpstream(%q) = %v, want errBadUpstream", bad, err)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestProxyCredentials(t *testing.T) {
	cases := map[string][3]string{
		"Basic dXNlcjpwYXNz":   {"user", "pass", "ok"},
		"basic  dXNlcjpwOnc= ": {"user", "p:w", "ok"},
		"Bearer dXNlcjpwYXNz":  {},
		"Basic !!!":            {},
		"Basic dXNlcg==":       {}, // no colon
		"":                     {},
	}
	for h, want := range cases {
		r := &http.Request{Header: http.Header{}}
		if h != "" {
			r.Header.Set("Proxy-Authorization", h)
		}
		u, p, ok := proxyCredentials(r)
		if u != want[0] || p != want[1] || ok != (want[2] == "ok") {
			t.Errorf("%q: %q %q %v", h, u, p, ok)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.MaxConnsPerRental != 64 || o.IdleTimeout != 5*time.Minute || o.DialTimeout != 15*time.Second || o.RecheckInterval != 2*time.Second {
		t.Errorf("defaults: %+v", o)
	}
}

func TestRemoveHopHeaders(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"Connection", "Keep-Alive", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authorization", "Proxy-Anything", "X-Listed", "X-Kept"} {
		h.Set(k, "v")
	}
	h.Set("Connection", "x-listed, keep-alive")
	removeHopHeaders(h)
	if len(h) != 1 || h.Get("X-Kept") != "v" {
		t.Errorf("left %v", h)
	}
}
