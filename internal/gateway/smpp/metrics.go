package smpp

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are one gateway's series. The vectors are shared by every
// gateway on a registry, so each gateway registers or reuses them.
type metrics struct {
	up       prometheus.Gauge
	inbound  prometheus.Counter
	outbound *prometheus.CounterVec // by result: accepted, refused, error
}

func newMetrics(reg prometheus.Registerer, name string) metrics {
	up := register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "mdnhub_gateway_up",
		Help: "Whether the gateway is connected and working (1) or not (0).",
	}, []string{"gateway"}))
	in := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mdnhub_smpp_inbound_total",
		Help: "Inbound SMS committed from an SMPP gateway (repeats of a stored SMS not counted).",
	}, []string{"gateway"}))
	out := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mdnhub_smpp_outbound_total",
		Help: "Outbound SMS handed to an SMPP gateway, by result: accepted, refused, error.",
	}, []string{"gateway", "result"}))
	return metrics{
		up:       up.WithLabelValues(name),
		inbound:  in.WithLabelValues(name),
		outbound: out.MustCurryWith(prometheus.Labels{"gateway": name}),
	}
}

// register adds c to reg, or returns the equal collector registered before
// (by another gateway). A clash with a different definition leaves c
// unregistered rather than failing the gateway.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}
