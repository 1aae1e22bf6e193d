package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/message"
)

// Get a number: the form takes a number as the API's request does (same
// rules, charge and refusals), the request's page shows it with the time
// left and its messages, the code highlighted; reject refunds.
func TestGetANumber(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		e.Service(t, "Google", 120, 15*time.Minute)
		e.Numbers(t, "12125550000", "13105550000")
		b, u := s.customer(t, 200)
		b.get("/numbers").want(t, http.StatusOK, "Get a number", `<option value="Google">Google · $1.20</option>`, "No open requests")

		// Refusals, in the API's words; nothing is charged.
		b.post("/numbers", url.Values{"service": {"Nope"}}).want(t, http.StatusBadRequest, "Invalid service name Nope")
		b.post("/numbers", url.Values{"service": {"Google"}, "areacode": {"21"}}).want(t, http.StatusBadRequest, "Invalid area code: must be 3 digits")
		b.post("/numbers", url.Values{"service": {"Google"}, "state": {"XX"}}).want(t, http.StatusBadRequest, "Invalid state: must be a 2-letter US state abbreviation")
		b.post("/numbers", url.Values{"service": {"Google"}, "areacode": {"415"}}).want(t, http.StatusBadRequest, "No numbers available, retry later")
		b.post("/numbers", url.Values{"service": {"Google"}, "markup": {"5"}}).want(t, http.StatusBadRequest, "Markup must be between 10 and 2000")
		if e.Balance(t, u.ID) != 200 {
			t.Fatalf("refusals charged: %d", e.Balance(t, u.ID))
		}

		loc := b.post("/numbers", url.Values{"service": {"google"}, "areacode": {"212"}}).redirected(t, "/numbers/")
		b.get(loc).want(t, http.StatusOK, "12125550000", "Google", "Reserved", "$1.20", `data-countdown="900"`, "15:00",
			"Reject and refund", `data-events="`+loc+`/events"`, "/static/live.js")
		if e.Balance(t, u.ID) != 80 {
			t.Fatalf("balance after the request: %d", e.Balance(t, u.ID))
		}
		b.get("/numbers").want(t, http.StatusOK, "12125550000", `href="`+loc+`"`)
		// The balance no longer covers a second one.
		b.post("/numbers", url.Values{"service": {"Google"}}).want(t, http.StatusPaymentRequired, "Insufficient funds. Your balance is $0.80")

		// The code arrives: a reload shows it, highlighted; no reject now.
		e.Clock.Advance(time.Minute)
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: "12125550000", From: "22000",
			Text: "G-804036 is your Google verification code."}); err != nil {
			t.Fatal(err)
		}
		p := b.get(loc).want(t, http.StatusOK, "Completed", `<mark class="pin">G-804036</mark> is your Google verification code.`, "From 22000", "14:00")
		p.lacks(t, "Reject and refund")
		b.post(loc+"/reject", url.Values{}).want(t, http.StatusBadRequest, "Unable to reject an MDN that already received a message")

		// A reply goes out from the number (send_sms).
		b.post(loc+"/sms", url.Values{"text": {"thanks"}}).redirected(t, loc+"?notice=Message")
		b.get("/messages").want(t, http.StatusOK, "to 22000", "accepted", "thanks")
		b.post(loc+"/sms", url.Values{"text": {strings.Repeat("x", 161)}}).want(t, http.StatusBadRequest, "Message too long")
	})
}

// Reject refunds and ends the request; a second reject is refused with the
// API's text; the history shows the refund.
func TestRejectRefunds(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 2)...)
		b, u := s.customer(t, 500)
		loc := b.post("/numbers", url.Values{"service": {"Google"}}).redirected(t, "/numbers/")
		b.get(loc)
		b.post(loc+"/reject", url.Values{}).redirected(t, loc)
		if e.Balance(t, u.ID) != 500 {
			t.Fatalf("not refunded: %d", e.Balance(t, u.ID))
		}
		b.get(loc).want(t, http.StatusOK, "Rejected", "refunded", "No message arrived").lacks(t, "data-events", "Reject and refund")
		b.post(loc+"/reject", url.Values{}).want(t, http.StatusConflict, "Unable to reject an MDN with status Rejected")
		b.get("/requests").want(t, http.StatusOK, "Rejected", "refunded $1.20")
		b.get("/balance").want(t, http.StatusOK, "$5.00", "−$1.20", "&#43;$1.20", "Refund of request")
		// Timed out: refunded too.
		loc2 := b.post("/numbers", url.Values{"service": {"Google"}}).redirected(t, "/numbers/")
		e.Clock.Advance(16 * time.Minute)
		if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		b.get(loc2).want(t, http.StatusOK, "Timed Out", "refunded")
		if e.Balance(t, u.ID) != 500 {
			t.Fatalf("timeout not refunded: %d", e.Balance(t, u.ID))
		}
	})
}

// A markup places a premium bid when no number is free: the page waits for
// a number, and the bid wins the next one freed; reject cancels a bid and
// refunds it.
func TestPremiumBid(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		b, u := s.customer(t, 1000)
		holder, _ := s.customer(t, 1000)
		first := holder.post("/numbers", url.Values{"service": {"Google"}}).redirected(t, "/numbers/")
		bid := b.post("/numbers", url.Values{"service": {"Google"}, "markup": {"50"}}).redirected(t, "/numbers/")
		b.get(bid).want(t, http.StatusOK, "Awaiting MDN", "waiting for a number", "$1.50", "50%", "Reject and refund", `data-events="`+bid+`/events"`)
		if e.Balance(t, u.ID) != 1000-150 {
			t.Fatalf("balance %d", e.Balance(t, u.ID))
		}
		// The other customer rejects their number: it goes to the bid.
		holder.post(first+"/reject", url.Values{}).redirected(t, first)
		b.get(bid).want(t, http.StatusOK, "Reserved", "12125550000")
		third := b.post("/numbers", url.Values{"service": {"Google"}, "markup": {"10"}}).redirected(t, "/numbers/")
		b.post(third+"/reject", url.Values{}).redirected(t, third)
		b.get(third).want(t, http.StatusOK, "Rejected", "refunded")
	})
}
