package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/db"
	"mdnhub/internal/money"
	"mdnhub/internal/proxy"
	"mdnhub/internal/proxy/front"
)

// newProxyService builds the proxy domain from the proxy settings.
func newProxyService(d *db.DB, clk clock.Clock, sched proxy.Scheduler, c config.Proxy, log *slog.Logger) (*proxy.Service, error) {
	shared, _ := money.Parse(c.SharedHourly)
	exclusive, _ := money.Parse(c.ExclusiveHourly)
	ds, err := c.ParseDiscounts()
	if err != nil {
		return nil, fmt.Errorf("proxy.discounts: %w", err)
	}
	opt := proxy.Options{SharedHourlyCents: shared, ExclusiveHourlyCents: exclusive, PublicIP: c.PublicIP,
		SOCKSPort: portOf(c.SOCKSAddr), HTTPPort: portOf(c.HTTPAddr), AuthCacheTTL: 5 * time.Second,
		CheckUpstream: front.CheckUpstream}
	for _, x := range ds {
		opt.Discounts = append(opt.Discounts, proxy.Discount{Minutes: int64(x.After.Minutes()), Percent: x.Percent})
	}
	return proxy.NewService(d, clk, sched, opt, log.With("component", "proxy")), nil
}

// portOf is the port number of a listen address, 0 when it has none.
func portOf(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// startProxyFront opens the SOCKS5 and HTTP proxy listeners when
// proxy.enabled; the returned stop closes them and every tunnel.
func (a *App) startProxyFront() (stop func(), err error) {
	c := a.Config.Proxy
	if !c.Enabled {
		return func() {}, nil
	}
	f := front.New(a.Proxies, front.Options{AllowPrivate: c.AllowPrivate, MaxConnsPerRental: c.MaxConns, IdleTimeout: c.IdleTimeout},
		a.Log.With("component", "proxy-front"), a.Registry)
	a.Proxies.OnRevoke(f.Revoke)
	socks, err := front.Listen(context.Background(), c.SOCKSAddr)
	if err != nil {
		return nil, fmt.Errorf("proxy.socks_addr %s: %w", c.SOCKSAddr, err)
	}
	httpLn, err := front.Listen(context.Background(), c.HTTPAddr)
	if err != nil {
		socks.Close()
		return nil, fmt.Errorf("proxy.http_addr %s: %w", c.HTTPAddr, err)
	}
	a.Proxies.SetListenPorts(portOf(socks.Addr().String()), portOf(httpLn.Addr().String()))
	a.proxyAddrs = [2]string{socks.Addr().String(), httpLn.Addr().String()}
	go f.ServeSOCKS(socks)
	go f.ServeHTTPProxy(httpLn)
	a.Log.Info("proxy front serving", "socks5", a.proxyAddrs[0], "http", a.proxyAddrs[1])
	return func() { f.Close() }, nil
}

// ProxyAddrs are the addresses the proxy front listens on (SOCKS5, HTTP)
// once Serve has started it; empty when it is off.
func (a *App) ProxyAddrs() (socks, http string) { return a.proxyAddrs[0], a.proxyAddrs[1] }
