package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestMetricsSettings(t *testing.T) {
	c := Default()
	if c.HTTP.MetricsAddr != "" || c.HTTP.MetricsToken != "" {
		t.Fatalf("metrics are on by default: %+v", c.HTTP)
	}
	for _, w := range []struct {
		addr, token, problem string
	}{
		{"127.0.0.1:9464", "", ""},
		{"", "0123456789abcdef", ""},
		{"127.0.0.1:0", "", ""},
		{"9464", "", "http.metrics_addr: must be host:port"},
		{"127.0.0.1:8080", "", "http.metrics_addr: must differ from http.addr"},
		{"", "short", "http.metrics_token: must be at least 16 characters"},
		{"", "0123456789 abcdef", "http.metrics_token: must be at least 16 characters without spaces"},
	} {
		c := Default()
		c.HTTP.MetricsAddr, c.HTTP.MetricsToken = w.addr, w.token
		err := c.Validate()
		if w.problem == "" && err != nil || w.problem != "" && (err == nil || !strings.Contains(err.Error(), w.problem)) {
			t.Errorf("addr %q token %q: %v, want %q", w.addr, w.token, err, w.problem)
		}
	}
	c.HTTP.MetricsToken = "0123456789abcdef-token"
	var buf bytes.Buffer
	if err := c.Dump(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "abcdef-token") || !strings.Contains(buf.String(), "http.metrics_token = <redacted>") {
		t.Fatalf("the token is not redacted:\n%s", buf.String())
	}
}
