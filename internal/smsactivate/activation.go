package smsactivate

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/message"
	"mdnhub/internal/money"
	"mdnhub/internal/request"
)

// currencyUSD is ISO 4217's number of the dollar, the currency of every
// price here (the protocol's getNumberV2 names its currency so).
const currencyUSD = 840

// amount prints integer cents as a JSON number with two decimals.
type amount int64

func (a amount) MarshalJSON() ([]byte, error) { return []byte(money.Text(int64(a))), nil }

// create reserves a number for the asked service: one one-time request,
// charged, exactly as api_command.php's request.
func (h *Handler) create(c *call) (request.Request, error) {
	svc, err := h.service(c)
	if err != nil {
		return request.Request{}, err
	}
	us, err := c.p.country()
	if err != nil {
		return request.Request{}, err
	}
	if err := c.p.checkForward(); err != nil {
		return request.Request{}, err
	}
	if !us {
		return request.Request{}, refuse(textNoNumbers)
	}
	if err := c.p.checkMaxPrice(svc.PriceCents); err != nil {
		return request.Request{}, err
	}
	rs, err := h.Requests.Create(c.ctx, request.Ask{UserID: c.user.UserID, Services: []catalog.Service{svc}})
	if err != nil {
		return request.Request{}, err
	}
	return rs[0], nil
}

func (h *Handler) getNumber(c *call) (reply, error) {
	r, err := h.create(c)
	if err != nil {
		return reply{}, err
	}
	return text(textAccessNumber + ":" + strconv.FormatInt(r.ID, 10) + ":" + r.MDN), nil
}

// numberV2 is getNumberV2's answer, with the protocol's names and types.
type numberV2 struct {
	ActivationID       int64  `json:"activationId"`
	PhoneNumber        string `json:"phoneNumber"`
	ActivationCost     amount `json:"activationCost"`
	Currency           int    `json:"currency"`
	CountryCode        string `json:"countryCode"`
	CanGetAnotherSms   string `json:"canGetAnotherSms"`
	ActivationTime     string `json:"activationTime"`
	ActivationEndTime  string `json:"activationEndTime"`
	ActivationOperator string `json:"activationOperator"`
}

func (h *Handler) getNumberV2(c *call) (reply, error) {
	r, err := h.create(c)
	if err != nil {
		return reply{}, err
	}
	return jsonReply(numberV2{
		ActivationID: r.ID, PhoneNumber: r.MDN, ActivationCost: amount(r.PriceCents), Currency: currencyUSD,
		CountryCode: countryUSAText, CanGetAnotherSms: "1",
		ActivationTime:     clock.HumanTimePlain(time.Unix(r.CreatedAt, 0)),
		ActivationEndTime:  clock.HumanTimePlain(time.Unix(r.ExpiresAt, 0)),
		ActivationOperator: strings.ToLower(r.Carrier),
	}), nil
}

// state is where an activation stands, as getStatus tells it.
type state struct {
	status string // one of the STATUS_ texts
	code   string // the code shown with STATUS_OK and STATUS_WAIT_RETRY
	retry  bool   // another code was asked and has not come yet
}

// stateOf reads an activation's state: cancelled (rejected, or timed out
// without a message, both refunded), waiting for its first code, or its
// code: the PIN of the newest message that has one, else the newest
// message's text. After an ask for another code (setStatus 3), only the
// messages since count; until one comes, it waits with the last code. A
// message without text (an empty or blank SMS) carries no code: with only
// such messages, the activation is still waiting for its code, never
// STATUS_OK with nothing after the colon.
func (h *Handler) stateOf(c *call, r request.Request) (state, error) {
	switch r.Status {
	case request.StatusRejected, request.StatusTimedOut:
		return state{status: textStatusCancel}, nil
	case request.StatusCompleted:
	default:
		return state{status: textStatusWaitCode}, nil
	}
	msgs, err := h.Messages.Read(c.ctx, message.Filter{UserID: c.user.UserID, RequestID: r.ID, Limit: 100, Since: max(r.CreatedAt, 1)})
	if err != nil {
		return state{}, err
	}
	retry, asked, err := h.Requests.LastRetry(c.ctx, r.ID)
	if err != nil {
		return state{}, err
	}
	if asked {
		newer := int(min(max(r.Messages-retry.Messages, 0), int64(len(msgs))))
		if code := codeOf(msgs[:newer]); code != "" { // newest first
			return state{status: textStatusOK, code: code}, nil
		}
		if last := codeOf(msgs); last != "" {
			return state{status: textStatusWaitRetry, code: last, retry: true}, nil
		}
	} else if code := codeOf(msgs); code != "" {
		return state{status: textStatusOK, code: code}, nil
	}
	return state{status: textStatusWaitCode}, nil
}

// codeOf is the code of messages, newest first: the newest recognised PIN,
// else the newest text that is not blank, on one line; "" when no message
// has any text.
func codeOf(msgs []message.Message) string {
	for _, m := range msgs {
		if m.PIN != "" {
			return m.PIN
		}
	}
	for _, m := range msgs {
		if line := strings.Join(strings.Fields(m.Text), " "); line != "" {
			return line
		}
	}
	return ""
}

func (h *Handler) getStatus(c *call) (reply, error) {
	id, err := c.p.activationID()
	if err != nil {
		return reply{}, err
	}
	r, err := h.Requests.Get(c.ctx, c.user.UserID, id)
	if err != nil {
		return reply{}, err
	}
	st, err := h.stateOf(c, r)
	if err != nil {
		return reply{}, err
	}
	if st.status == textStatusOK || st.status == textStatusWaitRetry {
		return text(st.status + ":" + st.code), nil
	}
	return text(st.status), nil
}

