package api

import (
	"mdnhub/internal/message"
)

func (h *Handler) sendSMS(c *call) (any, error) {
	ask := message.SendAsk{UserID: c.user.UserID}
	var err error
	if c.p.has("mdn") {
		if ask.MDN, err = c.p.mdn("mdn"); err != nil {
			return nil, err
		}
	} else if c.p.has("id") {
		// The id of an open request may stand for its number.
		if ask.RequestID, err = c.p.requestID("id"); err != nil {
			return nil, err
		}
	} else {
		return nil, missing("mdn")
	}
	// Without to, the reply goes to the most recent sender to the number.
	ask.To = c.p.raw("to")
	ask.Text = c.p.v.Get("sms")
	for _, alias := range []string{"text", "msg"} {
		if ask.Text == "" {
			ask.Text = c.p.v.Get(alias)
		}
	}
	if ask.Text == "" {
		return nil, missing("sms")
	}
	render := func(message.Message) (any, error) { return "Message has been sent", nil }
	if ask.Once, err = keyed(c, "send_sms", render); err != nil {
		return nil, err
	}
	m, err := h.Messages.Send(c.ctx, ask)
	return answer(ask.Once, m, err, render)
}
