package app

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
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

// bearer lets a request through to h only with "Authorization: Bearer
// <token>"; an empty token lets every request through.
func bearer(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mdnhub metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// startMetrics opens the metrics listener (http.metrics_addr) when one is
// configured; the returned stop shuts it down.
func (a *App) startMetrics() (stop func(context.Context), err error) {
	addr := a.Config.HTTP.MetricsAddr
	if addr == "" {
		return func(context.Context) {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http.metrics_addr %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           a.MetricsHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	a.metricsAddr = ln.Addr().String()
	go srv.Serve(ln)
	a.Log.Info("metrics serving", "addr", a.metricsAddr)
	return func(ctx context.Context) {
		if err := srv.Shutdown(ctx); err != nil {
			a.Log.Warn("metrics shutdown", "err", err)
		}
	}, nil
}

// MetricsAddr is where the metrics listener listens once Serve has started
// it; empty when http.metrics_addr is off.
func (a *App) MetricsAddr() string { return a.metricsAddr }

// registerAuthListenerMetric reports whether changes of API keys reach this
// process by notification (PostgreSQL); 0 means the auth cache is checked
// against the database on every call meanwhile.
func (a *App) registerAuthListenerMetric() {
	_ = a.Registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "mdnhub_auth_listener_up",
		Help: "1 while changes of API keys, suspensions and account settings reach this process by PostgreSQL notification.",
	}, func() float64 {
		if a.Accounts.Listening() {
			return 1
		}
		return 0
	}))
}
