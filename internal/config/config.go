// Package config holds mdnhub's one configuration struct: its defaults, the
// MDNHUB_* environment overrides, an optional key = value file, validation
// that lists every mistake at once, warnings about misspelled variables,
// and a dump with secrets redacted.
//
// Every setting has a dotted key (its `key` tag). The same key is used in the
// file ("db.driver = postgres") and, upper-cased with dots as underscores and
// an MDNHUB_ prefix, in the environment (MDNHUB_DB_DRIVER=postgres). The file
// is read first, the environment wins over it, and command-line flags win over
// both.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/money"
)

// Config is the whole configuration of one mdnhub process.
type Config struct {
	DB        DB
	HTTP      HTTP
	API       API
	Requests  Requests
	Rentals   Rentals
	Callbacks Callbacks
	Proxy     Proxy
	Compat    Compat
	Sim       Sim
	Catalog   Catalog
	Log       Log
	Web       Web
	Mail      Mail
	Gateways  Gateways

	// origin maps a key to where its value was set ("mdnhub.conf:7",
	// "MDNHUB_DB_DSN", "command line") so that problems point there.
	origin map[string]string
	// problems are the mistakes met while loading; Validate reports them
	// with the others, so one run shows every mistake.
	problems []string
}

// DB selects and tunes the database.
type DB struct {
	Driver      string `key:"db.driver" help:"sqlite or postgres"`
	Path        string `key:"db.path" help:"SQLite file path"`
	DSN         string `key:"db.dsn" secret:"true" help:"PostgreSQL connection string"`
	Synchronous string `key:"db.sqlite_synchronous" help:"SQLite synchronous pragma: FULL (durable) or NORMAL (faster)"`
	MaxConns    int    `key:"db.max_conns" help:"maximum open connections (PostgreSQL pool, SQLite readers)"`
}

// HTTP configures the listeners.
type HTTP struct {
	Addr string `key:"http.addr" help:"listen address of the API, /healthz and gateway pushes"`
	// MetricsAddr is a listener of its own for /metrics, off the public
	// address; "" serves no such listener.
	MetricsAddr string `key:"http.metrics_addr" help:"listen address of /metrics alone (empty: no metrics listener)"`
	// MetricsToken, when set, is required as "Authorization: Bearer <token>"
	// by /metrics, which is then also served at http.addr.
	MetricsToken    string        `key:"http.metrics_token" secret:"true" help:"bearer token /metrics requires; when set, /metrics is also served at http.addr"`
	ShutdownTimeout time.Duration `key:"http.shutdown_timeout" help:"how long in-flight requests may finish at shutdown"`
	MaxBodyBytes    int64         `key:"http.max_body_bytes" help:"largest accepted request body"`
}

// API tunes the api_command.php endpoint.
type API struct {
	RateLimit    int           `key:"api.rate_limit" help:"calls per second per authenticated account, both protocols together (0: unlimited)"`
	AuthFailures int           `key:"api.auth_failure_limit" help:"failed authentications per minute per client address, both protocols together; over it every call from that address gets 429 until the minute has passed (0: unlimited)"`
	AuthCacheTTL time.Duration `key:"api.auth_cache_ttl" help:"how long a verified API key is kept in memory; changes of keys, suspensions and account settings end it at once, on every node"`
	AuthCacheMax int           `key:"api.auth_cache_size" help:"most API keys kept in the authentication cache"`
}

// Requests sets the rules of one-time requests.
type Requests struct {
	MaxOpen         int           `key:"requests.max_open" help:"open one-time requests allowed per user"`
	DefaultLifetime time.Duration `key:"requests.default_lifetime" help:"reservation lifetime of services created without one"`
}

