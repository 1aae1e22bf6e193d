package front

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// curlPath finds curl; CI must have it (scripts install it), a developer
// machine without it skips.
func curlPath(t *testing.T) string {
	p, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl not installed")
		}
		t.Skip("curl not installed")
	}
	return p
}

// curl runs curl with a clean environment (no *_proxy variables that
// could send it around the front) and returns its output and exit code.
func curl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(curlPath(t), append([]string{"-sS", "--max-time", "10"}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// seenBy tells which upstream (modem, http proxy, or neither) carried the
// traffic of fn.
func (e *env) seenBy(fn func()) (modem, httpUp int64) {
	m0, h0 := e.modemSeen.get(), e.httpSeen.get()
	fn()
	return e.modemSeen.get() - m0, e.httpSeen.get() - h0
}

func (e *env) checkUpstream(t *testing.T, kind string, modem, httpUp int64) {
	t.Helper()
	want := map[string][2]int64{"socks5": {1, 0}, "http": {0, 1}, "direct": {0, 0}, "direct-local": {0, 0}}[kind]
	if modem != want[0] || httpUp != want[1] {
		t.Errorf("upstream %s: modem saw %d, http proxy saw %d connections, want %v", kind, modem, httpUp, want)
	}
}

func TestCurlThroughEveryUpstream(t *testing.T) {
	curlPath(t)
	e := newEnv(t, Options{AllowPrivate: true})
	socks := "user:pass@" + e.socksAddr
	httpProxy := "http://user:pass@" + e.httpAddr
	cases := []struct {
		name string
		args []string
		url  string
	}{
		{"socks5h/http", []string{"--socks5-hostname", socks}, e.origin.URL + "/"},
		{"socks5h/https", []string{"-k", "--socks5-hostname", socks}, e.tlsOrigin.URL + "/"},
		{"httpproxy/http", []string{"-x", httpProxy}, e.origin.URL + "/"},
		{"httpproxy/https", []string{"-k", "-x", httpProxy}, e.tlsOrigin.URL + "/"},
		{"httpproxy/http-tunnel", []string{"-p", "-x", httpProxy}, e.origin.URL + "/"},
	}
	for kind, up := range e.upstreams() {
		for _, c := range cases {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				e.auth.set("user", "pass", Lease{RentalID: 1, Port: "50001", Upstream: up})
				var out string
				var code int
				m, h := e.seenBy(func() { out, code = curl(t, append(c.args, c.url)...) })
				if code != 0 || out != "hello from origin" {
					t.Fatalf("curl exit %d, output %q", code, out)
				}
				e.checkUpstream(t, kind, m, h)
			})
		}
	}
}

func TestGoClientThroughEveryUpstream(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	roots := e.tlsOrigin.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	for kind, up := range e.upstreams() {
		for _, scheme := range []string{"socks5", "http"} {
			for _, origin := range []string{e.origin.URL, e.tlsOrigin.URL} {
				name := kind + "/" + scheme + "/" + strings.SplitN(origin, ":", 2)[0]
				t.Run(name, func(t *testing.T) {
					e.auth.set("user", "pass", Lease{RentalID: 2, Port: "50002", Upstream: up})
					addr := map[string]string{"socks5": e.socksAddr, "http": e.httpAddr}[scheme]
					proxyURL := &url.URL{Scheme: scheme, User: url.UserPassword("user", "pass"), Host: addr}
					tr := &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: &tls.Config{RootCAs: roots}}
					defer tr.CloseIdleConnections()
					client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
					var body []byte
					m, h := e.seenBy(func() {
						resp, err := client.Get(origin + "/bytes?n=300000")
						if err != nil {
							t.Fatal(err)
						}
						defer resp.Body.Close()
						body, err = io.ReadAll(resp.Body)
						if err != nil || resp.StatusCode != 200 {
							t.Fatalf("status %d, %v", resp.StatusCode, err)
						}
					})
					if len(body) != 300000 || !strings.HasPrefix(string(body), "0123456789abcdef") {
						t.Fatalf("body of %d bytes", len(body))
					}
					e.checkUpstream(t, kind, m, h)
				})
			}
		}
	}
}

func TestForwardStripsHopByHopHeaders(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	e.auth.set("user", "pass", Lease{RentalID: 3, Upstream: "direct"})
	out, code := curl(t, "-x", "http://user:pass@"+e.httpAddr,
		"-H", "Connection: X-Secret", "-H", "X-Secret: 1", "-H", "Proxy-Foo: 2", "-H", "X-Kept: 3",
		"-A", "curl-test", e.origin.URL+"/headers")
	if code != 0 {
		t.Fatalf("curl exit %d", code)
	}
	for _, gone := range []string{"Proxy-Authorization", "Proxy-Connection", "Proxy-Foo", "X-Secret"} {
		if strings.Contains(out, gone+":") {
			t.Errorf("%s reached the origin:\n%s", gone, out)
		}
	}
	for _, kept := range []string{"X-Kept: 3", "User-Agent: curl-test"} {
		if !strings.Contains(out, kept) {
			t.Errorf("%s missing at the origin:\n%s", kept, out)
		}
	}

	// A POST body goes through, and no User-Agent is made up.
	out, code = curl(t, "-x", "http://user:pass@"+e.httpAddr, "-A", "", "--data-binary", "payload", e.origin.URL+"/echo")
	if code != 0 || out != "payload" {
		t.Fatalf("POST: exit %d, %q", code, out)
	}
	out, _ = curl(t, "-x", "http://user:pass@"+e.httpAddr, "-A", "", e.origin.URL+"/headers")
	if strings.Contains(out, "User-Agent") {
		t.Errorf("a User-Agent was added:\n%s", out)
	}
}

func TestOriginFormRequestIsRefused(t *testing.T) {
	e := newEnv(t, Options{AllowPrivate: true})
	resp, err := http.Get("http://" + e.httpAddr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
}
