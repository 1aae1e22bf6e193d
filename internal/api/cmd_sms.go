package api

import (
	"errors"
	"strconv"
	"time"

	"mdnhub/internal/clock"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
)

// smsJSON is an entry of read_sms's answer, fields in the reference's order.
type smsJSON struct {
	Timestamp string `json:"timestamp"`
	DateTime  string `json:"date_time"`
	From      string `json:"from"`
	To        string `json:"to"`
	Service   string `json:"service"`
	Price     amount `json:"price"`
	Reply     string `json:"reply"`
	PIN       string `json:"pin"`
}

func (h *Handler) readSMS(c *call) (any, error) {
	f := message.Filter{UserID: c.user.UserID}
	var err error
	switch {
	case c.p.has("id"):
		if f.RequestID, err = c.p.requestID("id"); err != nil {
			return nil, err
		}
		// Only the owner may read a request's messages; a foreign id is
		// answered exactly like an unknown one.
		if _, err := h.Requests.Get(c.ctx, c.user.UserID, f.RequestID); err != nil {
			return nil, err
		}
	case c.p.has("ltr_id"):
		if f.RentalChain, f.Service, err = h.rentalFilter(c); err != nil {
			return nil, err
		}
	default:
		if f.MDN, err = c.p.mdn("mdn"); err != nil {
			return nil, err
		}
		name := c.p.raw("service")
		if f.MDN != "" && name == "" {
			// An mdn alone names the caller's running rental of that
			// number, as for the ltr_* commands; without one it is a
			// one-time number and filters by mdn.
			r, err := h.Rentals.Find(c.ctx, c.user.UserID, rental.Ref{MDN: f.MDN})
			switch {
			case err == nil:
				f.MDN, f.RentalChain, f.Service = "", r.FirstID, r.FilterService
			case !errors.Is(err, rental.ErrNoRental):
				return nil, err
			}
		}
		if name != "" {
			svc, err := h.service(c, name)
			if err != nil {
				return nil, err
			}
			f.Service = svc.Name
		}
	}
	if n, ok, err := c.p.intRange("limit", 1, 100); err != nil {
		return nil, err
	} else if ok {
		f.Limit = int(n)
	}
	if n, ok, err := c.p.intRange("since", 0, 1<<40); err != nil {
		return nil, errorf("Invalid since: must be a unix time in seconds")
	} else if ok {
		f.Since = max(n, 1)
	}
	wait, waiting, err := c.p.intRange("wait", 1, int64(message.MaxWait/time.Second))
	if err != nil {
		return nil, err
	}
	var msgs []message.Message
	if waiting {
		msgs, err = h.Messages.ReadWait(c.ctx, f, time.Duration(wait)*time.Second)
	} else {
		msgs, err = h.Messages.Read(c.ctx, f)
	}
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, errorf(textNoMessages)
	}
	// Encoded by hand (encode.go): smsJSON's fields, in order.
	b := append(make([]byte, 0, 256*len(msgs)), '[')
	for i, m := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSMS(b, smsJSON{
			Timestamp: strconv.FormatInt(m.ReceivedAt, 10),
			DateTime:  clock.HumanTime(time.Unix(m.ReceivedAt, 0)),
			From:      m.From, To: m.MDN, Service: m.Service, Price: amount(m.PriceCents),
			Reply: m.Text, PIN: m.PIN,
		})
	}
	return rawJSON(append(b, ']')), nil
}
