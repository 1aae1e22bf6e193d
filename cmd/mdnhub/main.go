// Command mdnhub is the mdnhub server and its operator tool.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"mdnhub/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cli := &app.CLI{Stdout: os.Stdout, Stderr: os.Stderr}
	code := cli.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
