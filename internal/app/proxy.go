package app

import (
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
)

// newProxyService builds the proxy domain from the proxy settings.
func newProxyService(d *db.DB, clk clock.Clock, c config.Proxy, log *slog.Logger) (*proxy.Service, error) {
	shared, _ := money.Parse(c.SharedHourly)
	exclusive, _ := money.Parse(c.ExclusiveHourly)
	ds, err := c.ParseDiscounts()
	if err != nil {
		return nil, fmt.Errorf("proxy.discounts: %w", err)
	}
	opt := proxy.Options{SharedHourlyCents: shared, ExclusiveHourlyCents: exclusive, PublicIP: c.PublicIP,
		SOCKSPort: portOf(c.SOCKSAddr), HTTPPort: portOf(c.HTTPAddr), AuthCacheTTL: 5 * time.Second}
	for _, x := range ds {
		opt.Discounts = append(opt.Discounts, proxy.Discount{Minutes: int64(x.After.Minutes()), Percent: x.Percent})
	}
	return proxy.NewService(d, clk, opt, log.With("component", "proxy")), nil
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
