// Package ratelimit holds the budgets that every protocol shares: calls per
// second per account (api.rate_limit) and failed authentications per minute
// per client address (api.auth_failure_limit). The wiring builds one Limiter
// and gives it to api_command.php and handler_api.php alike, so a client
// cannot double its budget, or go on guessing keys, by switching protocols.
// Each protocol words the refusal (*Limited) its own way.
package ratelimit

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/httprate"

	"mdnhub/internal/account"
)

// FailureWindow is the window of the failed-authentication budget.
const FailureWindow = time.Minute

// Limited is the refusal of a call over a budget.
type Limited struct {
	// Blocked: the client's address has used up its budget of failed
	// authentications, and nothing was looked up. Otherwise the account
	// is over its calls per second.
	Blocked bool
	// RetryAfter is how long until the budget has room again, at most.
	RetryAfter time.Duration
}

func (e *Limited) Error() string {
	if e.Blocked {
		return fmt.Sprintf("too many failed authentications from this address; retry after %s", e.RetryAfter)
	}
	return fmt.Sprintf("too many calls of this account; retry after %s", e.RetryAfter)
}

// Limiter applies both budgets. Successful calls are counted per account,
// which is known only after authentication, so a client cannot dodge its
// budget by naming its account differently or by switching protocols.
// Failed authentications are counted per client address (the TCP peer:
// forwarding headers are not trusted); an address over that budget is
// refused before anything is looked up, which caps both key guessing and
// the database work that uncached wrong keys cost. A nil Limiter limits
// nothing.
type Limiter struct {
	perAccount *httprate.RateLimiter // nil: unlimited
	failures   *httprate.RateLimiter // nil: unlimited
	failLimit  int
}

// New builds the budgets: perSecond calls per account, failuresPerMinute
// failed authentications per client address; 0 turns a budget off.
func New(perSecond, failuresPerMinute int) *Limiter {
	l := &Limiter{failLimit: failuresPerMinute}
	// Counting only: each protocol writes its own refusal and headers.
	quiet := httprate.WithResponseHeaders(httprate.ResponseHeaders{})
	if perSecond > 0 {
		l.perAccount = httprate.NewRateLimiter(perSecond, time.Second, quiet)
	}
	if failuresPerMinute > 0 {
		l.failures = httprate.NewRateLimiter(failuresPerMinute, FailureWindow, quiet)
	}
	return l
}

// Authenticate runs auth for the call r within both budgets. A client
// address over its budget of failures is refused (*Limited, Blocked)
// before auth runs; a failed authentication (account.ErrUnauthorized)
// counts against the address; a successful one counts a call of its
// account, refused (*Limited) when over the account's budget. Other errors
// of auth (a missing parameter, a suspended account, the database) are
// returned as they are and counted nowhere.
func (l *Limiter) Authenticate(r *http.Request, auth func() (account.Principal, error)) (account.Principal, error) {
	if l == nil {
		return auth()
	}
	if l.blocked(r) {
		return account.Principal{}, &Limited{Blocked: true, RetryAfter: FailureWindow}
	}
	p, err := auth()
	switch {
	case errors.Is(err, account.ErrUnauthorized):
		l.count(l.failures, r, peer(r))
	case err == nil && l.count(l.perAccount, r, "u:"+strconv.FormatInt(p.UserID, 10)):
		return account.Principal{}, &Limited{RetryAfter: time.Second}
	}
	return p, err
}

// peer is the client's address, the key of the failure budget.
func peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + httprate.CanonicalizeIP(host)
}

// blocked reports whether the client's address has used up its budget of
// failed authentications.
func (l *Limiter) blocked(r *http.Request) bool {
	if l.failures == nil {
		return false
	}
	_, rate, err := l.failures.Status(peer(r))
	return err == nil && rate >= float64(l.failLimit)
}

// count counts one event under key and reports whether it was over the
// budget (and so not counted). httprate wants a ResponseWriter for headers
// it has been told not to write; it gets one that goes nowhere, so that the
// protocol's own answer is all the client sees.
func (l *Limiter) count(rl *httprate.RateLimiter, r *http.Request, key string) bool {
	return rl != nil && rl.OnLimit(discard{}, r, key)
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
