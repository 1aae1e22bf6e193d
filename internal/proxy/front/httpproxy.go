package front

import (
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

const listenerHTTP = "http"

// ServeHTTPProxy serves an HTTP proxy on ln: CONNECT tunnels and
// absolute-form http:// requests, with Basic Proxy-Authorization. It
// returns ErrClosed after Close, or ln's error.
//
// The front accepts the connections: CONNECTs that open a connection are
// answered by serveHTTPConn, everything else by an http.Server that gets
// its connections through a handoff listener.
func (f *Front) ServeHTTPProxy(ln net.Listener) error {
	srv := &http.Server{
		Handler:           http.HandlerFunc(f.serveHTTP),
		ReadHeaderTimeout: handshakeTimeout,
		IdleTimeout:       f.opt.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(f.log.Handler(), slog.LevelDebug),
	}
	if !f.track(srv) {
		ln.Close() //nolint:errcheck // refusing a listener after Close
		return ErrClosed
	}
	defer f.untrack(srv)
	h := newHandoff(ln.Addr())
	served := make(chan struct{})
	go func() {
		srv.Serve(h) //nolint:errcheck // ends when h is closed
		close(served)
	}()
	err := f.serve(ln, func(c net.Conn) { f.serveHTTPConn(c, h) })
	h.Close() //nolint:errcheck // never fails
	<-served
	return err
}

func (f *Front) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !f.enter() {
		proxyError(w, http.StatusServiceUnavailable, "proxy shutting down")
		return
	}
	defer f.wg.Done()
	switch {
	case r.Method == http.MethodConnect:
		f.serveConnect(w, r)
	case r.URL.IsAbs() && r.URL.Host != "":
		f.serveForward(w, r)
	default:
		f.metrics.count(listenerHTTP, resultRefused)
		proxyError(w, http.StatusBadRequest, "not a proxy request: use an absolute http:// URL or CONNECT")
	}
}

// proxyCredentials reads a Basic Proxy-Authorization header.
func proxyCredentials(r *http.Request) (user, pass string, ok bool) {
	scheme, value, found := strings.Cut(r.Header.Get("Proxy-Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	return user, pass, true
}

// httpAuth checks the request's proxy credentials; on failure it has
// answered (407, or 503 when the Authenticator failed) and ok is false.
func (f *Front) httpAuth(w http.ResponseWriter, r *http.Request) (lease Lease, authAt time.Time, ok bool) {
	user, pass, found := proxyCredentials(r)
	if !found {
		f.metrics.count(listenerHTTP, resultDenied)
		proxyAuthRequired(w)
		return lease, authAt, false
	}
	lease, authAt, err := f.authenticate(user, pass)
	switch {
	case errors.Is(err, ErrDenied):
		f.metrics.count(listenerHTTP, resultDenied)
		proxyAuthRequired(w)
		return lease, authAt, false
	case err != nil:
		f.log.Warn("proxy authentication failed", "err", err)
		f.metrics.count(listenerHTTP, resultFailed)
		proxyError(w, http.StatusServiceUnavailable, "authentication unavailable")
		return lease, authAt, false
	}
	return lease, authAt, true
}

func proxyAuthRequired(w http.ResponseWriter) {
	w.Header().Set("Proxy-Authenticate", `Basic realm="mdnhub"`)
	proxyError(w, http.StatusProxyAuthRequired, "proxy authentication required")
}

func proxyError(w http.ResponseWriter, status int, msg string) {
	http.Error(w, "mdnhub: "+msg, status)
}

// openFailed answers a failed open with its status and counts it.
func (f *Front) openFailed(w http.ResponseWriter, err error) {
	_, status, result := failure(err)
	f.metrics.count(listenerHTTP, result)
	if status == http.StatusProxyAuthRequired {
		proxyAuthRequired(w)
		return
	}
	// Internal addresses (the modem's, the dialler's) stay out of the
	// answer: the client learns what failed, not where.
	msg := "cannot reach the destination"
	var ref *refusal
	switch {
	case errors.Is(err, errForbidden), errors.Is(err, errLimit):
		msg = err.Error()
	case errors.As(err, &ref):
		msg = ref.msg
	case errors.Is(err, errBadUpstream):
		msg = "the rental's upstream is misconfigured"
	case status == http.StatusGatewayTimeout:
		msg = "timed out reaching the destination"
	}
	proxyError(w, status, msg)
}

// connectEstablished is the answer to a CONNECT that got its tunnel.
const connectEstablished = "HTTP/1.1 200 Connection established\r\n\r\n"

// serveConnect opens a tunnel for CONNECT host:port and hands the client
// connection to it.
func (f *Front) serveConnect(w http.ResponseWriter, r *http.Request) {
	lease, authAt, ok := f.httpAuth(w, r)
	if !ok {
		return
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil || host == "" || port == "" {
		f.metrics.count(listenerHTTP, resultRefused)
		proxyError(w, http.StatusBadRequest, "CONNECT needs host:port")
		return
	}
	t, prefix, err := f.open(lease, authAt, listenerHTTP, host, port)
	if err != nil {
		f.openFailed(w, err)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.release()
		f.metrics.count(listenerHTTP, resultFailed)
		proxyError(w, http.StatusInternalServerError, "cannot take over the connection")
		return
	}
	// The server's header deadline must not cut the tunnel.
	conn.SetDeadline(time.Time{}) //nolint:errcheck // best effort
	conn, early := unwrap(conn)
	if _, err := io.WriteString(conn, connectEstablished); err != nil {
		conn.Close() //nolint:errcheck // the client is gone
		t.release()
		f.metrics.count(listenerHTTP, resultFailed)
		return
	}
	var pending []byte
	if n := brw.Reader.Buffered(); n > 0 {
		// A client may send its first bytes (a TLS ClientHello) without
		// waiting for the answer; they are in the server's buffer.
		p, _ := brw.Reader.Peek(n)
		pending = append([]byte(nil), p...)
	}
	t.run(conn, append(pending, early...), prefix)
}
