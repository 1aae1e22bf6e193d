package app

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"mdnhub/internal/money"
	"mdnhub/internal/proxy"
)

func (c *CLI) proxy(ctx context.Context, args []string) error {
	verb, rest, err := sub(args, "proxy", "port-set", "ports", "port-enable", "port-disable", "redials", "rentals")
	if err != nil {
		return err
	}
	fs, path := c.flags("proxy " + verb)
	id := fs.String("id", "", "port id, e.g. 50001 (port-*)")
	location := fs.String("location", "", "location shown to customers, e.g. NJ (port-set)")
	carrier := fs.String("carrier", "", "carrier shown to customers (port-set)")
	redialMin := fs.Int64("redial", 15, "automatic redial interval of a shared port in minutes, 0: never (port-set)")
	capacity := fs.Int64("capacity", 1, "most shared leases at once (port-set)")
	exclusive := fs.Bool("exclusive", true, "exclusive rental allowed (port-set)")
	upstream := fs.String("upstream", "", "socks5://host:port, http://host:port, direct or direct://<source IP> (port-set)")
	action := fs.String("redial-action", "", "http(s) URL to GET, or a command line, that changes the IP (port-set)")
	timeout := fs.Duration("redial-timeout", time.Minute, "time limit of the redial action (port-set)")
	name := fs.String("name", "", "user name or e-mail (rentals)")
	limit := fs.Int("limit", 50, "how many to list")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
	defer tw.Flush()
	switch verb {
	case "port-set":
		p := proxy.Port{ID: *id, Location: *location, Carrier: *carrier, RedialMinutes: *redialMin, Capacity: *capacity,
			ExclusiveAllowed: *exclusive, Upstream: *upstream, RedialAction: *action, RedialTimeout: *timeout, Enabled: true}
		if err := a.Proxies.PutPort(ctx, p); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "port %s saved\n", p.ID)
	case "port-enable", "port-disable":
		if err := a.Proxies.SetPortEnabled(ctx, *id, verb == "port-enable"); err != nil {
			return fmt.Errorf("port %q: %w", *id, err)
		}
		fmt.Fprintf(c.Stdout, "port %s %sd\n", *id, strings.TrimPrefix(verb, "port-"))
	case "ports":
		ports, err := a.Proxies.ListPorts(ctx, true)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "port\tlocation\tcarrier\tredial\tcapacity\tleases\texclusive\tenabled\tupstream\tservices")
		for _, p := range ports {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%dm\t%d\t%d\t%v\t%v\t%s\t%s\n", p.ID, p.Location, p.Carrier, p.RedialMinutes, p.Capacity,
				p.Leases, p.Exclusive, p.Enabled, p.Upstream, strings.Join(p.Services, ", "))
		}
	case "redials":
		rs, err := a.Proxies.Redials(ctx, *limit)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "id\tport\tby user\tstatus\trequested (UTC)\toutput")
		for _, r := range rs {
			by := "auto"
			if r.UserID != 0 {
				by = fmt.Sprint(r.UserID)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Port, by, r.Status,
				time.Unix(r.CreatedAt, 0).UTC().Format(time.DateTime), strings.ReplaceAll(strings.TrimSpace(r.Output), "\n", " | "))
		}
	case "rentals":
		u, err := a.Accounts.Find(ctx, *name)
		if err != nil {
			return fmt.Errorf("user %q: %w", *name, err)
		}
		rs, err := a.Proxies.Rentals(ctx, u.ID, *limit)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "id\tport\tservice\texclusive\tproxy user\tminutes\tprice\tstatus\texpires (UTC)")
		for _, r := range rs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%s\t%d\t%s\t%s\t%s\n", r.ID, r.Port, r.Service, r.Exclusive, r.ProxyUser, r.Minutes,
				money.Text(r.PriceCents), r.Status, time.Unix(r.ExpiresAt, 0).UTC().Format(time.DateTime))
		}
	}
	return nil
}
