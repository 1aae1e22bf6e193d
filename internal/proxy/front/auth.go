// Package front is mdnhub's proxy front: one SOCKS5 listener and one HTTP
// proxy listener. The credentials of a proxy rental select the rental, the
// rental selects its port, and the traffic leaves through that port's
// upstream (a mobile modem's SOCKS5 or HTTP proxy, or a direct connection
// from a local source address).
package front

import (
	"context"

	"mdnhub/internal/proxy"
)

// ErrDenied is returned by an Authenticator for credentials that do not name
// an active rental (the proxy domain's).
var ErrDenied = proxy.ErrDenied

// Lease is what a proxy rental grants (the proxy domain's).
type Lease = proxy.Lease

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
