package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/areacode"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// custNumberForm is what the Get a number form was sent with.
type custNumberForm struct {
	Service, AreaCode, State, Markup string
}

type custNumbersView struct {
	Services []catalog.Service
	States   []string
	Form     custNumberForm
	Open     []custOpenRequest
}

// custOpenRequest is a line of the open requests.
type custOpenRequest struct {
	request.Request
	Left     int64
	LeftText string
}

func (s *Server) custNumbersData(ctx context.Context, userID int64, f custNumberForm) (custNumbersView, error) {
	p := custNumbersView{States: areacode.States(), Form: f}
	var err error
	if p.Services, err = s.Catalog.List(ctx); err != nil {
		return p, err
	}
	open, err := s.Requests.Open(ctx, userID)
	if err != nil {
		return p, err
	}
	now := s.Clock.Now()
	for _, r := range open {
		secs := int64(r.TillExpiration(now).Seconds())
		p.Open = append(p.Open, custOpenRequest{r, secs, custLeft(secs)})
	}
	return p, nil
}

// custNumbers is Get a number: the form and the user's open requests.
func (s *Server) custNumbers(w http.ResponseWriter, r *http.Request, sess account.Session) {
	p, err := s.custNumbersData(r.Context(), sess.User.ID, custNumberForm{Service: r.URL.Query().Get("service")})
	if err != nil {
		s.custFail(w, r, err, "numbers", nil)
		return
	}
	s.render(w, r, http.StatusOK, "numbers", "Get a number", p)
}

// custNumberCreate asks for a number as the API's request command does: the
// same rules, the same charge, the same refusals.
func (s *Server) custNumberCreate(w http.ResponseWriter, r *http.Request, sess account.Session) {
	f := custNumberForm{
		Service: strings.TrimSpace(r.PostFormValue("service")), AreaCode: strings.TrimSpace(r.PostFormValue("areacode")),
		State: strings.TrimSpace(r.PostFormValue("state")), Markup: strings.TrimSpace(r.PostFormValue("markup")),
	}
	again := func(status int, text string) {
		p, err := s.custNumbersData(r.Context(), sess.User.ID, f)
		if err != nil {
			s.custFail(w, r, err, "numbers", nil)
			return
		}
		s.renderView(w, r, status, "numbers", view{Title: "Get a number", Error: text, Data: p})
	}
	ask := request.Ask{UserID: sess.User.ID}
	err := func() error {
		svc, err := s.custService(r, "service")
		if err != nil {
			return err
		}
		ask.Services = []catalog.Service{svc}
		if f.Markup != "" {
			m, err := strconv.ParseInt(f.Markup, 10, 64)
			if err != nil || m < 10 || m > 2000 {
				return &custFieldError{"Markup must be between 10 and 2000"}
			}
			ask.Markup = m
		}
		ask.MDN, ask.AreaCode, ask.State, err = custTarget(r)
		return err
	}()
	if err != nil {
		s.custFail(w, r, err, "request", again)
		return
	}
	rs, err := s.Requests.Create(r.Context(), ask)
	if err != nil {
		s.custFail(w, r, err, "request", again)
		return
	}
	custRedirect(w, r, "/numbers/"+strconv.FormatInt(rs[0].ID, 10), "")
}

// custNumberLive is the part of a request's page that changes by itself: the
// status, the time left, the messages and what can be done. The page shows
// it, and its events stream sends it again whenever it changes.
type custNumberLive struct {
	CSRF      string
	R         request.Request
	Left      int64
	LeftText  string
	Refunded  bool
	Messages  []custSMS
	CanReject bool
	CanReply  bool
	// Stream is the events address while the page can still change.
	Stream string
}

// key tells two states apart (the time left aside, which the page counts
// down itself).
func (l custNumberLive) key() string {
	var last int64
	if len(l.Messages) > 0 {
		last = l.Messages[0].ID
	}
	return l.R.Status + "|" + strconv.FormatInt(l.R.Messages, 10) + "|" + strconv.FormatInt(l.R.ClosedAt, 10) + "|" +
		strconv.FormatInt(int64(len(l.Messages)), 10) + "|" + strconv.FormatInt(last, 10)
}

// custMaxShown bounds the messages shown on a request's page.
const custMaxShown = 50

func (s *Server) custNumberLiveData(ctx context.Context, sess account.Session, id int64) (custNumberLive, error) {
	req, err := s.Requests.Get(ctx, sess.User.ID, id)
	if err != nil {
		return custNumberLive{}, err
	}
	l := custNumberLive{CSRF: sess.CSRF, R: req, Refunded: req.Refunded()}
	l.Left = int64(req.TillExpiration(s.Clock.Now()).Seconds())
	l.LeftText = custLeft(l.Left)
	if req.Messages > 0 {
		ms, err := s.Messages.Read(ctx, message.Filter{UserID: sess.User.ID, RequestID: req.ID, Limit: custMaxShown, Since: 1})
		if err != nil {
			return custNumberLive{}, err
		}
		l.Messages = custInbound(ms)
	}
	open := req.Open()
	l.CanReject = open && req.Messages == 0 && (req.Status == request.StatusReserved || req.Status == request.StatusAwaiting)
	l.CanReply = open && req.Messages > 0 && req.MDN != ""
	if open {
		l.Stream = "/numbers/" + strconv.FormatInt(req.ID, 10) + "/events"
	}
	return l, nil
}

type custNumberView struct {
	Live custNumberLive
}

// custNumber is one request: the number, its status, the time left, and
// the messages as they arrive.
func (s *Server) custNumber(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	s.custShowNumber(w, r, sess, id, http.StatusOK, "")
}

func (s *Server) custShowNumber(w http.ResponseWriter, r *http.Request, sess account.Session, id int64, status int, errText string) {
	l, err := s.custNumberLiveData(r.Context(), sess, id)
	if err != nil {
		s.custFail(w, r, err, "request page", nil)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	title := "Number " + l.R.MDN
	if l.R.MDN == "" {
		title = "Request " + strconv.FormatInt(l.R.ID, 10)
	}
	s.renderView(w, r, status, "number", view{Title: title, Error: errText, Data: custNumberView{Live: l}})
}

// custNumberReject rejects a request as the API's reject does: refunded, and
// the number never offered to this user again.
func (s *Server) custNumberReject(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	if err := s.Requests.Reject(r.Context(), sess.User.ID, id); err != nil {
		s.custFail(w, r, err, "reject", func(status int, text string) { s.custShowNumber(w, r, sess, id, status, text) })
		return
	}
	custRedirect(w, r, "/numbers/"+strconv.FormatInt(id, 10), "MDN has been rejected")
}

// custNumberReply answers the last sender to the request's number (send_sms).
func (s *Server) custNumberReply(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	if _, err := s.Requests.Get(r.Context(), sess.User.ID, id); err != nil {
		s.custFail(w, r, err, "reply", nil)
		return
	}
	_, err := s.Messages.Send(r.Context(), message.SendAsk{UserID: sess.User.ID, RequestID: id, Text: r.PostFormValue("text")})
	if err != nil {
		s.custFail(w, r, err, "reply", func(status int, text string) { s.custShowNumber(w, r, sess, id, status, text) })
		return
	}
	custRedirect(w, r, "/numbers/"+strconv.FormatInt(id, 10), "Message has been sent")
}
