package smpp

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// ErrNotBound is Send's error while the gateway has no link to the SMSC.
var ErrNotBound = errors.New("smpp: not bound to the SMSC")

var errLinkLost = errors.New("smpp: link lost")

// ioTimeout bounds dialling, the bind handshake and each write.
const ioTimeout = 10 * time.Second

// link is one connection to the SMSC: a transceiver bind, or a receiver
// and a transmitter bind that live and die together.
type link struct {
	binds []*bind
	tx    *bind         // where submit_sm goes
	done  chan struct{} // closed when any bind fails or the link is closed
	stop  <-chan struct{}
	once  sync.Once
}

func (l *link) down() { l.once.Do(func() { close(l.done) }) }

// close unbinds and disconnects every bind.
func (l *link) close() {
	l.down()
	for _, b := range l.binds {
		if b.sess != nil {
			_ = b.sess.Close()
		}
	}
}

// bind is one SMPP session.
type bind struct {
	link  *link
	sess  *gosmpp.Session
	ready chan struct{} // closed once sess is set (or the bind failed)
}

// submit writes a PDU on this bind.
func (b *bind) submit(p pdu.PDU) error {
	<-b.ready
	if b.sess == nil {
		return ErrNotBound
	}
	select {
	case <-b.link.done:
		return errLinkLost
	default:
	}
	return b.sess.Transceiver().Submit(p)
}

// connect binds a transceiver, or a receiver and a transmitter.
func (g *Gateway) connect(stop <-chan struct{}) (*link, error) {
	l := &link{done: make(chan struct{}), stop: stop}
	kinds := []pdu.BindingType{pdu.Transceiver}
	if g.cfg.Split {
		kinds = []pdu.BindingType{pdu.Receiver, pdu.Transmitter}
	}
	for _, kind := range kinds {
		b, err := g.dial(l, kind)
		if err != nil {
			l.close()
			return nil, err
		}
		l.binds = append(l.binds, b)
		if kind != pdu.Receiver {
			l.tx = b
		}
	}
	return l, nil
}

func (g *Gateway) dial(l *link, kind pdu.BindingType) (*bind, error) {
	b := &bind{link: l, ready: make(chan struct{})}
	defer close(b.ready)
	auth := gosmpp.Auth{SMSC: g.cfg.Addr, SystemID: g.cfg.SystemID, Password: g.cfg.Password, SystemType: g.cfg.SystemType}
	var c gosmpp.Connector
	switch kind {
	case pdu.Receiver:
		c = gosmpp.RXConnector(dialTCP, auth)
	case pdu.Transmitter:
		c = gosmpp.TXConnector(dialTCP, auth)
	default:
		c = gosmpp.TRXConnector(dialTCP, auth)
	}
	settings := gosmpp.Settings{
		EnquireLink: g.cfg.EnquireLink,
		// Our enquire_link gets an answer within a period on a live link.
		ReadTimeout:  2*g.cfg.EnquireLink + ioTimeout,
		WriteTimeout: ioTimeout,
		OnAllPDU:     g.onPDU(b),
		OnReceivingError: func(err error) {
			g.log.Debug("smpp read failed", "err", err)
		},
		OnSubmitError: func(p pdu.PDU, err error) {
			g.log.Debug("smpp write failed", "pdu", p.GetHeader().CommandID.String(), "err", err)
		},
		OnClosed: func(gosmpp.State) { l.down() },
	}
	sess, err := gosmpp.NewSession(c, settings, 0) // 0: Run rebinds, with back-off
	if err != nil {
		return nil, err
	}
	b.sess = sess
	return b, nil
}

// dialTCP connects with a deadline that also bounds the bind handshake,
// which gosmpp waits for without one; gosmpp sets its own deadlines on
// every read and write after that.
func dialTCP(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	return guard(c), nil
}

// onPDU handles every PDU the SMSC sends on bind b. Nothing is answered
// automatically: deliver_sm and data_sm are answered by the committers
// once their SMS is stored.
func (g *Gateway) onPDU(b *bind) gosmpp.AllPDUCallback {
	return func(p pdu.PDU) (pdu.PDU, bool) {
		switch pp := p.(type) {
		case *pdu.DeliverSM:
			g.arrive(b, fromDeliverSM(pp, ack{b: b, seq: pp.SequenceNumber, cmd: data.DELIVER_SM}))
		case *pdu.DataSM:
			g.arrive(b, fromDataSM(pp, ack{b: b, seq: pp.SequenceNumber, cmd: data.DATA_SM}))
		case *pdu.SubmitSMResp, *pdu.GenericNack:
			g.resolve(p)
		case *pdu.EnquireLink:
			return pp.GetResponse(), false
		case *pdu.Unbind:
			g.log.Info("smpp: the SMSC unbinds")
			return pp.GetResponse(), true
		case *pdu.EnquireLinkResp, *pdu.UnbindResp, *pdu.DeliverSMResp, *pdu.DataSMResp:
		default:
			if p.CanResponse() {
				nack := pdu.NewGenericNack().(*pdu.GenericNack)
				nack.SequenceNumber = p.GetSequenceNumber()
				nack.CommandStatus = data.ESME_RINVCMDID
				return nack, false
			}
		}
		return nil, false
	}
}

// arrive queues a received SMS for the collector; when the link is going
// away it is dropped unanswered, and the SMSC will deliver it again.
func (g *Gateway) arrive(b *bind, a arrival) {
	select {
	case g.arrivals <- a:
	case <-b.link.done:
	case <-b.link.stop:
	}
}

// respond sends the deliver_sm_resp or data_sm_resp owed for a.
func respond(a ack, status data.CommandStatusType) {
	var r pdu.PDU
	if a.cmd == data.DATA_SM {
		resp := pdu.NewDataSMResp().(*pdu.DataSMResp)
		resp.CommandStatus = status
		r = resp
	} else {
		resp := pdu.NewDeliverSMResp().(*pdu.DeliverSMResp)
		resp.CommandStatus = status
		r = resp
	}
	r.SetSequenceNumber(a.seq)
	_ = a.b.submit(r) // a dead link cannot be answered; the SMSC resends
}
