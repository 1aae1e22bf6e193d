package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/message"
)

// Long Term MDN Rentals: rent with the charge and its Billing entry, the
// status and its changes, autorenew, activate, report, forwarding, the
// messages, release after a confirmation; refusals in the API's words.
func TestRentals(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		e.Service(t, "Google", 100, 0) // 30 days $20.00
		e.Service(t, "Unknown", 50, 0) // 30 days $10.00
		e.Numbers(t, apptest.Seq("212", 3)...)
		b, u := s.customer(t, 10000)
		b.get("/rentals").want(t, http.StatusOK, "Rent a number", "Google · 30 days $20.00 · 3 days $5.00", "No rentals yet")

		b.post("/rentals", url.Values{"service": {"Google"}, "duration": {"7"}}).want(t, http.StatusBadRequest, "Duration must be 3 or 30")
		b.post("/rentals", url.Values{"service": {"Google"}, "reserve": {"on"}}).want(t, http.StatusBadRequest, "Reservations are only available for the Unlimited service")
		b.post("/rentals", url.Values{"service": {"Google"}, "duration": {"3"}}).want(t, http.StatusBadRequest, "No numbers available, retry later")
		b.post("/rentals", url.Values{"service": {""}}).want(t, http.StatusBadRequest, "Choose a service")
		if e.Balance(t, u.ID) != 10000 {
			t.Fatalf("refusals charged: %d", e.Balance(t, u.ID))
		}

		loc := b.post("/rentals", url.Values{"service": {"Google"}, "duration": {"30"}, "autorenew": {"on"}}).redirected(t, "/rentals/1?notice=Rented")
		if e.Balance(t, u.ID) != 8000 {
			t.Fatalf("balance after renting: %d", e.Balance(t, u.ID))
		}
		const page = "/rentals/1"
		b.get(loc).want(t, http.StatusOK, "Rented for $20.00", "12125550000", "online", "Auto renew is on: turn off", "2020-10-14 14:42:36 EDT",
			"Report: the number does not work", "none", `href="/rentals/1/release"`)
		b.get("/rentals").want(t, http.StatusOK, "12125550000", "online", `href="/rentals/1"`)
		b.get("/messages").want(t, http.StatusOK, "Billing", "Rental 1 of 12125550000 for Google, 30 days: $20.00")

		b.post(page+"/autorenew", url.Values{"autorenew": {"off"}}).redirected(t, page+"?notice=Auto")
		b.get(page).want(t, http.StatusOK, "Auto renew is off: turn on")
		b.post(page+"/activate", url.Values{}).redirected(t, page+"?notice=Activation")
		b.post(page+"/switch", url.Values{"service": {"Unknown"}}).want(t, http.StatusBadRequest, "Only rentals of the Unknown or Unlimited service can switch service")
		b.post(page+"/forward", url.Values{"destination": {"12"}}).want(t, http.StatusBadRequest, "Invalid destination")
		b.post(page+"/forward", url.Values{"destination": {"(212) 555-0199"}}).redirected(t, page+"?notice=Call")
		b.get(page).want(t, http.StatusOK, "Calls forwarded to", "12125550199")
		b.post(page+"/report", url.Values{}).redirected(t, page+"?notice=Number+has+been+reported")
		b.get(page).want(t, http.StatusOK, "pending").lacks(t, "Report: the number does not work")
		b.post(page+"/report", url.Values{}).want(t, http.StatusBadRequest, "Already reported")
		b.post(page+"/nonsense", url.Values{}).want(t, http.StatusNotFound)

		// The online window ends: the number is parked until activated.
		e.Clock.Advance(2*time.Hour + time.Second)
		if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		b.get(page).want(t, http.StatusOK, "offline", "offline until activated", "Activate")

		// Its messages, the code marked.
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: "12125550000", From: "22000", Text: "G-123456 is your Google verification code."}); err != nil {
			t.Fatal(err)
		}
		b.get(page).want(t, http.StatusOK, `<mark class="pin">G-123456</mark>`)

		// Release: a confirmation first; then it has ended.
		b.post(page+"/release", url.Values{}).redirected(t, page+"/release")
		b.get(page+"/release").want(t, http.StatusOK, "Release <code>12125550000</code>?", "without refund", `name="confirm" value="yes"`)
		b.post(page+"/release", url.Values{"confirm": {"yes"}}).redirected(t, page+"?notice=Rental+has+been+released")
		b.get(page).want(t, http.StatusOK, "ended", "(released)").lacks(t, "Activate", "Release…")
		b.post(page+"/autorenew", url.Values{"autorenew": {"on"}}).want(t, http.StatusBadRequest, "Unable to change auto renew status")
		b.post(page+"/activate", url.Values{}).want(t, http.StatusBadRequest, "Rental has ended")
		if e.Balance(t, u.ID) != 8000 {
			t.Fatalf("release refunded: %d", e.Balance(t, u.ID))
		}

		// An Unknown rental switches service, charged the difference.
		loc = b.post("/rentals", url.Values{"service": {"Unknown"}}).redirected(t, "/rentals/2")
		b.get(loc).want(t, http.StatusOK, "Switch service")
		b.post("/rentals/2/switch", url.Values{"service": {"Google"}}).redirected(t, "/rentals/2?notice=Service+has+been+switched")
		b.get("/rentals/2").want(t, http.StatusOK, "Google").lacks(t, "Switch service")
		if e.Balance(t, u.ID) != 8000-1000-1000 {
			t.Fatalf("switch charge: balance %d", e.Balance(t, u.ID))
		}
		e.CheckLedger(t)
	})
}
