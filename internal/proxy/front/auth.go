// Package front is mdnhub's proxy front: one SOCKS5 listener and one HTTP
// proxy listener. The credentials of a proxy rental select the rental, the
// rental selects its port, and the traffic leaves through that port's
// upstream (a mobile modem's SOCKS5 or HTTP proxy, or a direct connection
// from a local source address).
package front

import (
	"context"
	"errors"
	"time"
)

// ErrDenied is returned by an Authenticator for credentials that do not name
// an active rental.
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

// Authenticator checks proxy credentials; the proxy domain implements it
// (with a cache that a rental change invalidates at once).
type Authenticator interface {
	// Authenticate returns the lease of the active rental with these
	// credentials, or ErrDenied.
	Authenticate(ctx context.Context, user, pass string) (Lease, error)
	// Active tells which of the given rentals are still active, so tunnels of
	// rentals ended or swapped on another node get closed too.
	Active(ctx context.Context, rentalIDs []int64) (map[int64]bool, error)
}
