package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/proxy"
)

var passRE = regexp.MustCompile(`<code id="proxy-pass" class="secret">([^<]+)</code>`)

// Proxy rentals: the ports without their upstreams, rent with the
// credentials shown once, swap with new ones, redial for exclusive
// rentals; refusals in the API's words; another user's rental is not found.
func TestProxies(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		for _, id := range []string{"50001", "50002", "50003"} {
			action := ""
			if id == "50003" {
				action = "http://10.8.0.21/api/reconnect"
			}
			if err := e.Proxies.PutPort(ctx, proxy.Port{ID: id, Location: "NJ", Carrier: "Verizon", RedialMinutes: 15, Capacity: 2,
				ExclusiveAllowed: true, Upstream: "socks5://secretuser:secretpass@10.8.0.21:1080", RedialAction: action,
				RedialTimeout: 5 * time.Second, Enabled: true}); err != nil {
				t.Fatal(err)
			}
		}
		b, u := s.customer(t, 1000)
		b.get("/proxies").want(t, http.StatusOK, "Rent a mobile proxy", "50001", "Verizon", "0 of 2", "shared $0.50", "No proxy rentals yet").
			lacks(t, "secretpass", "10.8.0.21")

		b.post("/proxies", url.Values{"service": {"Uber"}, "minutes": {"59"}}).want(t, http.StatusBadRequest, "Minimum duration is 60 minutes")
		b.post("/proxies", url.Values{"service": {"Uber"}, "minutes": {"sixty"}}).want(t, http.StatusBadRequest, "Invalid duration")
		b.post("/proxies", url.Values{"service": {"Uber"}, "minutes": {"60"}, "port": {"59999"}}).want(t, http.StatusBadRequest, "Invalid port")
		b.post("/proxies", url.Values{"service": {""}, "minutes": {"60"}}).want(t, http.StatusBadRequest, "Missing parameter: service")

		// The rent answers a redirect to the credentials' page, which shows
		// the password once: a reload shows the rental, never rents again.
		rent := b.post("/proxies", url.Values{"service": {"Uber"}, "minutes": {"120"}, "port": {"50001"}})
		if rent.code != http.StatusSeeOther || !strings.HasSuffix(rent.location, "/credentials") {
			t.Fatalf("rent: HTTP %d to %q", rent.code, rent.location)
		}
		p := b.get(rent.location).want(t, http.StatusOK, "Your proxy is ready", u.Username+"_50001", "SOCKS5 Port: 50000", "$1.00", "Copy the password now")
		pass := passRE.FindStringSubmatch(p.body)
		if pass == nil || len(pass[1]) != 15 {
			t.Fatalf("no password shown:\n%s", p.body)
		}
		if again := b.get(rent.location); again.code != http.StatusSeeOther || strings.Contains(again.body, pass[1]) {
			t.Fatalf("reload of the credentials: HTTP %d\n%s", again.code, again.body)
		}
		if e.Balance(t, u.ID) != 900 {
			t.Fatalf("balance %d", e.Balance(t, u.ID))
		}
		list := b.get("/proxies").want(t, http.StatusOK, u.Username+"_50001", "active", "1 of 2").lacks(t, pass[1])
		id := regexp.MustCompile(`href="/proxies/(\d+)"`).FindStringSubmatch(list.body)[1]
		b.get("/proxies/"+id).want(t, http.StatusOK, u.Username+"_50001", "shown once").lacks(t, pass[1])
		b.post("/proxies/"+id+"/redial", url.Values{}).want(t, http.StatusBadRequest, "No exclusive port rental")
		b.post("/proxies/"+id+"/swap", url.Values{"port": {"50001"}}).want(t, http.StatusBadRequest, "The rental is already on this port")
		moved := b.get(b.post("/proxies/"+id+"/swap", url.Values{"port": {"50002"}}).location).want(t, http.StatusOK, "Your proxy has moved", u.Username+"_50002")
		pass2 := passRE.FindStringSubmatch(moved.body)
		if pass2 == nil || pass2[1] == pass[1] {
			t.Fatal("no new password after a swap")
		}

		// An exclusive rental can redial.
		p = b.get(b.post("/proxies", url.Values{"service": {"Lyft"}, "minutes": {"60"}, "port": {"50003"}, "exclusive": {"on"}}).location).want(t, http.StatusOK, "exclusive")
		id2 := regexp.MustCompile(`href="/proxies/(\d+)"`).FindStringSubmatch(p.body)[1]
		b.get("/proxies/"+id2).want(t, http.StatusOK, "Redial now")
		b.post("/proxies/"+id2+"/redial", url.Values{}).redirected(t, "/proxies/"+id2+"?notice=Redial+requested")

		// Not someone else's.
		other, _ := s.customer(t, 1000)
		other.get("/proxies/"+id).want(t, http.StatusNotFound).lacks(t, u.Username+"_5000")
		other.get("/proxies/"+id+"/credentials").want(t, http.StatusNotFound)
		other.post("/proxies/"+id+"/swap", url.Values{"port": {"50003"}}).want(t, http.StatusNotFound)
		other.post("/proxies/"+id2+"/redial", url.Values{}).want(t, http.StatusNotFound)
		other.get("/proxies").want(t, http.StatusOK, "No proxy rentals yet").lacks(t, u.Username+"_5000")

		// Ended: shown as such, no actions.
		e.Clock.Advance(3 * time.Hour)
		b.get("/proxies/"+id).want(t, http.StatusOK, "ended").lacks(t, "Move to another port")
		b.post("/proxies/"+id+"/swap", url.Values{}).want(t, http.StatusBadRequest, "Proxy rental has ended")
	})
}
