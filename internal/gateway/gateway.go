// Package gateway connects mdnhub to the devices and links that carry SMS for
// its numbers. Every gateway hands inbound messages to one Deliverer, the
// message service's Deliver.
package gateway

import (
	"context"

	"mdnhub/internal/message"
)

// Deliverer stores an inbound SMS durably and routes it to its owner.
type Deliverer interface {
	Deliver(ctx context.Context, in message.Inbound) (message.Delivery, error)
}
