package web

import (
	"net/http"
	"strconv"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/clock"
	"mdnhub/internal/money"
	"mdnhub/internal/request"
)

// custRequestRow is a line of the history, its values formatted: a flat
// view renders fastest.
type custRequestRow struct {
	ID, Created, MDN, Service, Status, Price, Markup, Refund string
	Messages                                                 int64
}

type custRequestsView struct {
	Requests []custRequestRow
	Pager    custPager
}

// custRequests is the one-time request history: every request with its
// status, price and refund, newest first, paged by id.
func (s *Server) custRequests(w http.ResponseWriter, r *http.Request, sess account.Session) {
	q := r.URL.Query()
	h, err := s.Requests.History(r.Context(), request.HistoryPage{UserID: sess.User.ID, Keyset: custKeyset(q)})
	if err != nil {
		s.custFail(w, r, err, "requests", nil)
		return
	}
	v := custRequestsView{Pager: custKeysetPager("/requests", q, h)}
	for _, x := range h.Rows {
		row := custRequestRow{ID: strconv.FormatInt(x.ID, 10), Created: clock.HumanTime(time.Unix(x.CreatedAt, 0)), MDN: x.MDN,
			Service: x.Service, Status: x.Status, Price: "$" + money.Text(x.PriceCents), Messages: x.Messages, Refund: "none"}
		if x.Markup != 0 {
			row.Markup = "+" + strconv.FormatInt(x.Markup, 10) + "%"
		}
		switch {
		case x.Refunded():
			row.Refund = "refunded $" + money.Text(x.PriceCents)
		case x.Open():
			row.Refund = "–"
		}
		v.Requests = append(v.Requests, row)
	}
	s.render(w, r, http.StatusOK, "requests", "One-time request history", v)
}
