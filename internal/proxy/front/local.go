package front

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// localRefresh is how long the list of this host's addresses is trusted.
const localRefresh = time.Second

// localAddrs knows this host's own addresses, on every interface, which a
// direct upstream must not connect to even when they are public: Linux
// carries a connection to any of them over the loopback interface, past
// firewall rules written for traffic from outside (an "accept everything
// on lo" rule is common), to services listening on all addresses.
type localAddrs struct {
	// list returns the addresses (net.InterfaceAddrs; tests replace it).
	list func() ([]net.Addr, error)

	mu  sync.Mutex
	at  time.Time
	set map[netip.Addr]struct{}
}

func newLocalAddrs() *localAddrs { return &localAddrs{list: net.InterfaceAddrs} }

// has tells whether ip is one of this host's addresses. The list is read
// again once it is older than localRefresh, so an interface that changed
// its address (a modem after a redial) is known within a second; if it
// cannot be read, the last one read stays in use.
func (l *localAddrs) has(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); now.Sub(l.at) >= localRefresh {
		if addrs, err := l.list(); err == nil {
			l.set = make(map[netip.Addr]struct{}, len(addrs))
			for _, a := range addrs {
				if p, err := netip.ParsePrefix(a.String()); err == nil {
					l.set[p.Addr().Unmap()] = struct{}{}
				}
			}
		}
		l.at = now
	}
	_, ok := l.set[ip]
	return ok
}
