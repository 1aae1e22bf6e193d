package web

import (
	"net/http"

	"mdnhub/internal/account"
	"mdnhub/internal/callback"
)

// custMaxDeliveries bounds the callback delivery log shown.
const custMaxDeliveries = 100

type custCallbacksView struct {
	CSRF       string
	URL        string
	Deliveries []callback.Delivery
}

// custCallbacks is the callback delivery log: each event with its fields,
// attempts and outcome, a redelivery button, and a test event to try the
// URL.
func (s *Server) custCallbacks(w http.ResponseWriter, r *http.Request, sess account.Session) {
	s.custShowCallbacks(w, r, sess, http.StatusOK, "")
}

func (s *Server) custShowCallbacks(w http.ResponseWriter, r *http.Request, sess account.Session, status int, errText string) {
	ctx := r.Context()
	cb, err := s.Accounts.Callback(ctx, sess.User.ID)
	if err != nil {
		s.custFail(w, r, err, "callbacks", nil)
		return
	}
	log, err := s.Callbacks.Log(ctx, sess.User.ID, custMaxDeliveries)
	if err != nil {
		s.custFail(w, r, err, "callbacks", nil)
		return
	}
	for i := range log {
		// The address as it was when recorded may hold a token in its
		// query or user part: shown as the delivery log of the CLI does.
		log[i].URL = callback.RedactURL(log[i].URL)
	}
	s.renderView(w, r, status, "callbacks", view{Title: "Callback deliveries", Error: errText,
		Data: custCallbacksView{CSRF: sess.CSRF, URL: cb.URL, Deliveries: log}})
}

// custCallbackTest records a test event for the account's callback URL.
func (s *Server) custCallbackTest(w http.ResponseWriter, r *http.Request, sess account.Session) {
	if _, err := s.Callbacks.SendTest(r.Context(), sess.User.ID); err != nil {
		s.custFail(w, r, err, "callback test", func(status int, text string) { s.custShowCallbacks(w, r, sess, status, text) })
		return
	}
	custRedirect(w, r, "/account/callbacks", "A test event is on its way.")
}

// custCallbackRedeliver starts a new series of attempts for an event.
func (s *Server) custCallbackRedeliver(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	if err := s.Callbacks.Redeliver(r.Context(), sess.User.ID, id); err != nil {
		s.custFail(w, r, err, "redeliver", nil)
		return
	}
	custRedirect(w, r, "/account/callbacks", "The event will be delivered again now.")
}