// The statuses a client sets.
const (
	setReady    = 1
	setRetry    = 3
	setComplete = 6
	setCancel   = 8
	// setCancelOld is the cancel of the protocol's first version, which
	// some clients still send.
	setCancelOld = -1
)

func (h *Handler) setStatus(c *call) (reply, error) {
	status, perr := strconv.Atoi(c.p.raw("status"))
	switch {
	case perr != nil:
		return reply{}, refuse(textBadStatus)
	case status != setReady && status != setRetry && status != setComplete && status != setCancel && status != setCancelOld:
		return reply{}, refuse(textBadStatus)
	}
	id, err := c.p.activationID()
	if err != nil {
		return reply{}, err
	}
	switch status {
	case setReady:
		// The client tells that the SMS was asked for; nothing to do
		// but to know the activation is still running.
		r, err := h.Requests.Get(c.ctx, c.user.UserID, id)
		if err != nil {
			return reply{}, err
		}
		if !r.Open() {
			return reply{}, &request.ClosedError{Status: r.Status}
		}
		return text(textAccessReady), nil
	case setRetry:
		if _, err := h.Requests.AskAnother(c.ctx, c.user.UserID, id); err != nil {
			return reply{}, err
		}
		return text(textAccessRetryGet), nil
	case setComplete:
		if _, err := h.Requests.Finish(c.ctx, c.user.UserID, id); err != nil {
			return reply{}, err
		}
		return text(textAccessActivation), nil
	}
	err = h.Requests.Reject(c.ctx, c.user.UserID, id)
	var closed *request.ClosedError
	if errors.As(err, &closed) && (closed.Status == request.StatusRejected || closed.Status == request.StatusTimedOut) {
		// Cancelled (and refunded) already: a client repeating its
		// cancel after a lost answer hears it again; nothing changes.
		err = nil
	}
	if err != nil {
		return reply{}, err
	}
	return text(textAccessCancel), nil
}

// activeJSON is an entry of getActiveActivations, every value a string as
// the protocol's server sends them; smsCode and smsText are null until a
// code came.
type activeJSON struct {
	ActivationID     string  `json:"activationId"`
	ServiceCode      string  `json:"serviceCode"`
	PhoneNumber      string  `json:"phoneNumber"`
	ActivationCost   string  `json:"activationCost"`
	ActivationStatus string  `json:"activationStatus"`
	SmsCode          *string `json:"smsCode"`
	SmsText          *string `json:"smsText"`
	ActivationTime   string  `json:"activationTime"`
	Discount         string  `json:"discount"`
	Repeated         string  `json:"repeated"`
	CountryCode      string  `json:"countryCode"`
	CountryName      string  `json:"countryName"`
	CanGetAnotherSms string  `json:"canGetAnotherSms"`
}

// activeList is getActiveActivations' answer; Error is set instead of the
// list when there is none.
type activeList struct {
	Status            string       `json:"status"`
	ActiveActivations []activeJSON `json:"activeActivations,omitempty"`
	Error             string       `json:"error,omitempty"`
}

// activationStatus numbers of getActiveActivations: waiting for the first
// code, a code received, another code asked and not yet come.
const (
	activeWaiting  = "0"
	activeReceived = "2"
	activeRetry    = "3"
)

// getActiveActivations lists the caller's open requests that hold a number,
// whichever API made them, oldest first.
func (h *Handler) getActiveActivations(c *call) (reply, error) {
	open, err := h.Requests.Open(c.ctx, c.user.UserID)
	if err != nil {
		return reply{}, err
	}
	codes, err := h.Catalog.ServiceCodes(c.ctx)
	if err != nil {
		return reply{}, err
	}
	codeOfService := catalog.CodesOf(codes)
	var out []activeJSON
	for i := len(open) - 1; i >= 0; i-- { // Open is newest first
		r := open[i]
		if r.MDN == "" {
			continue // a premium bid still waiting for a number
		}
		st, err := h.stateOf(c, r)
		if err != nil {
			return reply{}, err
		}
		svc := codeOfService[r.ServiceID]
		if svc == "" {
			svc = r.Service
		}
		e := activeJSON{
			ActivationID: strconv.FormatInt(r.ID, 10), ServiceCode: svc, PhoneNumber: r.MDN,
			ActivationCost: money.Text(r.PriceCents), ActivationStatus: activeWaiting,
			ActivationTime: clock.HumanTimePlain(time.Unix(r.CreatedAt, 0)),
			Discount:       "0.00", Repeated: "0", CountryCode: countryUSAText, CountryName: "USA", CanGetAnotherSms: "1",
		}
		if st.status == textStatusOK || st.status == textStatusWaitRetry {
			var sms string
			if msgs, err := h.Messages.Read(c.ctx, message.Filter{UserID: c.user.UserID, RequestID: r.ID, Limit: 1, Since: max(r.CreatedAt, 1)}); err != nil {
				return reply{}, err
			} else if len(msgs) > 0 {
				sms = msgs[0].Text
			}
			code := st.code
			e.SmsCode, e.SmsText, e.ActivationStatus = &code, &sms, activeReceived
			if st.retry {
				e.ActivationStatus = activeRetry
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return jsonReply(activeList{Status: "error", Error: textNoActivations}), nil
	}
	return jsonReply(activeList{Status: "success", ActiveActivations: out}), nil
}
