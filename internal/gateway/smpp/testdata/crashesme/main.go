// Command crashesme runs the SMPP gateway with mdnhub's real message
// service on a SQLite database, for the gateway's crash test, which kills
// it while an SMSC delivers.
//
// Usage: crashesme -db PATH -smsc HOST:PORT [-now UNIX] [-die-after-commit N]
//
// -die-after-commit makes it SIGKILL itself right after its Nth commit
// returns, before any response of that batch is written: the worst moment,
// where the SMSC must resend SMS that are already stored.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"mdnhub/internal/app"
	"mdnhub/internal/clock"
	"mdnhub/internal/config"
	"mdnhub/internal/gateway/smpp"
	"mdnhub/internal/message"
)

func main() {
	dbPath := flag.String("db", "", "SQLite database path")
	smsc := flag.String("smsc", "", "SMSC address")
	now := flag.Int64("now", 0, "fake clock start (unix time); 0: real time")
	dieAfter := flag.Int64("die-after-commit", 0, "SIGKILL self after this many commits (0: never)")
	flag.Parse()

	cfg := config.Default()
	cfg.DB.Driver, cfg.DB.Path, cfg.DB.Synchronous = "sqlite", *dbPath, "FULL"
	cfg.Log.Level = "warn"
	var clk clock.Clock = clock.Real{}
	if *now != 0 {
		clk = clock.NewFake(time.Unix(*now, 0))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg.Log, os.Stderr), clk)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	gcfg, err := smpp.FromSettings("smsc1", map[string]string{
		"addr": *smsc, "system_id": "crashesme", "reconnect_min": "50ms", "reconnect_max": "500ms",
		// One bucket for the whole test: a resend is always recognised.
		"dedupe_window": "24h",
	})
	if err != nil {
		log.Fatal(err)
	}
	var d smpp.Deliverer = a.Messages
	if *dieAfter > 0 {
		d = &dying{Service: a.Messages, after: *dieAfter}
	}
	g := smpp.New(gcfg, d, a.Log, nil)
	if err := g.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// dying is the message service, killing the process after some commits.
type dying struct {
	*message.Service
	after   int64
	commits atomic.Int64
}

func (d *dying) DeliverBatch(ctx context.Context, ins []message.Inbound) ([]message.Result, error) {
	res, err := d.Service.DeliverBatch(ctx, ins)
	if err == nil && d.commits.Add(1) >= d.after {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return res, err
}
