// Package proxy holds mobile proxy rentals: the operator's ports, rentals
// with their credentials and charges, swaps, redials and expiry. The proxy
// front (package front) asks it who may use which port.
package proxy

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Errors of this package.
var (
	ErrInvalid          = errors.New("invalid")
	ErrNoPort           = errors.New("invalid port")
	ErrMinDuration      = errors.New("minimum duration is 60 minutes")
	ErrNotExclusive     = errors.New("unable to rent the port exclusively")
	ErrPortFull         = errors.New("the port is not available")
	ErrNoPorts          = errors.New("no ports available")
	ErrAlreadyRenting   = errors.New("you already rent this port")
	ErrNotFound         = errors.New("invalid proxy rental")
	ErrNoExclusive      = errors.New("no exclusive port rental")
	ErrNoRedial         = errors.New("this port has no redial action")
	ErrEnded            = errors.New("proxy rental has ended")
	ErrSamePort         = errors.New("the rental is already on this port")
	ErrDurationTooLong  = errors.New("duration too long")
	ErrServiceRequired  = errors.New("service required")
	ErrServiceTooLong   = errors.New("service too long")
	ErrUpstreamRequired = errors.New("upstream required")
)

// Port is one proxy port of the operator.
type Port struct {
	ID               string // e.g. "50001"
	Location         string
	Carrier          string
	RedialMinutes    int64 // automatic redial interval of a shared port; 0: never
	Capacity         int64 // most shared leases at once
	ExclusiveAllowed bool
	Upstream         string // socks5://host:port, socks5h://, http://host:port (?resolve=upstream), direct, direct://<source IP>
	RedialAction     string // http(s)://... (a GET), or a command line; "" for none
	RedialTimeout    time.Duration
	Enabled          bool
	LastRedialAt     int64

	// Filled by ListPorts.
	Leases    int64
	Services  []string
	Exclusive bool // rented exclusively now
}

// RentingPossible reports whether a shared lease may be added now.
func (p Port) RentingPossible() bool {
	return p.Enabled && !p.Exclusive && p.Leases < p.Capacity
}

// Rental is one proxy rental.
type Rental struct {
	ID         int64
	UserID     int64
	Port       string
	Service    string
	Exclusive  bool
	ProxyUser  string
	Minutes    int64
	PriceCents int64
	Status     string
	CreatedAt  int64
	ExpiresAt  int64
	// Password is known only right after rent or swap: it is stored hashed.
	Password string
}

var portIDRE = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)

// Validate checks a port's settings.
func (p Port) Validate() error {
	switch {
	case !portIDRE.MatchString(p.ID):
		return fmt.Errorf("%w: port id must be 1 to 32 letters, digits, '-' or '_'", ErrInvalid)
	case p.Capacity < 1:
		return fmt.Errorf("%w: capacity must be at least 1", ErrInvalid)
	case p.RedialMinutes < 0:
		return fmt.Errorf("%w: redial interval must not be negative", ErrInvalid)
	case p.RedialTimeout <= 0 || p.RedialTimeout > 10*time.Minute:
		return fmt.Errorf("%w: redial timeout must be between 1s and 10m", ErrInvalid)
	}
	return nil
}

// ErrDenied is the answer to proxy credentials that do not name an active
// rental.
var ErrDenied = errors.New("proxy credentials denied")

// Lease is what a proxy rental grants: traffic through one port's upstream
// until it expires.
type Lease struct {
	RentalID int64
	Port     string // the port id, e.g. "50001"
	// Upstream is socks5://[user:pass@]host:port, socks5h://...,
	// http://[user:pass@]host:port, direct, or direct://<local source IP>.
	// The proxied kinds may end in ?resolve=upstream (socks5h:// says the
	// same): destination names then go to the upstream unresolved, instead
	// of being resolved and checked by the front (?resolve=local, the
	// default).
	Upstream  string
	ExpiresAt time.Time // the credentials stop working then
}

// ValidUpstream checks an upstream as the proxy front reads it:
// socks5://[user:pass@]host:port, socks5h://..., http://[user:pass@]host:port
// (the proxied ones with an optional ?resolve=local or ?resolve=upstream),
// direct, or direct://<local source IP>.
// It asks the front, which reads upstreams, through Options.CheckUpstream.
func (s *Service) ValidUpstream(upstream string) error {
	if upstream == "" {
		return ErrUpstreamRequired
	}
	if s.opt.CheckUpstream != nil {
		if err := s.opt.CheckUpstream(upstream); err != nil {
			return fmt.Errorf("%w: %s", ErrInvalid, err)
		}
	}
	return nil
}
