package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// records are one of everything of a customer: a request with a message, a
// rental, a proxy rental and a callback event.
type records struct {
	request, rental, message, proxy, event int64
}

// The proxy rental's service, shown to every customer on the ports list, is
// proxyService.
func makeRecords(t *testing.T, s *site, userID int64, username, svcName, text, proxyService string) records {
	t.Helper()
	e := s.e
	svc, err := e.Catalog.Lookup(ctx, svcName)
	if err != nil {
		t.Fatal(err)
	}
	e.WithCallback(t, userID)
	rs, err := e.Requests.Create(ctx, request.Ask{UserID: userID, Services: []catalog.Service{svc}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: rs[0].MDN, From: "22000", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	ren, err := e.Rentals.Rent(ctx, rental.Ask{UserID: userID, Service: svc, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	px, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: userID, Username: username, Port: "50001", Service: proxyService, Minutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	log, err := e.Callbacks.Log(ctx, userID, 1)
	if err != nil || len(log) == 0 {
		t.Fatalf("no callback event: %v", err)
	}
	return records{request: rs[0].ID, rental: ren.ID, message: d.Message.ID, proxy: px.ID, event: log[0].ID}
}

func customerSite(t *testing.T, s *site) {
	t.Helper()
	s.e.Numbers(t, "12125550000", "12125550001", "12125550002", "12125550003", "12125550004", "12125550005")
	if err := s.e.Proxies.PutPort(ctx, proxy.Port{ID: "50001", Location: "NJ", Carrier: "Verizon", Capacity: 5,
		Upstream: "socks5://127.0.0.1:1080", RedialTimeout: time.Second, Enabled: true}); err != nil {
		t.Fatal(err)
	}
}

// getPaths are the customer pages shown by GET, with r's ids.
func (r records) getPaths() []string {
	return []string{"/numbers", fmt.Sprintf("/numbers/%d", r.request), "/rentals", fmt.Sprintf("/rentals/%d", r.rental),
		fmt.Sprintf("/rentals/%d/release", r.rental), "/messages", fmt.Sprintf("/messages/%d", r.message), "/requests", "/balance",
		"/proxies", fmt.Sprintf("/proxies/%d", r.proxy), "/account/callbacks"}
}

// postPaths are the customer forms, with r's ids and valid fields.
func (r records) postPaths() map[string]url.Values {
	return map[string]url.Values{
		"/numbers": {"service": {"Google"}},
		fmt.Sprintf("/numbers/%d/reject", r.request): {},
		fmt.Sprintf("/numbers/%d/sms", r.request):    {"text": {"hi"}},
		"/rentals": {"service": {"Google"}},
		fmt.Sprintf("/rentals/%d/autorenew", r.rental): {"autorenew": {"on"}},
		fmt.Sprintf("/rentals/%d/activate", r.rental):  {},
		fmt.Sprintf("/rentals/%d/release", r.rental):   {"confirm": {"yes"}},
		fmt.Sprintf("/rentals/%d/report", r.rental):    {},
		fmt.Sprintf("/rentals/%d/switch", r.rental):    {"service": {"Google"}},
		fmt.Sprintf("/rentals/%d/forward", r.rental):   {"destination": {"12125550199"}},
		"/proxies":                                              {"service": {"Uber"}, "minutes": {"60"}},
		fmt.Sprintf("/proxies/%d/swap", r.proxy):                {},
		fmt.Sprintf("/proxies/%d/redial", r.proxy):              {},
		"/account/callbacks/test":                               {},
		fmt.Sprintf("/account/callbacks/%d/redeliver", r.event): {},
	}
}

// Without a login, pages send to the login page (coming back after it) and
// forms are refused.
func TestCustomerPagesNeedLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		s.e.Service(t, "Google", 100, 0)
		customerSite(t, s)
		_, u := s.customer(t, 10000)
		r := makeRecords(t, s, u.ID, u.Username, "Google", "code 1234", "Uber")
		anon := s.browser(t)
		for _, path := range append(r.getPaths(), fmt.Sprintf("/numbers/%d/events", r.request)) {
			anon.get(path).redirected(t, "/login?next="+url.QueryEscape(path))
		}
		for path, form := range r.postPaths() {
			anon.post(path, form).want(t, http.StatusUnauthorized, "Log in")
		}
	})
}

// A form without the session's token, or with another, changes nothing.
func TestCustomerFormsNeedToken(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		s.e.Service(t, "Google", 100, 0)
		customerSite(t, s)
		b, u := s.customer(t, 10000)
		r := makeRecords(t, s, u.ID, u.Username, "Google", "code 1234", "Uber")
		before := s.e.Balance(t, u.ID)
		for path, form := range r.postPaths() {
			form.Set("csrf", "")
			b.post(path, form).want(t, http.StatusForbidden, "This form has expired")
			form.Set("csrf", "forged-token-of-nobody")
			b.post(path, form).want(t, http.StatusForbidden, "This form has expired")
		}
		if s.e.Balance(t, u.ID) != before {
			t.Fatalf("a refused form moved money: %d to %d", before, s.e.Balance(t, u.ID))
		}
		b.get(fmt.Sprintf("/rentals/%d", r.rental)).want(t, http.StatusOK, "online", "Auto renew is off")
		b.get(fmt.Sprintf("/numbers/%d", r.request)).want(t, http.StatusOK, "Completed")
	})
}

