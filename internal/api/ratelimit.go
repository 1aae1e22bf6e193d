package api

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/httprate"
)

// RateLimit wraps the API with a per-user limit of perSecond calls (keyed by
// the user parameter of the query string, or the client address). Over the limit the
// answer is 429 with Retry-After and the usual JSON envelope.
func RateLimit(perSecond int, next http.Handler) http.Handler {
	return httprate.LimitBy(perSecond, time.Second,
		func(r *http.Request) (string, error) {
			if u := strings.ToLower(r.URL.Query().Get("user")); u != "" {
				return "u:" + u, nil
			}
			// The TCP peer: mdnhub does not trust forwarding headers.
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				host = r.RemoteAddr
			}
			return "ip:" + host, nil
		},
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			if w.Header().Get("Retry-After") == "" {
				w.Header().Set("Retry-After", "1")
			}
			writeError(w, http.StatusTooManyRequests, "Too many requests, retry later")
		}),
	)(next)
}
