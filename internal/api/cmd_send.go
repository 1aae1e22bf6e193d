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
	if _, err := h.Messages.Send(c.ctx, ask); err != nil {
		return nil, err
	}
	return "Message has been sent", nil
}
