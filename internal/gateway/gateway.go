// Package gateway connects mdnhub to the devices and links that carry SMS for
// its numbers. Every gateway hands inbound messages to the message service's
// Deliver, and declares what else it can do.
package gateway

import (
	"context"
	"errors"
	"time"
)

// ErrUnsupported is returned for an action the number's gateway cannot do.
var ErrUnsupported = errors.New("not supported by this gateway")

// Capabilities tell what a gateway can do beyond receiving SMS.
type Capabilities struct {
	// Parking: the gateway keeps a rented number online for a window, then
	// parks it offline until it is activated again.
	Parking bool
	// Forwarding: voice calls to the number can be forwarded.
	Forwarding bool
}

// Gateway is one attached source of numbers.
type Gateway interface {
	Name() string
	Capabilities() Capabilities
	// Activate asks the gateway to bring a parked number online and returns
	// how long that takes.
	Activate(ctx context.Context, mdn string) (time.Duration, error)
	// Forward sets voice-call forwarding of mdn to destination ("" turns it off).
	Forward(ctx context.Context, mdn, destination string) error
}

// Registry finds the gateway of a number by the gateway name stored with it.
// Numbers whose gateway is not registered (inventory imported before its
// gateway is configured) behave as a plain gateway: always online, no
// forwarding.
type Registry struct {
	gateways map[string]Gateway
}

// NewRegistry returns a registry of the given gateways.
func NewRegistry(gs ...Gateway) *Registry {
	r := &Registry{gateways: map[string]Gateway{}}
	for _, g := range gs {
		r.gateways[g.Name()] = g
	}
	return r
}

// Parking reports whether the named gateway parks rented numbers.
func (r *Registry) Parking(name string) bool { return r.Capabilities(name).Parking }

// Capabilities returns what the named gateway can do.
func (r *Registry) Capabilities(name string) Capabilities {
	if g, ok := r.gateways[name]; ok {
		return g.Capabilities()
	}
	return Capabilities{}
}

// Activate asks the named gateway to bring mdn online.
func (r *Registry) Activate(ctx context.Context, name, mdn string) (time.Duration, error) {
	g, ok := r.gateways[name]
	if !ok || !g.Capabilities().Parking {
		return 0, ErrUnsupported
	}
	return g.Activate(ctx, mdn)
}

// Forward sets call forwarding through the named gateway.
func (r *Registry) Forward(ctx context.Context, name, mdn, destination string) error {
	g, ok := r.gateways[name]
	if !ok || !g.Capabilities().Forwarding {
		return ErrUnsupported
	}
	return g.Forward(ctx, mdn, destination)
}
