package api

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts API calls by command and outcome, and their latency.
type Metrics struct {
	calls   *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

// NewMetrics registers the API metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mdnhub_api_requests_total",
			Help: "API calls by command and outcome (ok, error, internal, unavailable, limited).",
		}, []string{"cmd", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mdnhub_api_request_duration_seconds",
			Help:    "API call latency by command.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"cmd"}),
	}
	reg.MustRegister(m.calls, m.latency)
	return m
}

func (m *Metrics) observe(cmd, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	if cmd == "" {
		cmd = "none"
	}
	m.calls.WithLabelValues(cmd, outcome).Inc()
	m.latency.WithLabelValues(cmd).Observe(d.Seconds())
}
