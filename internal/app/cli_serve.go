package app

import (
	"context"
	"fmt"
	"net"

	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/money"
)

func (c *CLI) serve(ctx context.Context, args []string, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs, path := c.flags(name)
	addr := fs.String("addr", "", "listen address (http.addr); in the demo the proxy front follows it to free ports")
	if err := fs.Parse(args); err != nil {
		return err
	}
	overrides := map[string]string{"http.addr": *addr, "db.path": path.db}
	var defaults func(config.Config) map[string]string
	if demo {
		// The demo always runs on SQLite.
		overrides["db.driver"] = "sqlite"
		defaults = demoDefaults
	}
	cfg, err := c.loadConfigWith(path.config, overrides, defaults)
	if err != nil {
		return err
	}
	log := NewLogger(cfg.Log, c.Stderr)
	a, err := Open(ctx, cfg, log, clock.Real{})
	if err != nil {
		return err
	}
	defer a.Close()
	var ready func(string)
	if demo {
		seed, err := SeedDemo(ctx, a)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		ready = func(addr string) {
			socks, httpProxy := a.ProxyAddrs()
			c.printDemo(addr, socks, httpProxy, seed)
		}
	}
	return a.Serve(ctx, ready)
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
	}
}

func (c *CLI) printDemo(addr, socks, httpProxy string, s DemoSeed) {
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
	fmt.Fprintf(c.Stdout, `
mdnhub demo is running on http://%s
  database %s, %s
  %d services, %d simulator numbers; the simulator texts a code a few seconds after each reservation.
  %s

  user:    %s
  api_key: %s

Try (the quick tour in README.md has more):
  export K=%s B='%s?user=%s&api_key=%s'
  curl "$B&cmd=balance"
  curl "$B&cmd=request&service=Google"
  curl "$B&cmd=request_status&id=<id>"
  curl "$B&cmd=read_sms&id=<id>&wait=30"

Stop with Ctrl-C.
`, addr, s.DBPath, data, s.Services, s.Numbers, proxyLine, s.User, s.APIKey,
		s.APIKey, base, s.User, s.APIKey)
}
