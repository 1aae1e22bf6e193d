package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mdnhub/internal/inventory"
)

func promhttpHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// numbersCollector reports inventory counts by state at scrape time.
type numbersCollector struct {
	inv *inventory.Store
	log *slog.Logger
}

var numbersDesc = prometheus.NewDesc("mdnhub_numbers", "Numbers in the inventory by state.", []string{"state"}, nil)

func (c *numbersCollector) Describe(ch chan<- *prometheus.Desc) { ch <- numbersDesc }

func (c *numbersCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := c.inv.Count(ctx)
	if err != nil {
		c.log.Warn("numbers metric", "err", err)
		return
	}
	for state, v := range map[string]int64{"total": n.Total, "enabled": n.Enabled, "online": n.Online, "held": n.Held} {
		ch <- prometheus.MustNewConstMetric(numbersDesc, prometheus.GaugeValue, float64(v), state)
	}
}