// A customer opening another customer's request, rental, message or proxy
// rental, or acting on it, gets "no such page" and nothing of theirs; their
// lists show none of it.
func TestOthersRecordsAreNotFound(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		s.e.Service(t, "Google", 100, 0)
		customerSite(t, s)
		_, alice := s.customer(t, 10000)
		r := makeRecords(t, s, alice.ID, alice.Username, "Google", "Alice's code 482913", "Uber")
		mallory, m := s.customer(t, 10000)
		before := s.e.Balance(t, m.ID)
		for _, path := range append(r.getPaths(), fmt.Sprintf("/numbers/%d/events", r.request)) {
			switch path {
			case "/numbers", "/rentals", "/messages", "/requests", "/balance", "/proxies", "/account/callbacks":
				mallory.get(path).want(t, http.StatusOK).lacks(t, "482913", alice.Username, "12125550000")
			default:
				mallory.get(path).want(t, http.StatusNotFound, "There is no such page").lacks(t, "482913", alice.Username)
			}
		}
		for path, form := range r.postPaths() {
			if !regexp.MustCompile(`/\d+/`).MatchString(path) {
				continue // forms that name nothing of anyone's
			}
			mallory.post(path, form).want(t, http.StatusNotFound).lacks(t, "482913", alice.Username)
		}
		// Ids that are not numbers name nothing either.
		mallory.get("/numbers/abc").want(t, http.StatusNotFound)
		mallory.get("/rentals/-1").want(t, http.StatusNotFound)
		if s.e.Balance(t, m.ID) != before {
			t.Fatal("money moved")
		}
		// Alice's records are as they were.
		got, _ := s.e.Requests.Get(ctx, alice.ID, r.request)
		ren, _ := s.e.Rentals.Find(ctx, alice.ID, rental.Ref{ID: r.rental})
		if got.Status != request.StatusCompleted || ren.Status != rental.StatusActive || ren.ForwardTo != "" || ren.Autorenew {
			t.Fatalf("another user changed %+v %+v", got, ren)
		}
	})
}

// What customers and operators type (an SMS text, a service name, a proxy
// service) is shown escaped on every page and in the live stream.
func TestCustomerPagesEscape(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		const script = "<script>alert(1)</script>"
		s.e.Service(t, "<b>x</b>", 100, 0)
		s.e.Service(t, "Google", 100, 0)
		customerSite(t, s)
		b, u := s.customer(t, 10000)
		r := makeRecords(t, s, u.ID, u.Username, "<b>x</b>", "Your code is 482913 "+script, script)
		// A second request, still waiting, for the live stream.
		open := b.post("/numbers", url.Values{"service": {"<b>x</b>"}}).redirected(t, "/numbers/")
		events, _ := b.stream(open + "/events")
		first := next(t, events, "update", 5*time.Second)
		pages := []string{first.data}
		for _, path := range append(r.getPaths(), "/messages?service="+url.QueryEscape("<b>x</b>"), "/messages?mdn="+url.QueryEscape(script), "/services") {
			pages = append(pages, b.get(path).body)
		}
		b.get(fmt.Sprintf("/messages/%d", r.message)).want(t, http.StatusOK, "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;x&lt;/b&gt;")
		b.get("/account/callbacks").want(t, http.StatusOK, "&lt;script&gt;")
		b.get("/proxies").want(t, http.StatusOK, "&lt;script&gt;")
		for i, body := range pages {
			for _, raw := range []string{"<script>alert", "<b>x</b>", "<script>", "</b>"} {
				if strings.Contains(body, raw) {
					t.Fatalf("page %d has %q raw:\n%s", i, raw, body)
				}
			}
		}
	})
}
