package web

import (
	"net/http"

	"mdnhub/internal/account"
	"mdnhub/internal/request"
)

type custRequestsView struct {
	Requests []request.Request
	Pager    custPager
}

// custRequests is the one-time request history: every request with its
// status, price and refund, newest first, paged by id.
func (s *Server) custRequests(w http.ResponseWriter, r *http.Request, sess account.Session) {
	q := r.URL.Query()
	h, err := s.Requests.History(r.Context(), request.HistoryPage{UserID: sess.User.ID, Limit: custPageSize,
		Before: custIDCursor(q, "before"), After: custIDCursor(q, "after")})
	if err != nil {
		s.custFail(w, r, err, "requests", nil)
		return
	}
	s.render(w, r, http.StatusOK, "requests", "One-time request history", custRequestsView{
		Requests: h.Requests, Pager: custIDPager("/requests", q, h.HasNewer, h.HasOlder, h.Newer, h.Older)})
}
