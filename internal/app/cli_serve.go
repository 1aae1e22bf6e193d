package app

import (
	"context"
	"fmt"
	"os"

	"mdnhub/internal/clock"
)

func (c *CLI) serve(ctx context.Context, args []string, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs, path := c.flags(name)
	addr := fs.String("addr", "", "listen address (http.addr)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	overrides := map[string]string{"http.addr": *addr, "db.path": path.db}
	if demo {
		// The demo always runs on SQLite; its own file and the simulator are
		// defaults that the environment may still change.
		overrides["db.driver"] = "sqlite"
		if _, set := c.lookupEnv("MDNHUB_DB_PATH"); !set && path.db == "" {
			overrides["db.path"] = "mdnhub-demo.db"
		}
		if _, set := c.lookupEnv("MDNHUB_SIM_ENABLED"); !set {
			overrides["sim.enabled"] = "true"
		}
		if _, set := c.lookupEnv("MDNHUB_PROXY_ENABLED"); !set {
			overrides["proxy.enabled"] = "true"
		}
	}
	cfg, err := c.loadConfig(path.config, overrides)
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
		ready = func(addr string) { c.printDemo(addr, seed) }
	}
	return a.Serve(ctx, ready)
}

func (c *CLI) lookupEnv(k string) (string, bool) {
	if c.Env != nil {
		return c.Env(k)
	}
	return os.LookupEnv(k)
}

func (c *CLI) printDemo(addr string, s DemoSeed) {
	base := "http://" + addr + "/api_command.php"
	fmt.Fprintf(c.Stdout, `
mdnhub demo is running on http://%s (database %s)
  %d services, %d simulator numbers; the simulator texts a code a few seconds after each reservation.
  Proxy front: SOCKS5 on %s, HTTP on %s (ports 50001, 50002 leave directly from this host).

  user:    %s
  api_key: %s

Try:
  curl '%s?cmd=balance&user=%s&api_key=%s'
  curl '%s?cmd=request&user=%s&api_key=%s&service=Google'
  curl '%s?cmd=request_status&user=%s&api_key=%s&id=<id>'
  curl '%s?cmd=read_sms&user=%s&api_key=%s&id=<id>'

Stop with Ctrl-C.
`, addr, s.DBPath, s.Services, s.Numbers, s.SOCKSAddr, s.HTTPAddr, s.User, s.APIKey,
		base, s.User, s.APIKey, base, s.User, s.APIKey, base, s.User, s.APIKey, base, s.User, s.APIKey)
}
