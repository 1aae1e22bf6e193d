package config

import (
	"fmt"
	"net"
	"strings"
	"time"

	"mdnhub/internal/money"
)

// Validate checks every setting and returns all problems at once: the
// mistakes met while loading (unknown keys, values that do not parse) first,
// then every invalid value, each prefixed with where it was set when known.
func (c *Config) Validate() error {
	errs := append([]string(nil), c.problems...)
	bad := func(key, format string, args ...any) {
		errs = append(errs, at(c.originOf(key), key+": "+fmt.Sprintf(format, args...)))
	}
	switch c.DB.Driver {
	case "sqlite":
		if c.DB.Path == "" {
			bad("db.path", "required when db.driver is sqlite")
		}
	case "postgres":
		if c.DB.DSN == "" {
			bad("db.dsn", "required when db.driver is postgres")
		}
	default:
		bad("db.driver", "must be sqlite or postgres, got %q", c.DB.Driver)
	}
	if c.DB.Synchronous != "FULL" && c.DB.Synchronous != "NORMAL" {
		bad("db.sqlite_synchronous", "must be FULL or NORMAL, got %q", c.DB.Synchronous)
	}
	if c.DB.MaxConns < 1 || c.DB.MaxConns > 1000 {
		bad("db.max_conns", "must be between 1 and 1000")
	}
	if c.HTTP.Addr == "" {
		bad("http.addr", "required")
	}
	if a := c.HTTP.MetricsAddr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("http.metrics_addr", "must be host:port such as 127.0.0.1:9464, got %q", a)
		} else if a == c.HTTP.Addr && !strings.HasSuffix(a, ":0") {
			bad("http.metrics_addr", "must differ from http.addr")
		}
	}
	if t := c.HTTP.MetricsToken; t != "" && (len(t) < 16 || strings.ContainsAny(t, " \t\r\n")) {
		bad("http.metrics_token", "must be at least 16 characters without spaces")
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		bad("http.shutdown_timeout", "must be positive")
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		bad("http.max_body_bytes", "must be at least 1024")
	}
	if c.API.RateLimit < 0 {
		bad("api.rate_limit", "must not be negative")
	}
	if c.API.AuthFailures < 0 {
		bad("api.auth_failure_limit", "must not be negative")
	}
	if c.API.AuthCacheTTL < 0 {
		bad("api.auth_cache_ttl", "must not be negative")
	}
	if c.API.AuthCacheMax < 0 {
		bad("api.auth_cache_size", "must not be negative")
	}
	if c.Web.SessionTTL < time.Minute {
		bad("web.session_ttl", "must be at least 1m")
	}
	switch c.Web.SecureCookies {
	case "auto", "always", "never":
	default:
		bad("web.secure_cookies", "must be auto, always or never")
	}
	if c.Mail.SMTPHost != "" {
		if c.Mail.From == "" {
			bad("mail.from", "required with mail.smtp_host")
		}
		if c.Mail.SMTPPort < 1 || c.Mail.SMTPPort > 65535 {
			bad("mail.smtp_port", "must be a port number")
		}
		switch c.Mail.TLS {
		case "starttls", "tls", "none":
		default:
			bad("mail.tls", "must be starttls, tls or none")
		}
	}
	if c.Requests.MaxOpen < 1 {
		bad("requests.max_open", "must be at least 1")
	}
	if c.Requests.DefaultLifetime < time.Second {
		bad("requests.default_lifetime", "must be at least 1s")
	}
	if c.Rentals.OnlineWindow < time.Minute {
		bad("rentals.online_window", "must be at least 1m")
	}
	if c.Rentals.HoldFor < 0 {
		bad("rentals.hold", "must not be negative")
	}
	if fee, err := money.Parse(c.Rentals.ReserveFee); err != nil || fee < 0 {
		bad("rentals.reserve_fee", "must be an amount in dollars such as 5.00")
	}
	if c.Callbacks.Attempts < 1 || c.Callbacks.Attempts > 100 {
		bad("callbacks.attempts", "must be between 1 and 100")
	}
	if c.Callbacks.RetryInterval < time.Second {
		bad("callbacks.retry_interval", "must be at least 1s")
	}
	// An attempt runs inside a job, which the job runner cancels after a
	// minute: longer attempts would be cut short and retried for ever.
	if c.Callbacks.Timeout < time.Second || c.Callbacks.Timeout > 50*time.Second {
		bad("callbacks.timeout", "must be between 1s and 50s")
	}
	for key, v := range map[string]string{"proxy.shared_hourly": c.Proxy.SharedHourly, "proxy.exclusive_hourly": c.Proxy.ExclusiveHourly} {
		if cents, err := money.Parse(v); err != nil || cents < 0 {
			bad(key, "must be an amount in dollars such as 0.50")
		}
	}
	if _, err := c.Proxy.ParseDiscounts(); err != nil {
		bad("proxy.discounts", "%v", err)
	}
	if c.Proxy.Enabled && (c.Proxy.SOCKSAddr == "" || c.Proxy.HTTPAddr == "") {
		bad("proxy.socks_addr", "both proxy listen addresses are required when proxy.enabled")
	}
	if c.Proxy.MaxConns < 1 {
		bad("proxy.max_conns_per_rental", "must be at least 1")
	}
	if c.Proxy.IdleTimeout < time.Second {
		bad("proxy.idle_timeout", "must be at least 1s")
	}
	if c.Sim.ActivationDelay < 0 {
		bad("sim.activation_delay", "must not be negative")
	}
	if c.Sim.MinDelay < 0 || c.Sim.MaxDelay < c.Sim.MinDelay {
		bad("sim.max_delay", "must be at least sim.min_delay, and both not negative")
	}
	if c.Catalog.AvailabilityRefresh <= 0 || c.Catalog.AvailabilityRefresh > time.Minute {
		bad("catalog.availability_refresh", "must be between 1ns and 60s")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "must be text or json, got %q", c.Log.Format)
	}
	c.Gateways.validate(bad)
	if len(errs) == 0 {
		return nil
	}
	return &ValidationError{Problems: errs}
}

// ValidationError lists every invalid setting.
type ValidationError struct {
	Problems []string
}

// Error lists the problems one per line under a heading.
func (e *ValidationError) Error() string {
	s := "invalid configuration:"
	for _, p := range e.Problems {
		s += "\n  " + p
	}
	return s
}

// IsSet reports whether a setting was given by the file, the environment or
// a flag rather than left at its default.
func (c *Config) IsSet(key string) bool { return c.originOf(key) != "" }

// originOf is where key, or the gateway it belongs to, was set; "" when it
// has its default.
func (c *Config) originOf(key string) string {
	for k := key; k != ""; {
		if o, ok := c.origin[k]; ok {
			return o
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return ""
}

// at prefixes msg with its origin, as compilers do with file:line.
func at(origin, msg string) string {
	if origin == "" {
		return msg
	}
	return origin + ": " + msg
}
