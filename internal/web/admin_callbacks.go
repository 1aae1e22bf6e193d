package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/callback"
)

type adminDeliveryRow struct {
	callback.Delivery
	User string
	URL  string // with secrets in it redacted
}

type adminCallbacksPage struct {
	Rows      []adminDeliveryRow
	Next      string
	FirstPage string
	Self      string
}

// pageParam writes a callback.Page as a query value: "f123" (failed part,
// before id 123) or "o123" (the others).
func pageParam(p callback.Page) string {
	if p.Others {
		return "o" + strconv.FormatInt(p.Before, 10)
	}
	return "f" + strconv.FormatInt(p.Before, 10)
}

func parsePageParam(v string) callback.Page {
	if len(v) < 2 {
		return callback.Page{}
	}
	id, err := strconv.ParseInt(v[1:], 10, 64)
	if err != nil || id < 0 {
		return callback.Page{}
	}
	return callback.Page{Others: v[0] == 'o', Before: id}
}

// adminCallbacks lists the callback deliveries of every account: failed
// ones first, then the others, each newest first.
func (s *Server) adminCallbacks(w http.ResponseWriter, r *http.Request, sess account.Session) {
	at := r.URL.Query().Get("page")
	ds, next, err := s.Callbacks.Deliveries(r.Context(), parsePageParam(at), adminPageSize)
	if err != nil {
		s.adminFailed(w, r, "callback deliveries", err)
		return
	}
	p := adminCallbacksPage{Self: "/admin/callbacks"}
	if at != "" {
		p.FirstPage = "/admin/callbacks"
		p.Self += "?" + url.Values{"page": {at}}.Encode()
	}
	if next != (callback.Page{}) {
		p.Next = "/admin/callbacks?" + url.Values{"page": {pageParam(next)}}.Encode()
	}
	var ids []int64
	for _, d := range ds {
		ids = append(ids, d.UserID)
	}
	names := s.adminNames(r, ids)
	for _, d := range ds {
		p.Rows = append(p.Rows, adminDeliveryRow{Delivery: d, User: names[d.UserID], URL: callback.RedactURL(d.URL)})
	}
	s.adminRender(w, r, http.StatusOK, "admin_callbacks", "Callback deliveries", "callbacks", "", p)
}

// adminRedeliver delivers an event again, as mdnhub callbacks redeliver
// does: a new series of attempts starts now.
func (s *Server) adminRedeliver(w http.ResponseWriter, r *http.Request, sess account.Session) {
	id, ok := adminPathID(r, "id")
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such delivery.")
		return
	}
	if err := s.Callbacks.Redeliver(r.Context(), 0, id); err != nil {
		s.adminFailed(w, r, fmt.Sprintf("redelivery of event %d", id), err)
		return
	}
	to := adminBack(r, "/admin/callbacks")
	if !strings.HasPrefix(to, "/admin/callbacks") {
		to = "/admin/callbacks"
	}
	adminDone(w, r, to, fmt.Sprintf("Event %d will be delivered again.", id))
}
