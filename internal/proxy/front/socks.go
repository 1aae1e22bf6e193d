package front

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	socks5 "github.com/things-go/go-socks5"
	"github.com/things-go/go-socks5/statute"
)

const listenerSOCKS = "socks5"

// ServeSOCKS serves SOCKS5 (RFC 1928) on ln: username/password
// authentication only (RFC 1929), CONNECT only; host names are resolved
// and checked like every destination (see resolveDestination). It returns
// ErrClosed after Close, or ln's error.
func (f *Front) ServeSOCKS(ln net.Listener) error {
	srv := socks5.NewServer(
		// Only RFC 1929: a client offering no-auth alone gets "no
		// acceptable methods".
		socks5.WithAuthMethods([]socks5.Authenticator{socksPassword{f}}),
		socks5.WithResolver(unresolved{}),
		socks5.WithConnectHandle(f.socksConnect),
		socks5.WithBindHandle(socksUnsupported),
		socks5.WithAssociateHandle(socksUnsupported),
		socks5.WithLogger(socksLogger{f.log}),
	)
	return f.serve(ln, func(c net.Conn) { f.serveSOCKSConn(srv, c) })
}

// socksConn carries one client connection's state through go-socks5,
// which hands it back as the io.Writer of each step.
type socksConn struct {
	net.Conn // as accepted: the tunnel copies on it directly
	f        *Front
	lease    Lease
	authAt   time.Time
	counted  bool
	// tunnelled is set once a tunnel owns the connection.
	tunnelled bool
}

// Close closes the connection unless a tunnel owns it: go-socks5 closes
// it when the CONNECT handler returns, and the tunnel's way up may still
// be copying then.
func (c *socksConn) Close() error {
	if c.tunnelled {
		return nil
	}
	return c.Conn.Close()
}

// record counts the connection's outcome, once.
func (c *socksConn) record(result string) {
	if !c.counted {
		c.counted = true
		c.f.metrics.count(listenerSOCKS, result)
	}
}

func (f *Front) serveSOCKSConn(srv *socks5.Server, c net.Conn) {
	if !f.track(c) {
		c.Close() //nolint:errcheck // the front is closing
		return
	}
	defer f.untrack(c)
	sc := &socksConn{Conn: c, f: f}
	c.SetDeadline(time.Now().Add(handshakeTimeout)) //nolint:errcheck // a fresh socket
	err := srv.ServeConn(sc)
	switch {
	case errors.Is(err, statute.ErrNoSupportedAuth):
		sc.record(resultRefused)
	case err != nil:
		sc.record(resultFailed) // a broken or abandoned handshake; no-op if decided earlier
	}
}

// socksPassword is RFC 1929 username/password authentication against the
// Authenticator.
type socksPassword struct{ f *Front }

func (socksPassword) GetCode() uint8 { return statute.MethodUserPassAuth }

func (a socksPassword) Authenticate(r io.Reader, w io.Writer, _ string) (*socks5.AuthContext, error) {
	sc := w.(*socksConn)
	if _, err := w.Write([]byte{statute.VersionSocks5, statute.MethodUserPassAuth}); err != nil {
		return nil, err
	}
	req, err := statute.ParseUserPassRequest(r)
	if err != nil {
		return nil, err
	}
	lease, authAt, err := a.f.authenticate(string(req.User), string(req.Pass))
	if err != nil {
		w.Write([]byte{statute.UserPassAuthVersion, statute.AuthFailure}) //nolint:errcheck // closing anyway
		if errors.Is(err, ErrDenied) {
			sc.record(resultDenied)
		} else {
			a.f.log.Warn("proxy authentication failed", "err", err)
			sc.record(resultFailed)
		}
		return nil, err
	}
	if _, err := w.Write([]byte{statute.UserPassAuthVersion, statute.AuthSuccess}); err != nil {
		return nil, err
	}
	sc.lease, sc.authAt = lease, authAt
	return &socks5.AuthContext{Method: statute.MethodUserPassAuth, Payload: map[string]string{"username": string(req.User)}}, nil
}

// unresolved keeps go-socks5 from resolving host names: the front resolves
// and checks them itself in open, or passes them to an upstream the
// operator told to resolve them.
type unresolved struct{}

func (unresolved) Resolve(ctx context.Context, _ string) (context.Context, net.IP, error) {
	return ctx, nil, nil
}

// zeroAddr is the bound address in success replies: the real one would
// only tell clients about the front's or the modem's internals.
var zeroAddr = &net.TCPAddr{IP: net.IPv4zero, Port: 0}

// socksConnect handles CONNECT: guard, reserve, dial, reply, copy.
func (f *Front) socksConnect(_ context.Context, w io.Writer, req *socks5.Request) error {
	sc := w.(*socksConn)
	// From here the steps have their own bounds (DialTimeout) and the
	// tunnel must not inherit the handshake deadline.
	sc.Conn.SetDeadline(time.Time{}) //nolint:errcheck // best effort
	dst := req.RawDestAddr
	host := dst.FQDN
	if host == "" {
		host = dst.IP.String()
	}
	t, prefix, err := f.open(sc.lease, sc.authAt, listenerSOCKS, host, strconv.Itoa(dst.Port))
	if err != nil {
		rep, _, result := failure(err)
		sc.record(result)
		socks5.SendReply(w, rep, nil) //nolint:errcheck // closing anyway
		return err
	}
	if err := socks5.SendReply(w, statute.RepSuccess, zeroAddr); err != nil {
		t.release()
		sc.record(resultFailed)
		return err
	}
	sc.counted = true // establish counts "ok"
	var pending []byte
	if br, ok := req.Reader.(*bufio.Reader); ok && br.Buffered() > 0 {
		// The client sent data right behind its request (no round trip
		// wait); it sits in go-socks5's buffer, not in the socket.
		p, _ := br.Peek(br.Buffered())
		pending = append([]byte(nil), p...)
	}
	sc.tunnelled = true
	t.run(sc.Conn, pending, prefix)
	return nil
}

// socksUnsupported answers BIND and UDP ASSOCIATE.
func socksUnsupported(_ context.Context, w io.Writer, req *socks5.Request) error {
	w.(*socksConn).record(resultRefused)
	socks5.SendReply(w, statute.RepCommandNotSupported, nil) //nolint:errcheck // closing anyway
	return fmt.Errorf("socks command %d not supported", req.Command)
}

// socksLogger sends go-socks5's own messages to slog at debug level.
type socksLogger struct{ log *slog.Logger }

func (l socksLogger) Errorf(format string, args ...any) {
	l.log.Debug("socks5: " + fmt.Sprintf(format, args...))
}
