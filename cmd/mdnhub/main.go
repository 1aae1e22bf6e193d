// Command mdnhub is the mdnhub server and its operator tool; the commands
// live in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"mdnhub/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli.CLI{Stdout: os.Stdout, Stderr: os.Stderr}
	code := c.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
