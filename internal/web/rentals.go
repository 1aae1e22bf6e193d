package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/areacode"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/money"
	"mdnhub/internal/rental"
)

// custRentForm is what the rent form was sent with.
type custRentForm struct {
	Service, Duration, MDN, AreaCode, State string
	Autorenew, Reserve                      bool
}

// custRentalRow is a rental with what ltr_status tells of it.
type custRentalRow struct {
	rental.Rental
	Show       string // online, offline, awaiting mdn, or ended
	TillChange int64
	ChangeText string // TillChange as the pages show a time left
	NextOnline int64
	Left       int64 // seconds until it expires
	LeftText   string
}

type custRentalsView struct {
	Services []catalog.Service
	States   []string
	Form     custRentForm
	Rentals  []custRentalRow
}

// custMaxRentals bounds the rentals listed.
const custMaxRentals = 200

// custRentalRowOf adds the live status to a rental.
func (s *Server) custRentalRowOf(ctx context.Context, userID int64, r rental.Rental) (custRentalRow, error) {
	row := custRentalRow{Rental: r, Show: "ended"}
	if r.Status == rental.StatusEnded {
		return row, nil
	}
	st, err := s.Rentals.Status(ctx, userID, rental.Ref{ID: r.ID})
	if errors.Is(err, rental.ErrEnded) {
		return row, nil
	}
	if err != nil {
		return row, err
	}
	row.Show, row.TillChange, row.ChangeText, row.NextOnline = st.Show, st.TillChange, custLeft(st.TillChange), st.NextOnline
	if r.Status == rental.StatusActive {
		row.Left = max(r.ExpiresAt-s.Clock.Now().Unix(), 0)
		row.LeftText = custLeft(row.Left)
	}
	return row, nil
}

func (s *Server) custRentalsData(ctx context.Context, userID int64, f custRentForm) (custRentalsView, error) {
	p := custRentalsView{States: areacode.States(), Form: f}
	var err error
	if p.Services, err = s.Catalog.List(ctx); err != nil {
		return p, err
	}
	rs, err := s.Rentals.List(ctx, userID, custMaxRentals)
	if err != nil {
		return p, err
	}
	for _, r := range rs {
		if r.Status == rental.StatusEnded && r.EndReason == rental.EndRenewed {
			continue // its renewal, newer, stands for the chain
		}
		row, err := s.custRentalRowOf(ctx, userID, r)
		if err != nil {
			return p, err
		}
		p.Rentals = append(p.Rentals, row)
	}
	return p, nil
}

// custRentals is Long Term MDN Rentals: the rent form and the user's
// rentals with their status.
func (s *Server) custRentals(w http.ResponseWriter, r *http.Request, sess account.Session) {
	p, err := s.custRentalsData(r.Context(), sess.User.ID, custRentForm{Service: r.URL.Query().Get("service"), Duration: "30"})
	if err != nil {
		s.custFail(w, r, err, "rentals", nil)
		return
	}
	s.render(w, r, http.StatusOK, "rentals", "Long Term MDN Rentals", p)
}

// custRentalCreate rents (or renews, with the number of one's own rental)
// as ltr_rent does.
func (s *Server) custRentalCreate(w http.ResponseWriter, r *http.Request, sess account.Session) {
	f := custRentForm{
		Service: strings.TrimSpace(r.PostFormValue("service")), Duration: strings.TrimSpace(r.PostFormValue("duration")),
		MDN: strings.TrimSpace(r.PostFormValue("mdn")), AreaCode: strings.TrimSpace(r.PostFormValue("areacode")),
		State:     strings.TrimSpace(r.PostFormValue("state")),
		Autorenew: r.PostFormValue("autorenew") != "", Reserve: r.PostFormValue("reserve") != "",
	}
	again := func(status int, text string) {
		p, err := s.custRentalsData(r.Context(), sess.User.ID, f)
		if err != nil {
			s.custFail(w, r, err, "rentals", nil)
			return
		}
		s.renderView(w, r, status, "rentals", view{Title: "Long Term MDN Rentals", Error: text, Data: p})
	}
	ask := rental.Ask{UserID: sess.User.ID, Autorenew: f.Autorenew, Reserve: f.Reserve}
	err := func() error {
		var err error
		if ask.Service, err = s.custService(r, "service"); err != nil {
			return err
		}
		switch f.Duration {
		case "30", "":
			ask.Days = 30
		case "3":
			ask.Days = 3
		default:
			return &custFieldError{"Duration must be 3 or 30"}
		}
		if ask.MDN, ask.AreaCode, ask.State, err = custTarget(r); err != nil {
			return err
		}
		if ask.MDN != "" && ask.Reserve {
			return &custFieldError{"Invalid mdn: a reservation takes the next available number, not a given one"}
		}
		return nil
	}()
	if err != nil {
		s.custFail(w, r, err, "rent", again)
		return
	}
	got, err := s.Rentals.Rent(r.Context(), ask)
	if err != nil {
		s.custFail(w, r, err, "rent", again)
		return
	}
	notice := "Rented for $" + money.Text(got.PriceCents+got.FeeCents) + "."
	if got.Status == rental.StatusAwaiting {
		notice = "Reserved for $" + money.Text(got.PriceCents+got.FeeCents) + ": the next available number is yours."
	}
	custRedirect(w, r, "/rentals/"+strconv.FormatInt(got.ID, 10), notice)
}

