package front

import "github.com/prometheus/client_golang/prometheus"

// metrics are the front's Prometheus series.
type metrics struct {
	bytes *prometheus.CounterVec // rental, direction
	open  *prometheus.GaugeVec   // rental
	conns *prometheus.CounterVec // listener, result
	// outcomes holds the conns series by listener and result, looked up
	// once rather than hashed per connection.
	outcomes map[string]map[string]prometheus.Counter
}

// newMetrics creates the series and registers them on reg unless it is
// nil; they are kept up to date either way.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mdnhub_proxy_bytes_total",
			Help: "Bytes carried by proxy tunnels per rental; direction up is client to destination, down the reverse.",
		}, []string{"rental", "direction"}),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mdnhub_proxy_connections",
			Help: "Open proxy tunnels per rental.",
		}, []string{"rental"}),
		conns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mdnhub_proxy_connections_total",
			Help: "Proxy client connections by listener (socks5, http) and result (ok, denied, refused, failed).",
		}, []string{"listener", "result"}),
	}
	// Every listener and result from the start, so rates work from zero.
	m.outcomes = make(map[string]map[string]prometheus.Counter)
	for _, l := range []string{listenerSOCKS, listenerHTTP} {
		m.outcomes[l] = make(map[string]prometheus.Counter)
		for _, r := range []string{resultOK, resultDenied, resultRefused, resultFailed} {
			m.outcomes[l][r] = m.conns.WithLabelValues(l, r)
		}
	}
	if reg != nil {
		reg.MustRegister(m.bytes, m.open, m.conns)
	}
	return m
}

func (m *metrics) count(listener, result string) {
	m.outcomes[listener][result].Inc()
}