// Rentals sets the rules of long-term rentals.
type Rentals struct {
	OnlineWindow time.Duration `key:"rentals.online_window" help:"how long an activated rented number stays online before its gateway parks it"`
	HoldFor      time.Duration `key:"rentals.hold" help:"how long an ended rental's number is kept for its last renter"`
	ReserveFee   string        `key:"rentals.reserve_fee" help:"flat fee of an Unlimited reservation, in dollars"`
}

// ReserveFeeCents is rentals.reserve_fee in cents (valid after Validate).
func (r Rentals) ReserveFeeCents() int64 {
	c, _ := money.Parse(r.ReserveFee)
	return c
}

// Callbacks tune the delivery of customers' callbacks.
type Callbacks struct {
	Attempts      int           `key:"callbacks.attempts" help:"delivery attempts of an event in all (the first and the retries)"`
	RetryInterval time.Duration `key:"callbacks.retry_interval" help:"wait between delivery attempts"`
	Timeout       time.Duration `key:"callbacks.timeout" help:"time limit of one delivery attempt"`
	AllowPrivate  bool          `key:"callbacks.allow_private" help:"allow callback targets on addresses that are not public (loopback, private, link-local, CGNAT and the other special-purpose ranges)"`
}

// Proxy configures proxy rentals and the proxy front.
type Proxy struct {
	Enabled         bool          `key:"proxy.enabled" help:"run the SOCKS5 and HTTP proxy listeners"`
	SOCKSAddr       string        `key:"proxy.socks_addr" help:"listen address of the SOCKS5 proxy"`
	HTTPAddr        string        `key:"proxy.http_addr" help:"listen address of the HTTP proxy"`
	PublicIP        string        `key:"proxy.public_ip" help:"address customers connect to, shown as proxy_ip"`
	SharedHourly    string        `key:"proxy.shared_hourly" help:"price per hour of a shared port, in dollars"`
	ExclusiveHourly string        `key:"proxy.exclusive_hourly" help:"price per hour of an exclusive port, in dollars"`
	Discounts       string        `key:"proxy.discounts" help:"duration discounts, e.g. 24h:10,168h:25 (10% from a day, 25% from a week)"`
	AllowPrivate    bool          `key:"proxy.allow_private" help:"allow proxy destinations on addresses that are not public (loopback, private, link-local, CGNAT and the other special-purpose ranges)"`
	MaxConns        int           `key:"proxy.max_conns_per_rental" help:"concurrent connections per proxy rental"`
	IdleTimeout     time.Duration `key:"proxy.idle_timeout" help:"close a tunnel idle for this long"`
}

// ProxyDiscount is one parsed entry of proxy.discounts.
type ProxyDiscount struct {
	After   time.Duration
	Percent int64
}

// ParseDiscounts reads proxy.discounts ("24h:10,168h:25").
func (p Proxy) ParseDiscounts() ([]ProxyDiscount, error) {
	var out []ProxyDiscount
	for _, item := range strings.Split(p.Discounts, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		d, pct, ok := strings.Cut(item, ":")
		after, err := time.ParseDuration(strings.TrimSpace(d))
		n, err2 := strconv.ParseInt(strings.TrimSpace(pct), 10, 64)
		if !ok || err != nil || err2 != nil || after <= 0 || n < 0 || n > 99 {
			return nil, fmt.Errorf("%q: use <duration>:<percent 0-99>", item)
		}
		out = append(out, ProxyDiscount{After: after, Percent: n})
	}
	return out, nil
}

// Compat switches behaviours that some client families expect.
type Compat struct {
	RequestStatusObject  bool `key:"compat.request_status_object" help:"request_status answers one object instead of an array"`
	PriorityRequestEvent bool `key:"compat.priority_request_event" help:"also send each premium_request callback as priority_request"`
}

// Sim configures the simulator gateway.
type Sim struct {
	Enabled  bool          `key:"sim.enabled" help:"deliver a verification SMS to each newly reserved simulator number"`
	MinDelay time.Duration `key:"sim.min_delay" help:"shortest delay before the simulated SMS"`
	MaxDelay time.Duration `key:"sim.max_delay" help:"longest delay before the simulated SMS"`
	// ActivationDelay is how long the simulator takes to bring a parked number online.
	ActivationDelay time.Duration `key:"sim.activation_delay" help:"how long the simulator takes to bring a parked number online"`
}

