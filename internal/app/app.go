// Package app wires mdnhub together: it opens the database, builds the
// domain services, and starts and stops the HTTP server, the job runner, the
// gateways and background workers in order. Only this package imports
// everything.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"mdnhub/internal/account"
	"mdnhub/internal/api"
	"mdnhub/internal/callback"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/db"
	"mdnhub/internal/gateway"
	"mdnhub/internal/gateway/sim"
	"mdnhub/internal/idempotency"
	"mdnhub/internal/inventory"
	"mdnhub/internal/jobs"
	"mdnhub/internal/mail"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
	"mdnhub/internal/proxy/redial"
	"mdnhub/internal/ratelimit"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
	"mdnhub/internal/smsactivate"
	"mdnhub/internal/web"
)

// App is one running mdnhub process.
type App struct {
	Config    config.Config
	Log       *slog.Logger
	Clock     clock.Clock
	DB        *db.DB
	Registry  *prometheus.Registry
	Accounts  *account.Service
	Catalog   *catalog.Catalog
	Inventory *inventory.Store
	Requests  *request.Service
	Rentals   *rental.Service
	Messages  *message.Service
	Jobs      *jobs.Runner // works the jobs (started by Serve)
	Web       *web.Server  // the web site, at http.addr beside the API
	// Mailbox keeps the site's mail when mail.mailbox is on (the demo).
	Mailbox   *mail.Mailbox
	Scheduler *jobs.Scheduler // inserts jobs, for the services
	Gateways  *gateway.Registry
	Sim       *sim.Simulator
	Events    *callback.Outbox
	Callbacks *callback.Dispatcher
	Proxies   *proxy.Service
	// Keys purges the stored answers of idempotent calls.
	Keys *idempotency.Keys
	// Limits are the rate budgets (calls per account, failed
	// authentications per address) that every protocol's handler shares:
	// one instance, so that a call counts the same whichever endpoint it
	// reaches.
	Limits *ratelimit.Limiter

	proxyAddrs  [2]string // where the proxy front listens, once serving
	metricsAddr string    // where the metrics listener listens, once serving
}

// NewLogger builds the process logger from the configuration.
func NewLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Open connects to the database, migrates it, and builds every service. It
// starts nothing; call Serve for that, and Close at the end.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, clk clock.Clock) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, db.Options{
		Driver: cfg.DB.Driver, Path: cfg.DB.Path, DSN: cfg.DB.DSN,
		Synchronous: cfg.DB.Synchronous, MaxConns: cfg.DB.MaxConns,
	})
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	// Services are built in one direction: the job scheduler (an
	// insert-only client) first, then each service with everything it
	// needs, then the job runner, whose workers call the services.
	sched, err := jobs.NewScheduler(d)
	if err != nil {
		d.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Clock: clk, DB: d, Registry: prometheus.NewRegistry(), Scheduler: sched}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Accounts = account.NewService(d, clk, cfg.API.AuthCacheTTL, cfg.API.AuthCacheMax)
	a.Limits = ratelimit.New(cfg.API.RateLimit, cfg.API.AuthFailures)
	a.Catalog = catalog.New(d, clk, cfg.Requests.DefaultLifetime)
	a.Inventory = inventory.NewStore(d, clk)
	a.Events = callback.NewOutbox(d, sched, cfg.Compat.PriorityRequestEvent)
	a.Callbacks = callback.NewDispatcher(d, clk, sched, callback.Options{
		Attempts: int64(cfg.Callbacks.Attempts), RetryInterval: cfg.Callbacks.RetryInterval,
		Timeout: cfg.Callbacks.Timeout, AllowPrivate: cfg.Callbacks.AllowPrivate,
	}, log.With("component", "callbacks"), a.Registry)
	// The request service joins the inventory's availability notifications
	// before the rental service: freed numbers go to premium bids first,
	// then to Unlimited reservations.
	a.Requests = request.NewService(d, clk, a.Inventory, a.Events, sched, cfg.Requests.MaxOpen, log)
	a.Gateways = gateway.NewRegistry()
	a.Rentals = rental.NewService(d, clk, a.Inventory, a.Catalog, a.Gateways, a.Events, sched, rental.Options{
		OnlineWindow: cfg.Rentals.OnlineWindow, HoldFor: cfg.Rentals.HoldFor, ReserveFeeCents: cfg.Rentals.ReserveFeeCents(),
	}, log)
	a.Messages = message.NewService(d, clk, a.Rentals, a.Requests, a.Events,
		message.Options{Sender: a.Gateways, Scheduler: sched, Log: log})
	a.Registry.MustRegister(a.Messages.Metrics())
	a.Sim = sim.New(a.Messages, cfg.Sim.MinDelay, cfg.Sim.MaxDelay, log.With("component", "sim"))
	a.Sim.ActivationDelay = cfg.Sim.ActivationDelay
	if err := a.Gateways.Add(a.Sim); err != nil {
		d.Close()
		return nil, err
	}
	if err := a.addGateways(); err != nil {
		d.Close()
		return nil, err
	}
	if a.Proxies, err = newProxyService(d, clk, sched, cfg.Proxy, log); err != nil {
		d.Close()
		return nil, err
	}
	a.Registry.MustRegister(&numbersCollector{inv: a.Inventory, log: log})
	a.Keys = idempotency.NewKeys(d, clk)
	a.Jobs, err = jobs.New(d, jobs.Services{Requests: a.Requests, Rentals: a.Rentals, Callbacks: a.Callbacks,
		Proxies: a.Proxies, Redialer: redial.New(), Messages: a.Messages, Keys: a.Keys},
		jobs.Options{Logger: log.With("component", "jobs")})
	if err != nil {
		d.Close()
		return nil, err
	}
	if err := a.buildWeb(); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }

