package smpp

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp/pdu"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"mdnhub/internal/gateway"
	"mdnhub/internal/message"
)

// Deliverer stores inbound SMS and applies delivery receipts; the message
// service implements it.
type Deliverer interface {
	DeliverBatch(ctx context.Context, ins []message.Inbound) ([]message.Result, error)
	RecordReceipt(ctx context.Context, gatewayName, gatewayID, state string) (bool, error)
}

// committers is how many batches may be committing at once, each for its
// own share of the numbers (SQLite queues them on its one writer;
// PostgreSQL runs them side by side). Two keep batches large (a batch
// costs a handful of statements whatever its size, so fewer, fuller
// batches store more per second) and leave most of a database pool to the
// API while an SMSC floods us.
const committers = 2

// Gateway is one SMPP link to an SMSC.
type Gateway struct {
	cfg     Config
	d       Deliverer
	log     *slog.Logger
	metrics metrics
	limiter *rate.Limiter

	arrivals chan arrival // from the binds' read loops to the collector
	shards   []chan job   // from the collector to the committers
	ref      atomic.Uint32

	mu   sync.Mutex
	link *link

	pendMu sync.Mutex
	pend   map[int32]chan pdu.PDU // submit_sm awaiting their response, by sequence number
}

// New returns the gateway; Run connects it. reg may be nil.
func New(cfg Config, d Deliverer, log *slog.Logger, reg prometheus.Registerer) *Gateway {
	if log == nil {
		log = slog.Default()
	}
	shards := make([]chan job, committers)
	for i := range shards {
		shards[i] = make(chan job, cfg.Batch)
	}
	return &Gateway{
		cfg:      cfg,
		d:        d,
		log:      log.With("gateway", cfg.Name),
		metrics:  newMetrics(reg, cfg.Name),
		limiter:  rate.NewLimiter(rate.Limit(cfg.SubmitRate), 1),
		arrivals: make(chan arrival, 2*cfg.Batch),
		shards:   shards,
		pend:     map[int32]chan pdu.PDU{},
	}
}

// Name is the gateway's configured name.
func (g *Gateway) Name() string { return g.cfg.Name }

// Capabilities: SMPP sends; it neither parks numbers nor forwards calls.
func (g *Gateway) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{Sending: true}
}

// Activate is not supported: SMSC numbers are always online.
func (g *Gateway) Activate(context.Context, string) (time.Duration, error) {
	return 0, gateway.ErrUnsupported
}

// Forward is not supported: SMPP carries no calls.
func (g *Gateway) Forward(context.Context, string, string) error {
	return gateway.ErrUnsupported
}

// Healthy reports whether the gateway is bound to the SMSC.
func (g *Gateway) Healthy() bool { return g.current() != nil }

func (g *Gateway) current() *link {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.link
}

func (g *Gateway) setLink(l *link) {
	g.mu.Lock()
	g.link = l
	g.mu.Unlock()
	if l != nil {
		g.metrics.up.Set(1)
	} else {
		g.metrics.up.Set(0)
	}
}

// Run binds to the SMSC and serves until ctx ends, binding again with
// exponential back-off whenever the link fails. Concatenated SMS being
// reassembled survive a rebind.
func (g *Gateway) Run(ctx context.Context) error {
	work, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1 + committers)
	go func() { defer wg.Done(); g.collect(work) }()
	for _, in := range g.shards {
		go func() { defer wg.Done(); g.commitLoop(work, in) }()
	}
	defer func() { stop(); wg.Wait() }()

	g.metrics.up.Set(0)
	backoff := g.cfg.ReconnectMin
	for ctx.Err() == nil {
		l, err := g.connect(work.Done())
		if err != nil {
			wait := jitter(backoff)
			g.log.Warn("smpp bind failed", "addr", g.cfg.Addr, "err", err, "retry_in", wait)
			backoff = min(2*backoff, g.cfg.ReconnectMax)
			sleep(ctx, wait)
			continue
		}
		g.setLink(l)
		g.log.Info("smpp connected", "addr", g.cfg.Addr, "split_binds", g.cfg.Split)
		start := time.Now()
		select {
		case <-l.done:
		case <-ctx.Done():
		}
		g.setLink(nil)
		l.close()
		if ctx.Err() != nil {
			g.log.Info("smpp disconnected: shutting down")
			break
		}
		// A link that held for a while was a success: start the back-off anew.
		if time.Since(start) >= g.cfg.ReconnectMax {
			backoff = g.cfg.ReconnectMin
		}
		wait := jitter(backoff)
		g.log.Warn("smpp disconnected: link lost", "retry_in", wait)
		backoff = min(2*backoff, g.cfg.ReconnectMax)
		sleep(ctx, wait)
	}
	return nil
}

// jitter spreads reconnects over [d/2, d) so that many gateways do not
// hammer a recovering SMSC in step.
func jitter(d time.Duration) time.Duration {
	if d < 2 {
		return d
	}
	return d/2 + rand.N(d/2)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
