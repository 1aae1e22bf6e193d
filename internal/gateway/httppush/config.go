// Package httppush is the gateway kind for devices that push their SMS over
// HTTP (Android SMS gateways, SIM banks with a webhook): they POST each
// message to /gateway/<name>/inbound, and may take outbound SMS at a URL of
// theirs.
package httppush

import (
	"fmt"
	"net/url"
	"time"
)

// Config is one HTTP-push gateway's settings.
type Config struct {
	Name string
	// Token authenticates the device with "Authorization: Bearer <token>".
	Token string
	// Secret authenticates it with "X-Mdnhub-Signature: sha256=<hex HMAC-SHA256 of the body>".
	Secret string
	// SendURL, when set, receives outbound SMS as JSON {id, from, to, text}.
	SendURL string
	// SendToken is sent to SendURL as "Authorization: Bearer <token>".
	SendToken string
	// Timeout bounds each call to SendURL.
	Timeout time.Duration
}

// FromSettings reads a gateway's settings: token and/or secret (at least
// one), send_url, send_token, timeout.
func FromSettings(name string, kv map[string]string) (Config, error) {
	c := Config{Name: name, Token: kv["token"], Secret: kv["secret"], SendURL: kv["send_url"], SendToken: kv["send_token"], Timeout: 10 * time.Second}
	if c.Token == "" && c.Secret == "" {
		return c, fmt.Errorf("gateway %s: set token or secret (or both) so devices can authenticate", name)
	}
	if c.Token != "" && len(c.Token) < 16 {
		return c, fmt.Errorf("gateway %s: token must be at least 16 characters", name)
	}
	if c.SendURL != "" {
		u, err := url.Parse(c.SendURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("gateway %s: send_url must be an http or https URL", name)
		}
	}
	if v := kv["timeout"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("gateway %s: timeout must be a duration such as 10s", name)
		}
		c.Timeout = d
	}
	for k := range kv {
		switch k {
		case "kind", "token", "secret", "send_url", "send_token", "timeout":
		default:
			return c, fmt.Errorf("gateway %s: unknown setting %q", name, k)
		}
	}
	return c, nil
}
