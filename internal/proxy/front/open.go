package front

import (
	"context"
	"net"
	"time"
)

// authenticate checks credentials; authAt is taken before the call so a
// Revoke racing with it wins.
func (f *Front) authenticate(user, pass string) (lease Lease, authAt time.Time, err error) {
	authAt = time.Now()
	ctx, cancel := context.WithTimeout(f.ctx, authTimeout)
	defer cancel()
	lease, err = f.auth.Authenticate(ctx, user, pass)
	if err == nil && !lease.ExpiresAt.IsZero() && !authAt.Before(lease.ExpiresAt) {
		err = ErrDenied
	}
	return lease, authAt, err
}

// open reserves a tunnel for lease and connects it to host:port through
// the lease's upstream. The destination guard runs first on what the
// client wrote, then on the addresses a name resolves to, so a refused
// destination is never dialled. On success the caller owns the tunnel
// (run or release it); prefix holds bytes for the client that came with
// the upstream's answer.
func (f *Front) open(lease Lease, authAt time.Time, listener, host, port string) (t *tunnel, prefix []byte, err error) {
	if err := f.checkDestination(host); err != nil {
		return nil, nil, err
	}
	up, err := parseUpstream(lease.Upstream)
	if err != nil {
		f.log.Error("proxy rental has an invalid upstream", "rental", lease.RentalID, "port", lease.Port, "err", err)
		return nil, nil, err
	}
	t, err = f.reserve(lease, authAt, listener)
	if err != nil {
		return nil, nil, err
	}
	// Resolution counts against the dial time and ends with the tunnel.
	ctx, cancel := context.WithTimeout(t.ctx, f.opt.DialTimeout)
	var c net.Conn
	dst, err := f.resolveDestination(ctx, up, host)
	if err == nil {
		c, prefix, err = f.dial(ctx, up, dst, port)
	}
	cancel()
	if err == nil {
		err = t.setUpstream(c)
	} else if t.ctx.Err() != nil {
		err = errTunnelClosed // revoked, expired or closing: not the upstream's fault
	}
	if err != nil {
		t.release()
		f.log.Debug("proxy dial failed", "rental", lease.RentalID, "port", lease.Port, "err", err)
		return nil, nil, err
	}
	return t, prefix, nil
}
