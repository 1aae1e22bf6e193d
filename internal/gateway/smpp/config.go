package smpp

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// Config is one SMPP gateway's settings.
type Config struct {
	Name       string // the gateway's name, stored with its numbers and messages
	Addr       string // the SMSC, host:port
	SystemID   string // bind credentials and ESME type, as the SMSC issued them
	Password   string
	SystemType string
	// Split binds a receiver and a transmitter instead of one transceiver,
	// for SMSCs that do not offer transceiver binds.
	Split bool
	// EnquireLink is how often the link is probed; a link silent for two
	// periods is dropped and bound again.
	EnquireLink time.Duration
	// ReconnectMin and ReconnectMax bound the exponential back-off between
	// bind attempts.
	ReconnectMin, ReconnectMax time.Duration
	// SubmitRate caps outbound submit_sm PDUs per second (each part counts).
	SubmitRate float64
	// SubmitTimeout bounds the wait for each submit_sm_resp.
	SubmitTimeout time.Duration
	// TON/NPI of the addresses of outbound SMS.
	SourceTON, SourceNPI, DestTON, DestNPI byte
	// ConcatTimeout is how long an incomplete concatenated SMS waits for its
	// missing parts after the latest one arrived.
	ConcatTimeout time.Duration
	// PartHold is how long the deliver_sm_resp of a part of an incomplete
	// SMS is held back; 0 holds it until the SMS is stored or given up.
	PartHold time.Duration
	// Batch is the most inbound SMS committed in one transaction; BatchWait
	// is how long the first of them waits for company.
	Batch     int
	BatchWait time.Duration
	// DedupeWindow is the time bucket of the idempotency key of inbound SMS:
	// an SMSC's resend within it is recognised as the same message.
	DedupeWindow time.Duration
}

// Defaults returns the settings used for keys that are not given.
func Defaults(name string) Config {
	return Config{
		Name: name, EnquireLink: 30 * time.Second,
		ReconnectMin: time.Second, ReconnectMax: time.Minute,
		SubmitRate: 10, SubmitTimeout: 10 * time.Second,
		SourceTON: 1, SourceNPI: 1, DestTON: 1, DestNPI: 1,
		ConcatTimeout: time.Minute, PartHold: 3 * time.Second,
		Batch: 200, BatchWait: 5 * time.Millisecond,
		DedupeWindow: 10 * time.Minute,
	}
}

// FromSettings reads a gateway's settings (the "gateway.<name>.<key>" lines
// of the configuration): addr (required), system_id, password, system_type,
// bind (transceiver or receiver+transmitter), enquire_link, reconnect_min,
// reconnect_max, submit_rate, submit_timeout, source_ton, source_npi,
// dest_ton, dest_npi, concat_timeout, part_hold, batch, batch_wait and
// dedupe_window. An error names the offending key.
func FromSettings(name string, kv map[string]string) (Config, error) {
	c := Defaults(name)
	p := parser{name: name, kv: kv}
	c.Addr = kv["addr"]
	if c.Addr == "" {
		return c, fmt.Errorf("gateway %s: addr is required (host:port of the SMSC)", name)
	}
	if host, port, err := net.SplitHostPort(c.Addr); err != nil || host == "" || !validPort(port) {
		return c, fmt.Errorf("gateway %s: addr must be host:port, got %q", name, c.Addr)
	}
	c.SystemID, c.Password, c.SystemType = kv["system_id"], kv["password"], kv["system_type"]
	// SMPP 3.4 C-Octet string limits, NUL excluded.
	p.maxLen("system_id", 15)
	p.maxLen("password", 8)
	p.maxLen("system_type", 12)
	switch kv["bind"] {
	case "", "transceiver":
	case "receiver+transmitter":
		c.Split = true
	default:
		p.fail("bind", "must be transceiver or receiver+transmitter, got %q", kv["bind"])
	}
	p.duration("enquire_link", &c.EnquireLink, false)
	p.duration("reconnect_min", &c.ReconnectMin, false)
	p.duration("reconnect_max", &c.ReconnectMax, false)
	if p.err == nil && c.ReconnectMax < c.ReconnectMin {
		p.fail("reconnect_max", "must not be less than reconnect_min (%s)", c.ReconnectMin)
	}
	p.rate("submit_rate", &c.SubmitRate)
	p.duration("submit_timeout", &c.SubmitTimeout, false)
	p.octet("source_ton", &c.SourceTON)
	p.octet("source_npi", &c.SourceNPI)
	p.octet("dest_ton", &c.DestTON)
	p.octet("dest_npi", &c.DestNPI)
	p.duration("concat_timeout", &c.ConcatTimeout, false)
	p.duration("part_hold", &c.PartHold, true)
	p.count("batch", &c.Batch, 1, 10000)
	p.duration("batch_wait", &c.BatchWait, true)
	p.duration("dedupe_window", &c.DedupeWindow, false)
	if p.err == nil && c.DedupeWindow < time.Second {
		p.fail("dedupe_window", "must be at least 1s")
	}
	for k := range kv {
		if !knownKeys[k] && p.err == nil {
			p.err = fmt.Errorf("gateway %s: unknown setting %q", name, k)
		}
	}
	return c, p.err
}

var knownKeys = map[string]bool{
	"kind": true, "addr": true, "system_id": true, "password": true, "system_type": true, "bind": true,
	"enquire_link": true, "reconnect_min": true, "reconnect_max": true, "submit_rate": true,
	"submit_timeout": true, "source_ton": true, "source_npi": true, "dest_ton": true, "dest_npi": true,
	"concat_timeout": true, "part_hold": true, "batch": true, "batch_wait": true, "dedupe_window": true,
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n < 65536
}

// parser reads typed settings and keeps the first error.
type parser struct {
	name string
	kv   map[string]string
	err  error
}

func (p *parser) fail(key, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("gateway %s: %s %s", p.name, key, fmt.Sprintf(format, args...))
	}
}

func (p *parser) maxLen(key string, n int) {
	if len(p.kv[key]) > n {
		p.fail(key, "must be at most %d characters", n)
	}
}

func (p *parser) duration(key string, dst *time.Duration, zeroOK bool) {
	v, ok := p.kv[key]
	if !ok || v == "" {
		return
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		p.fail(key, "must be a duration such as 30s, got %q", v)
	case d < 0 || (d == 0 && !zeroOK):
		p.fail(key, "must be positive, got %q", v)
	default:
		*dst = d
	}
}

func (p *parser) rate(key string, dst *float64) {
	v, ok := p.kv[key]
	if !ok || v == "" {
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 1e6 {
		p.fail(key, "must be a number of messages per second above 0, got %q", v)
		return
	}
	*dst = f
}

func (p *parser) octet(key string, dst *byte) {
	v, ok := p.kv[key]
	if !ok || v == "" {
		return
	}
	n, err := strconv.ParseUint(v, 0, 8)
	if err != nil {
		p.fail(key, "must be a number from 0 to 255, got %q", v)
		return
	}
	*dst = byte(n)
}

func (p *parser) count(key string, dst *int, lo, hi int) {
	v, ok := p.kv[key]
	if !ok || v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(key, "must be a whole number from %d to %d, got %q", lo, hi, v)
		return
	}
	*dst = n
}
