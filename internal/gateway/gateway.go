// Package gateway connects mdnhub to the devices and links that carry SMS for
// its numbers. Every gateway hands inbound messages to the message service's
// Deliver, and declares what else it can do.
package gateway

import (
	"context"
	"errors"
	"time"

	"mdnhub/internal/message"
	"mdnhub/internal/rental"
)

// ErrUnsupported is returned for an action the number's gateway cannot do.
// It is the answer the domains' contracts expect: it matches
// message.ErrUnsupported (sending) and rental.ErrUnsupported (parking,
// forwarding).
var ErrUnsupported error = unsupported{}

type unsupported struct{}

func (unsupported) Error() string { return "not supported by this gateway" }

// Is lets errors.Is find the domains' sentinels in ErrUnsupported.
func (unsupported) Is(target error) bool {
	return target == message.ErrUnsupported || target == rental.ErrUnsupported
}

// Capabilities tell what a gateway can do beyond receiving SMS.
type Capabilities struct {
	// Sending: the gateway can send SMS from its numbers (send_sms).
	Sending bool
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
	// Send hands an SMS to the gateway. Accepted means the gateway took it
	// for delivery; a refusal is not an error.
	Send(ctx context.Context, m Outbound) (SendResult, error)
	// Run connects and serves until ctx ends; passive gateways just wait.
	Run(ctx context.Context) error
	// Healthy reports whether the gateway is connected and working.
	Healthy() bool
}

// Outbound is an SMS to send from one of our numbers (the message domain's).
type Outbound = message.Outbound

// SendResult is the gateway's answer to Send (the message domain's).
type SendResult = message.SendResult

// Receipt states, as stored with outbound messages.
const (
	ReceiptDelivered = message.ReceiptDelivered
	ReceiptFailed    = message.ReceiptFailed
)

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

// Send sends an SMS through the named gateway.
func (r *Registry) Send(ctx context.Context, name string, m Outbound) (SendResult, error) {
	g, ok := r.gateways[name]
	if !ok || !g.Capabilities().Sending {
		return SendResult{}, ErrUnsupported
	}
	return g.Send(ctx, m)
}

// All returns every registered gateway.
func (r *Registry) All() []Gateway {
	out := make([]Gateway, 0, len(r.gateways))
	for _, g := range r.gateways {
		out = append(out, g)
	}
	return out
}

// Add registers a gateway; a second one with the same name is an error.
func (r *Registry) Add(g Gateway) error {
	if _, dup := r.gateways[g.Name()]; dup {
		return errors.New("gateway " + g.Name() + " is declared twice")
	}
	r.gateways[g.Name()] = g
	return nil
}

// Forward sets call forwarding through the named gateway.
func (r *Registry) Forward(ctx context.Context, name, mdn, destination string) error {
	g, ok := r.gateways[name]
	if !ok || !g.Capabilities().Forwarding {
		return ErrUnsupported
	}
	return g.Forward(ctx, mdn, destination)
}
