package api

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/httprate"
)

// limiter applies the API's two rate limits. Successful calls are counted
// per account, which is known only after authentication, so a client cannot
// dodge its budget by varying the user parameter. Failed authentications are
// counted per client address (the TCP peer: forwarding headers are not
// trusted); an address over that budget is refused before anything is
// looked up, which caps both key guessing and the database work that
// uncached wrong keys cost.
type limiter struct {
	perAccount *httprate.RateLimiter // nil: unlimited
	failures   *httprate.RateLimiter // nil: unlimited
	failLimit  int
}

// failureWindow is the window of the failed-authentication budget.
const failureWindow = time.Minute

// newLimiter builds the limits: perSecond calls per account, failuresPerMinute
// failed authentications per client address; 0 turns a limit off.
func newLimiter(perSecond, failuresPerMinute int) *limiter {
	l := &limiter{failLimit: failuresPerMinute}
	// Counting only: the 429 answer and its headers are written by
	// tooMany, in the API's envelope.
	quiet := httprate.WithResponseHeaders(httprate.ResponseHeaders{})
	if perSecond > 0 {
		l.perAccount = httprate.NewRateLimiter(perSecond, time.Second, quiet)
	}
	if failuresPerMinute > 0 {
		l.failures = httprate.NewRateLimiter(failuresPerMinute, failureWindow, quiet)
	}
	return l
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
func (l *limiter) blocked(r *http.Request) bool {
	if l.failures == nil {
		return false
	}
	_, rate, err := l.failures.Status(peer(r))
	return err == nil && rate >= float64(l.failLimit)
}

// failed counts one failed authentication against the client's address.
func (l *limiter) failed(w http.ResponseWriter, r *http.Request) {
	if l.failures != nil {
		l.failures.OnLimit(w, r, peer(r))
	}
}

// overAccount counts one call of an authenticated account and reports
// whether it is over the account's budget.
func (l *limiter) overAccount(w http.ResponseWriter, r *http.Request, userID int64) bool {
	return l.perAccount != nil && l.perAccount.OnLimit(w, r, "u:"+strconv.FormatInt(userID, 10))
}

// tooMany answers 429 with Retry-After and the usual JSON envelope.
func tooMany(w http.ResponseWriter, retryAfter time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	writeError(w, http.StatusTooManyRequests, "Too many requests, retry later")
}
