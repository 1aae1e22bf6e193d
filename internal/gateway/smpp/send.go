package smpp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"mdnhub/internal/gateway"
)

var errSubmitTimeout = errors.New("smpp: no submit_sm_resp in time")

// Send submits an SMS from one of our numbers: GSM 7-bit when the text
// allows, else UCS-2; a long text goes as UDH-concatenated parts, each
// asking for a delivery receipt and each paced by submit_rate. The SMSC's
// message id of the first part is the GatewayID that receipts match.
// A refusal by the SMSC is a result, not an error; a missing link or
// response is an error (a submit that timed out may still be delivered).
func (g *Gateway) Send(ctx context.Context, m gateway.Outbound) (gateway.SendResult, error) {
	l := g.current()
	if l == nil {
		g.metrics.outbound.WithLabelValues("error").Inc()
		return gateway.SendResult{}, ErrNotBound
	}
	dst, ton, npi, ok := g.destination(m.To)
	if !ok {
		g.metrics.outbound.WithLabelValues("refused").Inc()
		return gateway.SendResult{Reason: "no SMS can be sent to " + m.To}, nil
	}
	enc := encodeText(m.Text)
	ref := byte(g.ref.Add(1))
	var firstID string
	for i, ud := range enc.parts {
		sm, err := g.submitSM(m.From, dst, ton, npi, enc.coding, ud)
		if err != nil {
			g.metrics.outbound.WithLabelValues("refused").Inc()
			return gateway.SendResult{Reason: err.Error()}, nil
		}
		if len(enc.parts) > 1 {
			sm.Message.SetUDH(pdu.UDH{pdu.NewIEConcatMessage(byte(len(enc.parts)), byte(i+1), ref)})
			sm.EsmClass |= esmUDHI
		}
		if err := g.limiter.Wait(ctx); err != nil {
			g.metrics.outbound.WithLabelValues("error").Inc()
			return gateway.SendResult{}, err
		}
		resp, err := g.submit(ctx, l, sm)
		if err != nil {
			g.metrics.outbound.WithLabelValues("error").Inc()
			return gateway.SendResult{}, fmt.Errorf("smpp submit of part %d of %d: %w", i+1, len(enc.parts), err)
		}
		if st := resp.GetHeader().CommandStatus; st != data.ESME_ROK {
			g.metrics.outbound.WithLabelValues("refused").Inc()
			return gateway.SendResult{Reason: fmt.Sprintf("SMSC refused part %d of %d: %s (0x%08X)",
				i+1, len(enc.parts), st.Desc(), uint32(st))}, nil
		}
		if r, ok := resp.(*pdu.SubmitSMResp); ok && i == 0 {
			firstID = r.MessageID
		}
	}
	g.metrics.outbound.WithLabelValues("accepted").Inc()
	return gateway.SendResult{Accepted: true, GatewayID: firstID}, nil
}

func (g *Gateway) submitSM(from, to string, ton, npi, coding byte, ud []byte) (*pdu.SubmitSM, error) {
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	src, err := pdu.NewAddressWithTonNpiAddr(g.cfg.SourceTON, g.cfg.SourceNPI, from)
	if err != nil {
		return nil, err
	}
	dst, err := pdu.NewAddressWithTonNpiAddr(ton, npi, to)
	if err != nil {
		return nil, err
	}
	enc := data.GSM7BIT
	if coding == data.UCS2Coding {
		enc = data.UCS2
	}
	msg, err := pdu.NewBinaryShortMessageWithEncoding(ud, enc)
	if err != nil {
		return nil, err
	}
	sm.SourceAddr, sm.DestAddr, sm.Message = src, dst, msg
	sm.RegisteredDelivery = 1 // a final receipt, success or failure
	return sm, nil
}

// destination normalises the customer's "to": a 10-digit US number gets
// its country code; numbers go out with the configured TON/NPI, short codes
// (8 digits or fewer) as network-specific. A name cannot be texted.
func (g *Gateway) destination(to string) (addr string, ton, npi byte, ok bool) {
	var b strings.Builder
	for _, r := range to {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" +-().", r):
		default:
			return "", 0, 0, false
		}
	}
	addr = b.String()
	switch {
	case addr == "":
		return "", 0, 0, false
	case len(addr) == 10:
		return "1" + addr, g.cfg.DestTON, g.cfg.DestNPI, true
	case len(addr) <= 8:
		return addr, 3, 0, true
	}
	return addr, g.cfg.DestTON, g.cfg.DestNPI, true
}

// submit writes a submit_sm on the link's transmitting bind and waits for
// its response.
func (g *Gateway) submit(ctx context.Context, l *link, p pdu.PDU) (pdu.PDU, error) {
	seq := p.GetSequenceNumber()
	ch := make(chan pdu.PDU, 1)
	g.pendMu.Lock()
	g.pend[seq] = ch
	g.pendMu.Unlock()
	defer func() {
		g.pendMu.Lock()
		delete(g.pend, seq)
		g.pendMu.Unlock()
	}()
	if err := l.tx.submit(p); err != nil {
		return nil, err
	}
	t := time.NewTimer(g.cfg.SubmitTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r, nil
	case <-t.C:
		return nil, errSubmitTimeout
	case <-l.done:
		return nil, errLinkLost
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// resolve hands a submit_sm_resp (or generic_nack) to the Send waiting
// for it; a late one finds nobody and is dropped.
func (g *Gateway) resolve(p pdu.PDU) {
	g.pendMu.Lock()
	ch := g.pend[p.GetSequenceNumber()]
	g.pendMu.Unlock()
	if ch != nil {
		select {
		case ch <- p:
		default:
		}
	}
}