// Handler builds the routes of the public listener (http.addr): the API,
// gateway pushes, health, and /metrics only when http.metrics_token guards
// it. A path with empty or dot segments is served at its clean form, never
// redirected (see cleanPaths).
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	h := api.NewHandler(api.Deps{
		Accounts: a.Accounts, Catalog: a.Catalog, Requests: a.Requests, Rentals: a.Rentals, Messages: a.Messages,
		Proxies: a.Proxies,
		Clock:   a.Clock, Log: a.Log, Metrics: api.NewMetrics(a.Registry),
		RequestStatusObject: a.Config.Compat.RequestStatusObject, MaxBodyBytes: a.Config.HTTP.MaxBodyBytes,
		Limits: a.Limits,
	})
	h.Route(mux)
	smsactivate.New(smsactivate.Deps{Accounts: a.Accounts, Catalog: a.Catalog, Requests: a.Requests, Messages: a.Messages,
		Clock: a.Clock, Log: a.Log, MaxBodyBytes: a.Config.HTTP.MaxBodyBytes, Limits: a.Limits}).Route(mux)
	mux.HandleFunc("/gateway/{name}/{action}", a.gatewayPush)
	mux.HandleFunc("GET /healthz", a.healthz)
	if a.Config.HTTP.MetricsToken != "" {
		mux.Handle("GET /metrics", a.metricsHandler())
	}
	mux.Handle("/", a.Web.Handler())
	return cleanPaths(mux)
}

// MetricsHandler serves /metrics alone, for the metrics listener
// (http.metrics_addr).
func (a *App) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metricsHandler())
	return cleanPaths(mux)
}

// cleanPaths serves a request whose path has empty or dot segments
// (//api_command.php, /./api_command.php, /sims//api_command.php,
// /%2Fapi_command.php) as if it came at the clean path. Left to itself,
// ServeMux would answer a redirect to the clean path whose Location repeats
// the query string, API key included; no API client follows it anyway.
func cleanPaths(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; r.Method != http.MethodConnect && p != cleanPath(p) {
			u := *r.URL
			u.Path, u.RawPath = cleanPath(p), ""
			r2 := *r
			r2.URL = &u
			r = &r2
		}
		h.ServeHTTP(w, r)
	})
}

// cleanPath is p rooted, without empty, . and .. segments, keeping a
// trailing slash, as ServeMux wants it.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.R.PingContext(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if full, since := a.DB.StorageFull(); full {
		// Reads are still served, so the node stays in rotation; the body
		// tells a person (and a body-matching monitor) why writes fail.
		fmt.Fprintf(w, "ok, but writes are failing: database storage full since %s\n", since.UTC().Format(time.RFC3339))
		return
	}
	io.WriteString(w, "ok\n")
}

// Serve runs the HTTP server and the background workers until ctx ends, then
// shuts down in order: stop accepting and finish in-flight requests, stop
// the gateways, stop the job runner. ready, if not nil, receives the bound
// address once the listener is open.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Config.HTTP.Addr, err)
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	// A server tells other processes of its changes after their commits
	// (see db.PublishAfterCommit).
	a.DB.PublishAfterCommit()

	if err := a.Catalog.Refresh(ctx); err != nil {
		ln.Close()
		return err
	}
	go a.Catalog.RunRefresher(bg, a.Config.Catalog.AvailabilityRefresh, a.Log)

	if a.DB.Notifies() {
		// Key changes made by other processes reach this one's auth cache.
		a.registerAuthListenerMetric()
		go a.Accounts.Watch(bg, a.Config.DB.DSN, a.Log.With("component", "auth"))
	}
	if a.Config.Sim.Enabled {
		a.Requests.OnReserved(a.Sim.Reserved)
	}
	if err := a.Jobs.Start(bg); err != nil {
		ln.Close()
		return err
	}
	gateways := a.runGateways(bg)
	stopProxy, err := a.startProxyFront()
	if err != nil {
		stopBG()
		a.Jobs.Stop(context.Background())
		ln.Close()
		return err
	}
	stopMetrics, err := a.startMetrics()
	if err != nil {
		stopProxy()
		stopBG()
		a.Jobs.Stop(context.Background())
		ln.Close()
		return err
	}

	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a.Log.Info("mdnhub serving", "addr", ln.Addr().String(), "db", string(a.DB.Dialect))
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case err = <-served:
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.HTTP.ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		a.Log.Warn("http shutdown", "err", serr)
	}
	stopMetrics(sctx)
	stopProxy()
	a.Sim.Stop()
	stopBG()
	gateways.Wait()
	if jerr := a.Jobs.Stop(sctx); jerr != nil {
		a.Log.Warn("job runner stop", "err", jerr)
	}
	stopBG()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (a *App) metricsHandler() http.Handler {
	return bearer(a.Config.HTTP.MetricsToken, promhttpHandler(a.Registry))
}