type custRentalView struct {
	CSRF      string
	R         custRentalRow
	Report    string // ltr_reported_status, "" when none
	Reported  bool   // a report is pending
	Messages  []custSMS
	Services  []catalog.Service // for a switch of service
	CanSwitch bool
	Unlimited bool
	Running   bool // not ended
}

func (s *Server) custRentalData(ctx context.Context, sess account.Session, id int64) (custRentalView, error) {
	r, err := s.Rentals.Find(ctx, sess.User.ID, rental.Ref{ID: id})
	if err != nil {
		return custRentalView{}, err
	}
	row, err := s.custRentalRowOf(ctx, sess.User.ID, r)
	if err != nil {
		return custRentalView{}, err
	}
	v := custRentalView{CSRF: sess.CSRF, R: row, Running: r.Status != rental.StatusEnded, Unlimited: rental.IsUnlimited(r.Service)}
	rep, err := s.Rentals.ReportStatus(ctx, sess.User.ID, rental.Ref{ID: r.ID})
	switch {
	case err == nil:
		v.Report, v.Reported = rep.Text(), rep.Status == "pending"
	case !errors.Is(err, rental.ErrNoReport):
		return v, err
	}
	ms, err := s.Messages.Read(ctx, message.Filter{UserID: sess.User.ID, RentalChain: r.FirstID, Limit: custMaxShown, Since: 1})
	if err != nil {
		return v, err
	}
	v.Messages = custInbound(ms)
	v.CanSwitch = v.Running && (v.Unlimited || strings.EqualFold(r.Service, rental.UnknownService))
	if v.CanSwitch {
		all, err := s.Catalog.List(ctx)
		if err != nil {
			return v, err
		}
		for _, svc := range all {
			if !rental.IsUnlimited(svc.Name) && !strings.EqualFold(svc.Name, rental.UnknownService) {
				v.Services = append(v.Services, svc)
			}
		}
	}
	return v, nil
}

// custRental is one rental (the newest of its chain): status, expiry,
// report, and the actions of the ltr_* commands; its messages.
func (s *Server) custRental(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	s.custShowRental(w, r, sess, id, http.StatusOK, "")
}

func (s *Server) custShowRental(w http.ResponseWriter, r *http.Request, sess account.Session, id int64, status int, errText string) {
	v, err := s.custRentalData(r.Context(), sess, id)
	if err != nil {
		s.custFail(w, r, err, "rental", nil)
		return
	}
	title := "Rental " + strconv.FormatInt(v.R.ID, 10)
	if v.R.MDN != "" {
		title = "Rental of " + v.R.MDN
	}
	s.renderView(w, r, status, "rental", view{Title: title, Error: errText, Data: v})
}

// custRentalReleasePage asks to confirm a release: it ends the rental now,
// without refund.
func (s *Server) custRentalReleasePage(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	v, err := s.custRentalData(r.Context(), sess, id)
	if err != nil {
		s.custFail(w, r, err, "rental", nil)
		return
	}
	s.render(w, r, http.StatusOK, "rental_release", "Release the rental?", v)
}

// custRentalAction runs one ltr_* action on a rental, then shows it again.
func (s *Server) custRentalAction(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	ctx, uid, ref := r.Context(), sess.User.ID, rental.Ref{ID: id}
	page := "/rentals/" + strconv.FormatInt(id, 10)
	again := func(status int, text string) { s.custShowRental(w, r, sess, id, status, text) }
	var (
		err    error
		notice string
	)
	switch r.PathValue("action") {
	case "autorenew":
		on := r.PostFormValue("autorenew") == "on"
		if _, err = s.Rentals.Autorenew(ctx, uid, ref, &on); errors.Is(err, rental.ErrEnded) {
			again(http.StatusBadRequest, "Unable to change auto renew status")
			return
		}
		notice = "Auto renew status updated"
	case "activate":
		_, err = s.Rentals.Activate(ctx, uid, ref)
		notice = "Activation requested"
	case "release":
		if r.PostFormValue("confirm") != "yes" {
			http.Redirect(w, r, page+"/release", http.StatusSeeOther)
			return
		}
		err, notice = s.Rentals.Release(ctx, uid, ref), "Rental has been released"
	case "report":
		err, notice = s.Rentals.ReportProblem(ctx, uid, ref), "Number has been reported"
	case "switch":
		var svc catalog.Service
		switch svc, err = s.custService(r, "service"); {
		case err != nil:
		case rental.IsUnlimited(svc.Name):
			err = &custFieldError{"Invalid new_service: cannot switch to " + svc.Name}
		default:
			err = s.Rentals.SwitchService(ctx, uid, ref, svc.Name)
		}
		notice = "Service has been switched"
	case "forward":
		var dest string
		if dest, err = rental.NormalizeDestination(r.PostFormValue("destination")); err != nil {
			err = &custFieldError{"Invalid destination: must be a US phone number, or empty to turn forwarding off"}
		} else {
			err = s.Rentals.Forward(ctx, uid, ref, dest)
		}
		notice = "Call forwarding updated"
	default:
		s.fail(w, r, http.StatusNotFound, "There is no such page.")
		return
	}
	if err != nil {
		s.custFail(w, r, err, "rental "+r.PathValue("action"), again)
		return
	}
	custRedirect(w, r, page, notice)
}
