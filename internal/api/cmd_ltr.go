package api

import (
	"strconv"
	"strings"

	"mdnhub/internal/clock"
	"mdnhub/internal/rental"
)

// rentJSON is ltr_rent's answer: an object; id a number.
type rentJSON struct {
	ID      int64  `json:"id"`
	MDN     string `json:"mdn"`
	Service string `json:"service"`
	Price   amount `json:"price"`
	Expires string `json:"expires"`
	Carrier string `json:"carrier"`
}

// ltrStatusJSON is ltr_status's and ltr_activate's answer.
type ltrStatusJSON struct {
	MDN        string `json:"mdn"`
	LTRStatus  string `json:"ltr_status"`
	TillChange int64  `json:"till_change"`
	NextOnline int64  `json:"next_online"`
	Timestamp  int64  `json:"timestamp"`
	DateTime   string `json:"date_time"`
}

// rentalRef reads how a command names a rental: ltr_id (alias id); mdn
// alone, the caller's running rental of that number (what most clients
// send); or mdn narrowed by service.
func (h *Handler) rentalRef(c *call) (rental.Ref, error) {
	if v := c.p.first("ltr_id", "id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return rental.Ref{}, errorf("Invalid rental ID")
		}
		return rental.Ref{ID: id}, nil
	}
	mdn, err := c.p.mdn("mdn")
	if err != nil {
		return rental.Ref{}, err
	}
	name := c.p.raw("service")
	switch {
	case mdn == "" && name == "":
		return rental.Ref{}, missing("ltr_id")
	case mdn == "":
		return rental.Ref{}, missing("mdn")
	case name == "":
		return rental.Ref{MDN: mdn}, nil
	}
	svc, err := h.service(c, name)
	if err != nil {
		return rental.Ref{}, err
	}
	return rental.Ref{MDN: mdn, Service: svc.Name}, nil
}

func (h *Handler) ltrRent(c *call) (any, error) {
	name, err := c.p.required("service")
	if err != nil {
		return nil, err
	}
	svc, err := h.service(c, name)
	if err != nil {
		return nil, err
	}
	ask := rental.Ask{UserID: c.user.UserID, Service: svc, Days: 30}
	if v := c.p.raw("duration"); v != "" {
		switch v {
		case "30":
		case "3":
			ask.Days = 3
		default:
			return nil, errorf("Duration must be 3 or 30")
		}
	}
	if ask.Autorenew, _, err = c.p.boolean("autorenew"); err != nil {
		return nil, err
	}
	if ask.Reserve, _, err = c.p.boolean("reserve"); err != nil {
		return nil, err
	}
	if ask.MDN, ask.AreaCode, ask.State, err = c.p.target(); err != nil {
		return nil, err
	}
	if ask.MDN != "" && ask.Reserve {
		return nil, errorf("Invalid mdn: a reservation takes the next available number, not a given one")
	}
	render := func(r rental.Rental) (any, error) {
		// price is what was charged: for a reservation, the rental and its fee.
		out := rentJSON{ID: r.ID, MDN: r.MDN, Service: r.Service, Price: amount(r.PriceCents + r.FeeCents), Carrier: r.Carrier}
		if r.Status == rental.StatusActive {
			out.Expires = clock.HumanTimePlain(r.Expires())
		}
		return out, nil
	}
	if ask.Once, err = keyed(c, "ltr_rent", render); err != nil {
		return nil, err
	}
	r, err := h.Rentals.Rent(c.ctx, ask)
	return answer(ask.Once, r, err, render)
}

func statusJSON(st rental.Status) ltrStatusJSON {
	return ltrStatusJSON{
		MDN: st.MDN, LTRStatus: st.Show, TillChange: st.TillChange, NextOnline: st.NextOnline,
		Timestamp: st.Now.Unix(), DateTime: clock.HumanTime(st.Now),
	}
}

func (h *Handler) ltrStatus(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	st, err := h.Rentals.Status(c.ctx, c.user.UserID, ref)
	if err != nil {
		return nil, err
	}
	return statusJSON(st), nil
}

func (h *Handler) ltrActivate(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	st, err := h.Rentals.Activate(c.ctx, c.user.UserID, ref)
	if err != nil {
		return nil, err
	}
	return statusJSON(st), nil
}

func (h *Handler) ltrRelease(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	if err := h.Rentals.Release(c.ctx, c.user.UserID, ref); err != nil {
		return nil, err
	}
	return "Rental has been released", nil
}

func (h *Handler) ltrAutorenew(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	set, given, err := c.p.boolean("autorenew")
	if err != nil {
		return nil, err
	}
	if !given {
		on, err := h.Rentals.Autorenew(c.ctx, c.user.UserID, ref, nil)
		if err != nil {
			return nil, err
		}
		return on, nil
	}
	if _, err := h.Rentals.Autorenew(c.ctx, c.user.UserID, ref, &set); err != nil {
		if err == rental.ErrEnded {
			return nil, errorf("Unable to change auto renew status")
		}
		return nil, err
	}
	return "Auto renew status updated", nil
}

func (h *Handler) ltrReport(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	if err := h.Rentals.ReportProblem(c.ctx, c.user.UserID, ref); err != nil {
		return nil, err
	}
	return "Number has been reported", nil
}

func (h *Handler) ltrReportedStatus(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	rep, err := h.Rentals.ReportStatus(c.ctx, c.user.UserID, ref)
	if err != nil {
		return nil, err
	}
	return rep.Text(), nil
}

func (h *Handler) ltrSwitchService(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	// The new service is new_service; clients that name the rental by id
	// send it as service, which then cannot be the rental's own.
	target := c.p.raw("new_service")
	if target == "" && ref.ID != 0 {
		target = c.p.raw("service")
	}
	if target == "" {
		return nil, missing("new_service")
	}
	svc, err := h.service(c, target)
	if err != nil {
		return nil, err
	}
	if rental.IsUnlimited(svc.Name) {
		return nil, errorf("Invalid new_service: cannot switch to %s", svc.Name)
	}
	if err := h.Rentals.SwitchService(c.ctx, c.user.UserID, ref, svc.Name); err != nil {
		return nil, err
	}
	return "Service has been switched", nil
}

func (h *Handler) ltrForward(c *call) (any, error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return nil, err
	}
	if _, present := c.p.v["destination"]; !present {
		return nil, missing("destination")
	}
	dest, err := rental.NormalizeDestination(c.p.raw("destination"))
	if err != nil {
		return nil, errorf("Invalid destination: must be a US phone number, or empty to turn forwarding off")
	}
	if err := h.Rentals.Forward(c.ctx, c.user.UserID, ref, dest); err != nil {
		return nil, err
	}
	return "Call forwarding updated", nil
}

// rentalFilter narrows read_sms to one rental and its renewals (the chain of
// its first rental): its service parameter is the detected service
// ("Unknown" included), and an Unlimited rental switched to a service
// filters by it when no service is given.
func (h *Handler) rentalFilter(c *call) (chain int64, service string, err error) {
	ref, err := h.rentalRef(c)
	if err != nil {
		return 0, "", err
	}
	r, err := h.Rentals.Find(c.ctx, c.user.UserID, rental.Ref{ID: ref.ID})
	if err != nil {
		return 0, "", err
	}
	name := c.p.raw("service")
	switch {
	case name == "":
		return r.FirstID, r.FilterService, nil
	case strings.EqualFold(name, rental.UnknownService):
		return r.FirstID, rental.UnknownService, nil
	}
	svc, err := h.service(c, name)
	if err != nil {
		return 0, "", err
	}
	return r.FirstID, svc.Name, nil
}
