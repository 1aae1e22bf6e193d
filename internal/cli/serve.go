package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/pprof"

	"mdnhub/internal/app"
	"mdnhub/internal/config"
	"mdnhub/internal/money"
)

// serverCommands are serve and demo, which run the server until a signal.
func serverCommands() []*command {
	return []*command{{
		noun:    "serve",
		summary: "run the API server and everything the configuration enables",
		example: "mdnhub serve -config /etc/mdnhub.conf",
		setup:   func(fs *flag.FlagSet) action { return serverAction(fs, false) },
	}, {
		noun:    "demo",
		summary: "run the server on a SQLite file with sample data and the simulator; prints an API key",
		example: "mdnhub demo -addr 127.0.0.1:8090 -db second-demo.db",
		setup:   func(fs *flag.FlagSet) action { return serverAction(fs, true) },
	}}
}

// serverAction declares -addr and returns the action of serve or demo.
func serverAction(fs *flag.FlagSet, demo bool) action {
	addr := fs.String("addr", "", "listen address (http.addr); in the demo the proxy front follows it to free ports")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the whole run to this file")
	return func(ctx context.Context, r *run) error {
		if *cpuProfile != "" {
			stop, err := startCPUProfile(*cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
		}
		s := settings{overrides: map[string]string{"http.addr": *addr}}
		if demo {
			// The demo always runs on SQLite.
			s.overrides["db.driver"] = "sqlite"
			s.defaults = demoDefaults
		}
		logger := func(cfg config.Config) *slog.Logger { return app.NewLogger(cfg.Log, r.Stderr) }
		return r.openApp(ctx, s, logger, func(a *app.App) error {
			var ready func(string)
			if demo {
				seed, err := app.SeedDemo(ctx, a)
				if err != nil {
					return fmt.Errorf("demo data: %w", err)
				}
				ready = func(addr string) {
					socks, httpProxy := a.ProxyAddrs()
					r.printDemo(addr, socks, httpProxy, seed)
				}
			}
			return a.Serve(ctx, ready)
		})
	}
}

// startCPUProfile profiles the process into file until the returned
// function is called (mdnhub bench -cpuprofile runs its servers so).
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// demoDefaults are the demo's settings wherever the file, the environment and
// the flags leave the default: its own SQLite file, the simulator and the
// proxy front on, and the proxy listeners on free ports of the API's host,
// so that -addr alone moves a demo and two demos run side by side.
func demoDefaults(cfg config.Config) map[string]string {
	host, _, err := net.SplitHostPort(cfg.HTTP.Addr)
	if err != nil {
		host = "127.0.0.1"
	}
	return map[string]string{
		"db.path":          "mdnhub-demo.db",
		"sim.enabled":      "true",
		"proxy.enabled":    "true",
		"proxy.socks_addr": net.JoinHostPort(host, "0"),
		"proxy.http_addr":  net.JoinHostPort(host, "0"),
		"mail.mailbox":     "true",
	}
}

// printDemo tells where the demo runs, with its user, key and a few calls
// to try.
func (r *run) printDemo(addr, socks, httpProxy string, s app.DemoSeed) {
	base := "http://" + addr + "/api_command.php"
	data := "a new demo database"
	if s.Kept {
		data = fmt.Sprintf("kept from an earlier run: balance $%s, same API key (delete the file and %s to start afresh)",
			money.Text(s.BalanceCents), s.KeyFile)
	}
	proxyLine := "Proxy front: off."
	if socks != "" {
		proxyLine = fmt.Sprintf("Proxy front: SOCKS5 on %s, HTTP on %s (ports 50001, 50002 leave directly from this host).", socks, httpProxy)
	}
	fmt.Fprintf(r.Stdout, `
mdnhub demo is running on http://%s
  database %s, %s
  %d services, %d simulator numbers; the simulator texts a code a few seconds after each reservation.
  %s

  Web site: http://%s/  (log in as %s / %s; operator: %s / %s; mail: http://%s/mailbox)

  user:    %s
  api_key: %s

Try the API (the quick tour in README.md has more):
  export K=%s B='%s?user=%s&api_key=%s'
  curl "$B&cmd=balance"
  curl "$B&cmd=request&service=Google"
  curl "$B&cmd=request_status&id=<id>"
  curl "$B&cmd=read_sms&id=<id>&wait=30"

Stop with Ctrl-C.
`, addr, s.DBPath, data, s.Services, s.Numbers, proxyLine,
		addr, s.User, s.Password, s.Operator, s.OperatorPassword, addr, s.User, s.APIKey,
		s.APIKey, base, s.User, s.APIKey)
}
