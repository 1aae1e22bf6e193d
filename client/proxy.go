package client

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// ProxyPorts lists the proxy ports (proxy_list).
func (c *Client) ProxyPorts(ctx context.Context) ([]ProxyPort, error) {
	var out []ProxyPort
	return out, c.call(ctx, "proxy_list", nil, read, 0, &out)
}

// RentProxyParams are the parameters of proxy_rent.
type RentProxyParams struct {
	Service   string        // what the proxy is for, shown to other users
	Duration  time.Duration // at least an hour, in whole minutes
	Port      string        // default: a random port with room
	Exclusive bool
	// IdempotencyKey identifies this rental; generated when empty.
	IdempotencyKey string
}

// RentProxy rents a proxy port; the credentials work at once.
func (c *Client) RentProxy(ctx context.Context, p RentProxyParams) (ProxyRental, error) {
	v := url.Values{}
	set(v, "service", p.Service)
	v.Set("duration", strconv.FormatInt(int64(p.Duration/time.Minute), 10))
	set(v, "port", p.Port)
	if p.Exclusive {
		v.Set("exclusive", "true")
	}
	v.Set("idempotency_key", keyOr(p.IdempotencyKey))
	var out ProxyRental
	return out, c.call(ctx, "proxy_rent", v, keyed, 0, &out)
}

// ProxyRef names a proxy rental: by ID, or by its proxy user.
type ProxyRef struct {
	ID        string
	ProxyUser string
}

func (r ProxyRef) values() url.Values {
	v := url.Values{}
	set(v, "id", r.ID)
	set(v, "proxy_user", r.ProxyUser)
	return v
}

// SwapProxy moves a rental to port ("" a random one), with new credentials.
func (c *Client) SwapProxy(ctx context.Context, r ProxyRef, port string) (ProxyRental, error) {
	v := r.values()
	set(v, "port", port)
	var out ProxyRental
	return out, c.call(ctx, "proxy_swap", v, once, 0, &out)
}

// RedialProxy asks for a new IP on an exclusive port.
func (c *Client) RedialProxy(ctx context.Context, r ProxyRef) error {
	return c.call(ctx, "proxy_redial", r.values(), once, 0, nil)
}
