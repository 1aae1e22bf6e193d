package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"mdnhub/internal/app"
	"mdnhub/internal/bench"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
)

// benchCommand is mdnhub bench, the load tool (internal/bench).
func benchCommand() *command {
	return &command{
		noun:    "bench",
		summary: "measure the API under load on a fresh database, each scenario beside its baseline of the same run; loopback only",
		example: "mdnhub bench -driver sqlite -scales 1,100 -json bench.json",
		bare:    true,
		setup: func(fs *flag.FlagSet) action {
			var o bench.Options
			fs.StringVar(&o.Driver, "driver", "sqlite", "database engine: sqlite or postgres")
			fs.StringVar(&o.DSN, "dsn", "", "PostgreSQL server on which a fresh database is created and dropped (postgres only)")
			fs.StringVar(&o.Dir, "dir", "", "folder for the SQLite files and the server configuration (default: a temporary one)")
			fs.StringVar(&o.Synchronous, "sync", "FULL", "SQLite synchronous pragma of the server and of the raw baseline")
			scales := fs.String("scales", "1,100", "data scales, comma-separated: 1 is the base history, 100 a hundred times more")
			scenarios := fs.String("scenarios", "poll,write,push,longpoll", "scenarios to run, comma-separated")
			fs.IntVar(&o.Conns, "conns", 64, "connections of the closed-loop client")
			fs.IntVar(&o.DBConns, "db-conns", 8, "the server's db.max_conns, also the raw write baseline's pool")
			fs.DurationVar(&o.Duration, "duration", 3*time.Second, "length of one measured run")
			fs.IntVar(&o.Rounds, "rounds", 3, "interleaved rounds of each scenario and its baseline")
			fs.IntVar(&o.Waiters, "waiters", 2000, "long-poll waiters (read_sms wait=60)")
			fs.IntVar(&o.Open, "open", 10000, "open requests during the long-poll scenario")
			fs.Float64Var(&o.PushRate, "push-rate", 1000, "inbound messages per second of the push-to-visible run")
			fs.IntVar(&o.History, "history", 5000, "finished requests (each with two messages) at scale 1")
			fs.Int64Var(&o.MaxCalls, "max-calls", 2_000_000, "most calls of one run")
			fs.StringVar(&o.JSON, "json", "", "write the report as JSON to this file")
			profiles := fs.String("cpuprofile", "", "folder where each server writes a CPU profile (pprof) of its run")
			inProcess := fs.Bool("inprocess", false, "run the servers inside this process (memory figures then include the client)")
			trivial := fs.String("trivial-server", "", "serve only the baseline handler at this address until stopped (the bench starts it so)")
			return func(ctx context.Context, r *run) error {
				if *trivial != "" {
					return bench.ServeTrivial(ctx, *trivial, nil)
				}
				var err error
				if o.Scales, err = intList(*scales); err != nil {
					return r.usagef("-scales: %v", err)
				}
				o.Scenarios = strings.Split(*scenarios, ",")
				for _, s := range o.Scenarios {
					switch s {
					case "poll", "write", "push", "longpoll":
					default:
						return r.usagef("-scenarios: unknown scenario %q", s)
					}
				}
				if o.Driver != "sqlite" && o.Driver != "postgres" {
					return r.usagef("-driver must be sqlite or postgres")
				}
				o.Out = r.Stdout
				var h bench.Host = &childHost{stderr: r.Stderr, profileDir: *profiles}
				if *inProcess {
					h = &inProcessHost{}
				}
				_, err = bench.Run(ctx, h, o)
				return err
			}
		},
	}
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10000 {
			return nil, fmt.Errorf("%q is not a whole number from 1 to 10000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// loadBenchConfig reads the bench's configuration file and nothing else
// (the environment of the shell does not leak into a measurement).
func loadBenchConfig(file string) (config.Config, error) {
	return config.Load(file, func(string) (string, bool) { return "", false }, nil)
}

// openBench opens mdnhub on the bench's configuration, quietly.
func openBench(ctx context.Context, file string) (*app.App, error) {
	cfg, err := loadBenchConfig(file)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, app.NewLogger(cfg.Log, io.Discard), clock.Real{})
}

func domainOf(a *app.App) bench.Domain {
	return bench.Domain{DB: a.DB, Accounts: a.Accounts, Catalog: a.Catalog, Inventory: a.Inventory,
		Requests: a.Requests, Messages: a.Messages}
}

// childHost runs the servers as child processes of this binary, so that
// their memory is measured apart from the load generator's.
type childHost struct {
	stderr     io.Writer
	profileDir string // where each server writes its CPU profile ("" none)
}

func (h *childHost) Open(ctx context.Context, file string) (bench.Domain, func() error, error) {
	a, err := openBench(ctx, file)
	if err != nil {
		return bench.Domain{}, nil, err
	}
	return domainOf(a), a.Close, nil
}

func (h *childHost) Serve(ctx context.Context, file string) (bench.Process, error) {
	args := []string{"serve", "-config", file}
	if h.profileDir != "" {
		name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)) + ".pprof"
		args = append(args, "-cpuprofile", filepath.Join(h.profileDir, name))
	}
	return h.child(ctx, args...)
}

func (h *childHost) Trivial(ctx context.Context, addr string) (bench.Process, error) {
	return h.child(ctx, "bench", "-trivial-server", addr)
}

// child starts this binary with args; Stop interrupts it and waits.
func (h *childHost) child(ctx context.Context, args ...string) (bench.Process, error) {
	exe, err := os.Executable()
	if err != nil {
		return bench.Process{}, err
	}
	cmd := exec.Command(exe, args...)
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &lockedWriter{w: &errOut}
	// Only what the command line sets: no MDNHUB_* of the caller's shell.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MDNHUB_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		return bench.Process{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stop := func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil && errOut.Len() > 0 {
				fmt.Fprintf(h.stderr, "mdnhub %s: %s\n", args[0], errOut.String())
			}
			return nil
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			return <-done
		}
	}
	return bench.Process{PID: cmd.Process.Pid, Stop: stop}, nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// inProcessHost runs the servers in this process (tests; no memory
// figures of their own).
type inProcessHost struct{}

func (h *inProcessHost) Open(ctx context.Context, file string) (bench.Domain, func() error, error) {
	return (&childHost{}).Open(ctx, file)
}

func (h *inProcessHost) Serve(ctx context.Context, file string) (bench.Process, error) {
	a, err := openBench(ctx, file)
	if err != nil {
		return bench.Process{}, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, nil) }()
	return bench.Process{Stop: func() error {
		cancel()
		err := <-done
		a.Close()
		return err
	}}, nil
}

func (h *inProcessHost) Trivial(ctx context.Context, addr string) (bench.Process, error) {
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- bench.ServeTrivial(sctx, addr, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		return bench.Process{}, err
	}
	return bench.Process{Stop: func() error { cancel(); return <-done }}, nil
}
