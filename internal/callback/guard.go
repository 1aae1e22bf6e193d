package callback

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"mdnhub/internal/netguard"
)

// ErrForbiddenAddress is returned when a callback target resolves to an
// address the guard refuses.
var ErrForbiddenAddress = errors.New("callback target address is not allowed")

// NewClient returns the HTTP client callbacks are sent with: no redirects
// followed (a 3xx is a failure), no proxy from the environment, a timeout
// per attempt, and unless allowPrivate a guard that checks the address
// actually connected to, after DNS resolution, so a name that resolves (or
// re-resolves) to an internal address is refused.
func NewClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			if why := netguard.Forbidden(ip); why != "" {
				return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, host, why)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
