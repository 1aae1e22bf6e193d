package front

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrClosed is returned by ServeSOCKS and ServeHTTPProxy once Close was
// called, like http.ErrServerClosed.
var ErrClosed = errors.New("proxy front closed")

const (
	// handshakeTimeout bounds a client's SOCKS greeting and request, and the
	// request line and headers on the HTTP listener, so a silent client
	// cannot hold a goroutine.
	handshakeTimeout = 30 * time.Second
	// authTimeout bounds one Authenticator call.
	authTimeout = 10 * time.Second
	// revokeMemory is how long Revoke remembers a rental to refuse tunnels
	// authenticated before it; reservation follows authentication at once,
	// so this only needs to outlast one Authenticate call.
	revokeMemory = time.Minute
)

// Options tune a Front. A zero field selects its default.
type Options struct {
	// AllowPrivate lets clients reach destinations that are not public
	// (netguard: loopback, private, link-local, CGNAT, multicast,
	// documentation and the other special-purpose ranges). Without it they
	// are refused before anything is dialled, whether written as an address
	// or as a name that resolves to one.
	AllowPrivate bool
	// Resolver looks up destination names (default net.DefaultResolver):
	// for direct upstreams, and for proxied ones unless their upstream
	// says resolve=upstream. The front connects, or has the upstream
	// connect, to the addresses it checked, never to the name again.
	Resolver Resolver
	// MaxConnsPerRental caps the concurrent tunnels of one rental (default
	// 64); a connection over it is refused.
	MaxConnsPerRental int
	// IdleTimeout closes a tunnel that moved no byte either way for this
	// long (default 5m).
	IdleTimeout time.Duration
	// DialTimeout bounds reaching a destination through the upstream,
	// proxy handshakes included (default 15s).
	DialTimeout time.Duration
	// RecheckInterval is how often the front asks the Authenticator which
	// rentals with open tunnels are still active (default 2s).
	RecheckInterval time.Duration
}

func (o Options) withDefaults() Options {
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.MaxConnsPerRental <= 0 {
		o.MaxConnsPerRental = 64
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 5 * time.Minute
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 15 * time.Second
	}
	if o.RecheckInterval <= 0 {
		o.RecheckInterval = 2 * time.Second
	}
	return o
}

// Front is the proxy front: it serves SOCKS5 and HTTP proxy listeners,
// checks credentials through an Authenticator, sends each tunnel out
// through its rental's upstream and closes tunnels when their rental ends.
// It is safe for concurrent use; call Close to release it.
type Front struct {
	auth    Authenticator
	opt     Options
	log     *slog.Logger
	metrics *metrics
	// dialTCP makes every outgoing TCP connection: to an upstream proxy, or
	// to the destination for direct upstreams. Tests wrap it to prove that
	// refused destinations are never dialled.
	dialTCP func(ctx context.Context, d *net.Dialer, address string) (net.Conn, error)
	// local knows this host's addresses, refused to direct upstreams.
	local *localAddrs

	// ctx is cancelled by Close, aborting authentications; dials end with
	// their tunnels, which Close closes.
	ctx    context.Context
	cancel context.CancelFunc
	// wg counts connection handlers and the maintenance loops, so Close
	// returns only when nothing of the front runs any more.
	wg sync.WaitGroup
	// workers runs connection handlers and tunnel copies.
	workers *workers

	mu      sync.Mutex
	closed  bool
	closers map[io.Closer]struct{} // listeners, the HTTP server, client connections not yet tunnelled
	rentals map[int64]*rental
	// revokedAt remembers recent Revoke calls, to refuse tunnels whose
	// credentials were checked before them but which reserve after them.
	revokedAt map[int64]time.Time
}

// New returns a Front that checks credentials with auth. log may be nil
// (no logging) and so may reg (metrics not registered). It starts the
// maintenance loops at once: Close stops them.
func New(auth Authenticator, opt Options, log *slog.Logger, reg prometheus.Registerer) *Front {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Front{
		auth:    auth,
		opt:     opt.withDefaults(),
		log:     log,
		metrics: newMetrics(reg),
		dialTCP: func(ctx context.Context, d *net.Dialer, address string) (net.Conn, error) {
			return d.DialContext(ctx, "tcp", address)
		},
		local:     newLocalAddrs(),
		ctx:       ctx,
		cancel:    cancel,
		workers:   newWorkers(ctx.Done()),
		closers:   make(map[io.Closer]struct{}),
		rentals:   make(map[int64]*rental),
		revokedAt: make(map[int64]time.Time),
	}
	f.wg.Add(2)
	go f.sweepLoop()
	go f.recheckLoop()
	return f
}

// Close closes the listeners, every open tunnel and connection, and waits
// until all of the front's goroutines have ended. Serve calls then return
// ErrClosed.
func (f *Front) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	closers := make([]io.Closer, 0, len(f.closers))
	for c := range f.closers {
		closers = append(closers, c)
	}
	var tunnels []*tunnel
	for _, r := range f.rentals {
		for t := range r.tunnels {
			tunnels = append(tunnels, t)
		}
	}
	f.mu.Unlock()

	f.cancel()
	for _, c := range closers {
		c.Close() //nolint:errcheck // shutting down: nothing to do about it
	}
	for _, t := range tunnels {
		t.close("front closed")
	}
	f.wg.Wait()
	return nil
}

// Revoke closes every open tunnel of the rental at once, and refuses
// tunnels still being set up with credentials checked before the call.
// The proxy domain calls it when a rental expires or is swapped; the
// rental's metric series go with its last tunnel.
func (f *Front) Revoke(rentalID int64) {
	f.mu.Lock()
	f.revokedAt[rentalID] = time.Now()
	var tunnels []*tunnel
	if r := f.rentals[rentalID]; r != nil {
		r.ended = true
		for t := range r.tunnels {
			tunnels = append(tunnels, t)
		}
		if len(r.tunnels) == 0 {
			f.forget(r)
		}
	}
	f.mu.Unlock()
	for _, t := range tunnels {
		t.close("revoked")
	}
}

// enter registers a connection handler with the front, or reports false
// once the front is closed.
func (f *Front) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.wg.Add(1)
	return true
}

// track registers something Close must close, or reports false once the
// front is closed.
func (f *Front) track(c io.Closer) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.closers[c] = struct{}{}
	return true
}

func (f *Front) untrack(c io.Closer) {
	f.mu.Lock()
	delete(f.closers, c)
	f.mu.Unlock()
}

func (f *Front) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Listen opens a TCP listener for ServeSOCKS or ServeHTTPProxy. Accepted
// connections get no TCP keep-alive: handshake, idle and keep-alive
// timeouts already end connections whose peer vanished, and keep-alive
// would cost four setsockopt calls per connection.
func Listen(ctx context.Context, address string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	return lc.Listen(ctx, "tcp", address)
}

// serve accepts connections on ln and runs handle for each in its own
// goroutine until ln fails or the front is closed.
func (f *Front) serve(ln net.Listener, handle func(net.Conn)) error {
	if !f.track(ln) {
		ln.Close() //nolint:errcheck // refusing a listener after Close
		return ErrClosed
	}
	defer f.untrack(ln)
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if f.isClosed() {
				return ErrClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Like net/http: out of file descriptors and the like pass,
			// so back off instead of spinning or giving up.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			f.log.Warn("proxy accept failed", "listener", ln.Addr().String(), "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !f.enter() {
			c.Close() //nolint:errcheck // the front is closing
			return ErrClosed
		}
		f.workers.run(func() {
			defer f.wg.Done()
			handle(c)
		})
	}
}
