package front

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/things-go/go-socks5/statute"
)

// Outcomes of a client connection, the result label of
// mdnhub_proxy_connections_total.
const (
	resultOK      = "ok"      // tunnel (or forwarded request) established
	resultDenied  = "denied"  // credentials missing, wrong, expired or revoked
	resultRefused = "refused" // destination guard, connection limit, unsupported request
	resultFailed  = "failed"  // upstream or destination unreachable, bad upstream, internal error
)

// refusal is an upstream proxy's refusal to reach the destination, with
// the SOCKS reply code to relay to the client.
type refusal struct {
	rep uint8
	msg string
}

func (r *refusal) Error() string { return r.msg }

// socksReplyText is how x/net/proxy words each SOCKS reply in its errors,
// the only place it reports the code.
var socksReplyText = map[string]uint8{
	"general SOCKS server failure":      statute.RepServerFailure,
	"connection not allowed by ruleset": statute.RepRuleFailure,
	"network unreachable":               statute.RepNetworkUnreachable,
	"host unreachable":                  statute.RepHostUnreachable,
	"connection refused":                statute.RepConnectionRefused,
	"TTL expired":                       statute.RepTTLExpired,
	"command not supported":             statute.RepCommandNotSupported,
	"address type not supported":        statute.RepAddrTypeNotSupported,
}

// refusalFromSOCKS turns a failed handshake with a reachable SOCKS5
// upstream into a refusal carrying the upstream's reply code.
func refusalFromSOCKS(err error) error {
	msg := err.Error()
	for text, rep := range socksReplyText {
		if strings.HasSuffix(msg, text) {
			return &refusal{rep: rep, msg: "upstream SOCKS5: " + text}
		}
	}
	return &refusal{rep: statute.RepServerFailure, msg: "upstream SOCKS5: " + msg}
}

// repFromStatus maps an HTTP upstream's CONNECT answer to a SOCKS reply.
func repFromStatus(code int) uint8 {
	switch code {
	case http.StatusForbidden:
		return statute.RepRuleFailure
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return statute.RepHostUnreachable
	case http.StatusGatewayTimeout:
		return statute.RepTTLExpired
	}
	return statute.RepServerFailure
}

// failure classifies why a tunnel could not be opened: the SOCKS reply,
// the HTTP status and the metric result.
func failure(err error) (rep uint8, status int, result string) {
	var ref *refusal
	var ne net.Error
	switch {
	case errors.Is(err, ErrDenied):
		return statute.RepRuleFailure, http.StatusProxyAuthRequired, resultDenied
	case errors.Is(err, errForbidden):
		return statute.RepRuleFailure, http.StatusForbidden, resultRefused
	case errors.Is(err, errLimit):
		return statute.RepRuleFailure, http.StatusTooManyRequests, resultRefused
	case errors.Is(err, errBadUpstream):
		return statute.RepServerFailure, http.StatusBadGateway, resultFailed
	case errors.As(err, &ref):
		if ref.rep == statute.RepTTLExpired {
			return ref.rep, http.StatusGatewayTimeout, resultFailed
		}
		return ref.rep, http.StatusBadGateway, resultFailed
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return statute.RepTTLExpired, http.StatusGatewayTimeout, resultFailed
	case errors.Is(err, syscall.ECONNREFUSED):
		return statute.RepConnectionRefused, http.StatusBadGateway, resultFailed
	case errors.Is(err, syscall.ENETUNREACH):
		return statute.RepNetworkUnreachable, http.StatusBadGateway, resultFailed
	case errors.Is(err, ErrClosed), errors.Is(err, errTunnelClosed), errors.Is(err, context.Canceled):
		return statute.RepServerFailure, http.StatusServiceUnavailable, resultFailed
	}
	return statute.RepHostUnreachable, http.StatusBadGateway, resultFailed
}
