package e2e

import (
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// smsc is a small SMPP 3.4 SMSC for the crash test: it accepts one
// transceiver bind at a time, pushes the SMS it was given as deliver_sm
// (with a window of unanswered ones), and records every response. Like a
// real SMSC it keeps an SMS until it gets a deliver_sm_resp for it: an SMS
// still unanswered when the link drops, or answered with a temporary error,
// is sent again, with the same addresses and text, on the next bind. It also
// takes submit_sm (mdnhub's send_sms) and records their texts.
type smsc struct {
	ln     net.Listener
	window int

	mu       sync.Mutex
	all      []*smscSMS
	queue    []*smscSMS          // waiting to be sent (new, or to be sent again)
	sess     *smscSession        // the bound session, if any
	submits  map[string]int      // submit_sm texts, how often each came
	submitBy map[string][]string // text → the from/to it came with
	binds    int                 // transceiver binds accepted
	resends  int                 // deliver_sm sent again after a lost link or a temporary error
	statuses map[data.CommandStatusType]int
	wake     chan struct{}
	closed   bool
}

// smscSMS is one SMS the SMSC must deliver.
type smscSMS struct {
	from, to, text string
	sends          int // deliver_sm PDUs sent for it
	acks           int // ESME_ROK responses
	refused        bool
}

// smscSession is one bound connection.
type smscSession struct {
	conn        net.Conn
	wmu         sync.Mutex
	outstanding map[int32]*smscSMS
	order       []int32 // sequence numbers in sending order
	seq         int32
	done        chan struct{}
}

func newSMSC(window int) (*smsc, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &smsc{ln: ln, window: window, submits: map[string]int{}, submitBy: map[string][]string{},
		statuses: map[data.CommandStatusType]int{}, wake: make(chan struct{}, 1)}
	go s.accept()
	return s, nil
}

func (s *smsc) addr() string { return s.ln.Addr().String() }

// close stops listening and drops the bound session.
func (s *smsc) close() {
	s.mu.Lock()
	s.closed = true
	sess := s.sess
	s.mu.Unlock()
	s.ln.Close()
	if sess != nil {
		sess.conn.Close()
	}
}

// add queues an SMS for delivery.
func (s *smsc) add(from, to, text string) {
	s.mu.Lock()
	m := &smscSMS{from: from, to: to, text: text}
	s.all = append(s.all, m)
	s.queue = append(s.queue, m)
	s.mu.Unlock()
	s.poke()
}

func (s *smsc) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pending is how many SMS have not been answered with ESME_ROK (nor refused).
func (s *smsc) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.all {
		if m.acks == 0 && !m.refused {
			n++
		}
	}
	return n
}

func (s *smsc) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.serve(c)
	}
}

func writePDU(sess *smscSession, p pdu.PDU) error {
	buf := pdu.NewBuffer(make([]byte, 0, 128))
	p.Marshal(buf)
	sess.wmu.Lock()
	defer sess.wmu.Unlock()
	sess.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := sess.conn.Write(buf.Bytes())
	return err
}

// serve runs one connection: the bind, then a reader here and a sender.
func (s *smsc) serve(c net.Conn) {
	sess := &smscSession{conn: c, outstanding: map[int32]*smscSMS{}, done: make(chan struct{})}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	p, err := pdu.Parse(c)
	if err != nil {
		c.Close()
		return
	}
	bind, ok := p.(*pdu.BindRequest)
	if !ok || bind.BindingType != pdu.Transceiver {
		c.Close()
		return
	}
	resp := pdu.NewBindResp(*bind)
	resp.SystemID = "crashsmsc"
	if writePDU(sess, resp) != nil {
		c.Close()
		return
	}
	c.SetReadDeadline(time.Time{})
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	old := s.sess
	s.sess = sess
	s.binds++
	s.mu.Unlock()
	if old != nil {
		old.conn.Close()
	}
	go s.send(sess)
	s.read(sess)
}

// read handles what the ESME sends until the connection ends, then puts
// every SMS still unanswered back at the head of the queue.
func (s *smsc) read(sess *smscSession) {
	defer func() {
		sess.conn.Close()
		s.mu.Lock()
		var back []*smscSMS
		for _, seq := range sess.order {
			if m, ok := sess.outstanding[seq]; ok {
				back = append(back, m)
			}
		}
		s.resends += len(back)
		s.queue = append(back, s.queue...)
		if s.sess == sess {
			s.sess = nil
		}
		s.mu.Unlock()
		close(sess.done)
	}()
	for {
		p, err := pdu.Parse(sess.conn)
		if err != nil {
			return
		}
		switch p := p.(type) {
		case *pdu.DeliverSMResp:
			st := p.CommandStatus
			s.mu.Lock()
			s.statuses[st]++
			m, ok := sess.outstanding[p.SequenceNumber]
			if ok {
				delete(sess.outstanding, p.SequenceNumber)
				switch st {
				case data.ESME_ROK:
					m.acks++
				case data.ESME_RX_T_APPN:
					s.resends++
					s.queue = append(s.queue, m)
				default:
					m.refused = true
				}
			}
			s.mu.Unlock()
			s.poke()
		case *pdu.EnquireLink:
			if writePDU(sess, p.GetResponse()) != nil {
				return
			}
		case *pdu.SubmitSM:
			text, _ := p.Message.GetMessage()
			s.mu.Lock()
			s.submits[text]++
			s.submitBy[text] = append(s.submitBy[text], p.SourceAddr.Address()+">"+p.DestAddr.Address())
			n := len(s.submits)
			s.mu.Unlock()
			r := p.GetResponse().(*pdu.SubmitSMResp)
			r.MessageID = fmt.Sprintf("smsc-%d", n)
			if writePDU(sess, r) != nil {
				return
			}
		case *pdu.Unbind:
			writePDU(sess, p.GetResponse())
			return
		default:
			// enquire_link_resp, generic_nack: nothing to do.
		}
	}
}

// send pushes queued SMS on the session while its window has room.
func (s *smsc) send(sess *smscSession) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		for {
			s.mu.Lock()
			if s.sess != sess || len(sess.outstanding) >= s.window || len(s.queue) == 0 {
				s.mu.Unlock()
				break
			}
			m := s.queue[0]
			s.queue = s.queue[1:]
			sess.seq++
			seq := sess.seq
			sess.outstanding[seq] = m
			sess.order = append(sess.order, seq)
			m.sends++
			s.mu.Unlock()
			d := pdu.NewDeliverSM().(*pdu.DeliverSM)
			d.SequenceNumber = seq
			d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, m.from)
			d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, m.to)
			d.Message, _ = pdu.NewShortMessage(m.text)
			if writePDU(sess, d) != nil {
				sess.conn.Close()
				return
			}
		}
		select {
		case <-sess.done:
			return
		case <-s.wake:
		case <-tick.C:
		}
	}
}