// Catalog tunes service listings.
type Catalog struct {
	AvailabilityRefresh time.Duration `key:"catalog.availability_refresh" help:"how often availability counts are recomputed"`
}

// Web configures the web site (served at http.addr beside the API).
type Web struct {
	BaseURL       string        `key:"web.base_url" help:"the site's address as customers reach it, for links in e-mails (empty: the address of each request)"`
	SessionTTL    time.Duration `key:"web.session_ttl" help:"how long a web login lasts"`
	SecureCookies string        `key:"web.secure_cookies" help:"auto (Secure over TLS or behind a trusted proxy that says https), always, or never"`
	TrustProxy    bool          `key:"web.trust_proxy" help:"trust X-Forwarded-Proto from the reverse proxy in front"`
}

// Mail is the SMTP server the web site sends its e-mails through.
type Mail struct {
	SMTPHost     string `key:"mail.smtp_host" help:"SMTP server host (empty: no mail; sign-up and resets are unavailable)"`
	SMTPPort     int    `key:"mail.smtp_port" help:"SMTP server port"`
	SMTPUser     string `key:"mail.smtp_user" help:"SMTP user name (empty: no authentication)"`
	SMTPPassword string `key:"mail.smtp_password" secret:"true" help:"SMTP password"`
	From         string `key:"mail.from" help:"sender address of the site's e-mails"`
	TLS          string `key:"mail.tls" help:"starttls, tls (implicit, port 465) or none"`
	Mailbox      bool   `key:"mail.mailbox" help:"keep the site's mail in a page at /mailbox instead of sending it (the demo; never on a public site)"`
}

// Log configures logging.
type Log struct {
	Level  string `key:"log.level" help:"debug, info, warn or error"`
	Format string `key:"log.format" help:"text or json"`
}

// Default returns the configuration used when nothing is set: one SQLite file
// in the working directory, the API on port 8080.
func Default() Config {
	return Config{
		DB:        DB{Driver: "sqlite", Path: "mdnhub.db", Synchronous: "FULL", MaxConns: 8},
		HTTP:      HTTP{Addr: "127.0.0.1:8080", ShutdownTimeout: 15 * time.Second, MaxBodyBytes: 1 << 20},
		API:       API{RateLimit: 0, AuthFailures: 60, AuthCacheTTL: 10 * time.Second, AuthCacheMax: 10000},
		Requests:  Requests{MaxOpen: 20, DefaultLifetime: 900 * time.Second},
		Callbacks: Callbacks{Attempts: 6, RetryInterval: 10 * time.Minute, Timeout: 10 * time.Second},
		Proxy: Proxy{SOCKSAddr: "127.0.0.1:50000", HTTPAddr: "127.0.0.1:49999", PublicIP: "127.0.0.1",
			SharedHourly: "0.50", ExclusiveHourly: "2.00", Discounts: "24h:10,168h:25", MaxConns: 64, IdleTimeout: 5 * time.Minute},
		Rentals: Rentals{OnlineWindow: 2 * time.Hour, HoldFor: 30 * 24 * time.Hour, ReserveFee: "5.00"},
		Sim:     Sim{Enabled: false, MinDelay: 3 * time.Second, MaxDelay: 12 * time.Second, ActivationDelay: 10 * time.Second},
		Catalog: Catalog{AvailabilityRefresh: 30 * time.Second},
		Log:     Log{Level: "info", Format: "text"},
		Web:     Web{SessionTTL: 30 * 24 * time.Hour, SecureCookies: "auto"},
		Mail:    Mail{SMTPPort: 587, TLS: "starttls"},
	}
}
