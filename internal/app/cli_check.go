package app

import (
	"context"
	"fmt"

	"mdnhub/internal/check"
	"mdnhub/internal/message"
)

// checkInvariants runs `mdnhub check`: every invariant of the database, on
// one snapshot; the exit code is 1 when one is broken.
func (c *CLI) checkInvariants(ctx context.Context, args []string) error {
	fs, path := c.flags("check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("mdnhub check: unexpected argument %q", fs.Arg(0))
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := check.Run(ctx, a.DB, check.Options{Now: a.Clock.Now(), SendGrace: message.SendGrace})
	if err != nil {
		return err
	}
	fmt.Fprint(c.Stdout, rep.String())
	return rep.Err()
}
