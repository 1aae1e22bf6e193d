package client

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// WaitForCode waits for the verification code of a one-time request: it
// long-polls read_sms (up to 60 s a call) until a message with a recognised
// code arrives, and returns that message. Messages without a code are
// skipped (the newest one is returned if the request ends after it). It
// ends with a *RequestEndedError when the request is rejected or times
// out first, and with ctx's error when ctx ends.
func (c *Client) WaitForCode(ctx context.Context, id string) (Message, error) {
	seen := map[string]bool{}
	var last Message
	for {
		wait := 60 * time.Second
		if dl, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(dl)-time.Second)
		}
		if wait < time.Second {
			wait = time.Second
		}
		msgs, err := c.ReadSMS(ctx, ReadSMSParams{ID: id, Wait: wait, Limit: 100})
		switch {
		case errors.Is(err, ErrNoMessages):
			msgs = nil
		case err != nil:
			if ctx.Err() != nil {
				return Message{}, ctx.Err()
			}
			return Message{}, err
		}
		fresh := false
		for _, m := range msgs { // newest first
			k := strconv.FormatInt(int64(m.Timestamp), 10) + "\x00" + m.From + "\x00" + m.Reply
			if seen[k] {
				continue
			}
			seen[k], fresh = true, true
			if m.PIN != "" {
				return m, nil
			}
			if m.Timestamp >= last.Timestamp {
				last = m
			}
		}
		if !fresh {
			// Nothing new: the request may have ended.
			r, err := c.RequestStatus(ctx, id)
			if err != nil {
				if ctx.Err() != nil {
					return Message{}, ctx.Err()
				}
				return Message{}, err
			}
			if r.Ended() || (r.TillExpiration == 0 && r.Status != StatusAwaiting) {
				if last.Reply != "" {
					return last, nil
				}
				return Message{}, &RequestEndedError{ID: id, Status: r.Status}
			}
			if len(msgs) > 0 {
				// read_sms answered at once with messages already seen: do
				// not spin.
				if err := sleep(ctx, c.pollInterval()); err != nil {
					return Message{}, err
				}
			}
		}
		if ctx.Err() != nil {
			return Message{}, ctx.Err()
		}
	}
}

// WaitForNumber waits for a premium bid (status Awaiting MDN) to get a
// number, polling request_status every PollInterval, and returns the
// request once it is Reserved (or Completed). It ends with a
// *RequestEndedError when the bid is cancelled or times out.
func (c *Client) WaitForNumber(ctx context.Context, id string) (Request, error) {
	for {
		r, err := c.RequestStatus(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return Request{}, ctx.Err()
			}
			return Request{}, err
		}
		switch {
		case r.Ended():
			return r, &RequestEndedError{ID: id, Status: r.Status}
		case r.Status != StatusAwaiting && r.MDN != "":
			return r, nil
		}
		if err := sleep(ctx, c.pollInterval()); err != nil {
			return Request{}, err
		}
	}
}

func (c *Client) pollInterval() time.Duration {
	if c.PollInterval > 0 {
		return c.PollInterval
	}
	return 2 * time.Second
}
