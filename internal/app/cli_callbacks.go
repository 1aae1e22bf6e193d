package app

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

func (c *CLI) callbacks(ctx context.Context, args []string) error {
	verb, rest, err := sub(args, "callbacks", "set", "log", "redeliver")
	if err != nil {
		return err
	}
	fs, path := c.flags("callbacks " + verb)
	name := fs.String("name", "", "user name or e-mail")
	target := fs.String("url", "", "callback URL; empty turns callbacks off (set)")
	secret := fs.String("secret", "", "signing secret, 16 to 128 characters; empty keeps or generates one (set)")
	limit := fs.Int("limit", 50, "how many deliveries to list (log)")
	id := fs.Int64("id", 0, "event id, as listed by log (redeliver)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	if verb == "redeliver" {
		if *id == 0 {
			return usagef("mdnhub callbacks redeliver: -id is required")
		}
		if err := a.Callbacks.Redeliver(ctx, 0, *id); err != nil {
			return fmt.Errorf("event %d: %w", *id, err)
		}
		fmt.Fprintf(c.Stdout, "event %d will be delivered again by the running server\n", *id)
		return nil
	}
	if *name == "" {
		return usagef("mdnhub callbacks %s: -name is required", verb)
	}
	u, err := a.Accounts.Find(ctx, *name)
	if err != nil {
		return fmt.Errorf("user %q: %w", *name, err)
	}
	switch verb {
	case "set":
		s, err := a.Accounts.SetCallback(ctx, u.ID, *target, *secret)
		if err != nil {
			return err
		}
		if s.URL == "" {
			fmt.Fprintf(c.Stdout, "callbacks of %s are off\n", u.Username)
			return nil
		}
		fmt.Fprintf(c.Stdout, "callbacks of %s go to %s\nsigning secret: %s\n", u.Username, s.URL, s.Secret)
	case "log":
		ds, err := a.Callbacks.Log(ctx, u.ID, *limit)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tevent\tstatus\tattempts\tlast code\tlast error\tcreated (UTC)\tnext attempt (UTC)")
		for _, d := range ds {
			next := ""
			if d.NextAttemptAt != 0 {
				next = time.Unix(d.NextAttemptAt, 0).UTC().Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", d.ID, d.Event, d.Status, d.Attempts, d.LastCode, d.LastError,
				time.Unix(d.CreatedAt, 0).UTC().Format(time.DateTime), next)
		}
		tw.Flush()
	}
	return nil
}
