package account

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuthChannel is the PostgreSQL notification channel on which the database
// sends the id of every user whose key, suspension, names or per-account
// settings changed (triggers on users, in the changing transaction).
const AuthChannel = "mdnhub_auth"

// How the listener keeps its connection honest and comes back after losing
// it: after listenPingEvery without a notification (Service.pingEvery) it
// pings the server.
const (
	listenPingEvery  = 5 * time.Second
	listenPingWithin = 5 * time.Second
	listenRetryFirst = 100 * time.Millisecond
	listenRetryMax   = 5 * time.Second
)

// Watch keeps this process's cache of verified API keys in step with the
// changes other processes make, on PostgreSQL: it holds its own connection
// (dsn) listening on AuthChannel and drops a user's cached keys as soon as a
// change of that user commits, so cached calls need no database read. While
// the connection is down (and before it is first up) the cache falls back to
// reading the change count on every call, and each new connection starts from
// an empty cache, since notifications sent meanwhile were lost. On SQLite
// there is nothing to listen to (the count is read on every call) and Watch
// returns at once. Watch returns when ctx ends.
func (s *Service) Watch(ctx context.Context, dsn string, log *slog.Logger) {
	if !s.db.Notifies() || !s.cache.enabled() {
		return
	}
	wait := listenRetryFirst
	for {
		up, err := s.listen(ctx, dsn)
		s.cache.setNotified(false)
		if ctx.Err() != nil {
			return
		}
		if up {
			wait = listenRetryFirst
		}
		log.Warn("auth change listener lost; cached API keys are checked against the database on every call until it is back",
			"err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, listenRetryMax)
	}
}

// Listening reports whether changes reach this process's cache by
// notification now (PostgreSQL with Watch running and connected).
func (s *Service) Listening() bool { return s.cache.isNotified() }

// listen runs one listening connection until it fails or ctx ends; up tells
// whether it got as far as listening.
func (s *Service) listen(ctx context.Context, dsn string) (up bool, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return false, err
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "mdnhub auth listener"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+AuthChannel); err != nil {
		return false, err
	}
	// From here on every change is heard; what changed before is not
	// known, so start afresh.
	s.cache.setNotified(true)
	for {
		wctx, cancel := context.WithTimeout(ctx, s.pingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if id, perr := strconv.ParseInt(n.Payload, 10, 64); perr == nil {
				s.cache.dropUser(id)
			} else {
				s.cache.clear()
			}
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Quiet for a while: make sure the connection still stands,
			// since a dead one would hear nothing.
			pctx, cancel := context.WithTimeout(ctx, listenPingWithin)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}
