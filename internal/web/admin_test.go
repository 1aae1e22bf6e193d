package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// operator signs up an operator (role admin) and logs a browser in as it.
func (s *site) operator(t *testing.T) *browser {
	t.Helper()
	b := s.browser(t)
	s.signUp(t, b, "root", pw)
	u, err := s.e.Accounts.Find(ctx, "root")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.e.Accounts.SetRole(ctx, u.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	b.logIn("root", pw)
	return b
}

// upload posts a multipart form with one file, as a browser on the site
// does, with the last page's form token.
func (b *browser) upload(path string, fields url.Values, file, content string) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, ok := fields["csrf"]; !ok {
		fields.Set("csrf", b.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", file)
		fw.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// follow requires a redirect (the answer to a form that worked) and opens
// where it leads.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.code != http.StatusSeeOther {
		b.t.Fatalf("HTTP %d, want a redirect:\n%s", p.code, p.body)
	}
	return b.get(p.location)
}

var adminPages = []string{"/admin", "/admin/numbers", "/admin/numbers/12125550100", "/admin/services", "/admin/users",
	"/admin/users/1", "/admin/reports", "/admin/proxy", "/admin/gateways", "/admin/callbacks", "/admin/unowned"}

var adminForms = []string{"/admin/numbers/import", "/admin/numbers/12125550100/disable", "/admin/services", "/admin/services/rules",
	"/admin/services/rules/1/delete", "/admin/users/1/credit", "/admin/users/1/suspend", "/admin/users/1/unsuspend",
	"/admin/users/1/key", "/admin/users/1/role", "/admin/reports/1", "/admin/proxy/ports", "/admin/proxy/ports/50001/disable",
	"/admin/callbacks/1/redeliver"}

// Operator pages: anonymous visitors are sent to the login page (and back
// afterwards), customers get 403 on every page and form, operators see
// them all.
func TestAdminAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		s.e.Numbers(t, "12125550100")
		anon := s.browser(t)
		for _, path := range adminPages {
			p := anon.get(path)
			if p.code != http.StatusSeeOther || p.location != "/login?next="+url.QueryEscape(path) {
				t.Fatalf("anonymous %s: %d %q", path, p.code, p.location)
			}
		}
		anon.post("/admin/users/1/credit", url.Values{"amount": {"5"}, "reason": {"x"}}).want(t, http.StatusUnauthorized)

		customer := s.browser(t)
		s.signUp(t, customer, "carl", pw)
		customer.logIn("carl", pw)
		customer.get("/account").want(t, http.StatusOK)
		if strings.Contains(customer.get("/account").body, `href="/admin"`) {
			t.Fatal("a customer is shown the operator link")
		}
		for _, path := range adminPages {
			customer.get(path).want(t, http.StatusForbidden, "for operators")
		}
		for _, path := range adminForms {
			customer.post(path, url.Values{"amount": {"5"}, "reason": {"x"}, "role": {"admin"}}).want(t, http.StatusForbidden)
		}
		carl, _ := s.e.Accounts.Find(ctx, "carl")
		if carl.BalanceCents != 0 || carl.Role != "user" {
			t.Fatalf("a customer's forms changed %+v", carl)
		}

		op := s.operator(t)
		op.get("/account").want(t, http.StatusOK, `href="/admin"`)
		for _, path := range adminPages {
			op.get(path).want(t, http.StatusOK, `aria-label="Operator pages"`)
		}
		op.get("/admin/users/999").want(t, http.StatusNotFound)
		op.get("/admin/numbers/19995550000").want(t, http.StatusNotFound)
		// The login page brings an operator back where they were going.
		later := s.browser(t)
		next, _ := url.QueryUnescape(strings.TrimPrefix(later.get("/admin/reports").location, "/login?next="))
		if p := later.post("/login", url.Values{"login": {"root"}, "password": {pw}, "next": {next}}); p.location != "/admin/reports" {
			t.Fatalf("after login: %q", p.location)
		}
	})
}

// Every operator form needs the session's token.
func TestAdminCSRF(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		u, _ := s.e.User(t, 0)
		for _, path := range []string{fmt.Sprintf("/admin/users/%d/credit", u.ID), fmt.Sprintf("/admin/users/%d/suspend", u.ID)} {
			op.post(path, url.Values{"amount": {"5"}, "reason": {"forged"}, "csrf": {"forged"}}).want(t, http.StatusForbidden, "expired")
			op.post(path, url.Values{"amount": {"5"}, "reason": {"forged"}, "csrf": {""}}).want(t, http.StatusForbidden, "expired")
		}
		op.upload("/admin/numbers/import", url.Values{"csrf": {"forged"}}, "numbers.csv", "12125550100\n").want(t, http.StatusForbidden)
		if got, _ := s.e.Accounts.Get(ctx, u.ID); got.BalanceCents != 0 || got.Suspended {
			t.Fatalf("forged forms changed %+v", got)
		}
		if n, _ := s.e.Inventory.Count(ctx); n.Total != 0 {
			t.Fatalf("a forged import stored %d numbers", n.Total)
		}
		// htmx sends the token in a header.
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+fmt.Sprintf("/admin/users/%d/credit", u.ID),
			strings.NewReader("amount=1.50&reason=by+htmx"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("X-CSRF-Token", op.csrf)
		if p := op.do(req); p.code != http.StatusSeeOther {
			t.Fatalf("with the header: %d\n%s", p.code, p.body)
		}
		if got, _ := s.e.Accounts.Get(ctx, u.ID); got.BalanceCents != 150 {
			t.Fatalf("balance %d", got.BalanceCents)
		}
	})
}

// A credit shows in the user's balance and ledger with its reason; a
// balance never goes below zero; a credit needs an amount and a reason.
func TestAdminCredit(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		cust := s.browser(t)
		s.signUp(t, cust, "dora", pw)
		u, _ := s.e.Accounts.Find(ctx, "dora")
		page := fmt.Sprintf("/admin/users/%d", u.ID)
		op.get("/admin/users?q=DOR").want(t, http.StatusOK, page, "dora@example.com")
		op.get(page).want(t, http.StatusOK, "$0.00")
		op.follow(op.post(page+"/credit", url.Values{"amount": {"25.00"}, "reason": {"wire 2026-11-26"}})).
			want(t, http.StatusOK, "$25.00 credited; the balance of dora is now $25.00.", "wire 2026-11-26", "credit")
		op.follow(op.post(page+"/credit", url.Values{"amount": {"-5"}, "reason": {"chargeback"}})).
			want(t, http.StatusOK, "$5.00 taken away", "$20.00", "chargeback", "-5.00")
		op.post(page+"/credit", url.Values{"amount": {"-50"}, "reason": {"too much"}}).want(t, http.StatusConflict, "The balance is $20.00; it cannot go below zero.")
		op.post(page+"/credit", url.Values{"amount": {"5"}, "reason": {" "}}).want(t, http.StatusBadRequest, "A reason is required.")
		op.post(page+"/credit", url.Values{"amount": {"five"}, "reason": {"x"}}).want(t, http.StatusBadRequest, "Amount:", `value="five"`)
		if b := s.e.Balance(t, u.ID); b != 2000 {
			t.Fatalf("balance %d", b)
		}
		es, _ := s.e.Accounts.Entries(ctx, u.ID, 10)
		if len(es) != 2 || es[0].Reason != "chargeback" || es[1].Reason != "wire 2026-11-26" || es[1].Kind != account.KindCredit {
			t.Fatalf("ledger %+v", es)
		}
		// The customer sees it too.
		cust.logIn("dora", pw)
		cust.get("/account").want(t, http.StatusOK, "$20.00")
		op.get("/admin").want(t, http.StatusOK, "$20.00") // balances owed
		s.e.CheckLedger(t)
	})
}

// Suspending ends API access and web sessions at once; lifting it restores
// API access. Revoking the key mails the user a link to a new one, which
// only they see.
func TestAdminSuspendAndKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		cust := s.browser(t)
		s.signUp(t, cust, "eve", pw)
		cust.logIn("eve", pw)
		u, _ := s.e.Accounts.Find(ctx, "eve")
		key, err := s.e.Accounts.GenerateKey(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		apiWant(t, s, "balance", "eve", key, `{"status":"ok","message":"0.00"}`)
		page := fmt.Sprintf("/admin/users/%d", u.ID)
		op.get(page)
		op.follow(op.post(page+"/suspend", url.Values{})).want(t, http.StatusOK, "eve is suspended", "suspended")
		apiWant(t, s, "balance", "eve", key, `{"status":"error","message":"Account suspended"}`)
		if p := cust.get("/account"); p.code != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Fatalf("a suspended user is still logged in: %d %q", p.code, p.location)
		}
		op.follow(op.post(page+"/unsuspend", url.Values{})).want(t, http.StatusOK, "eve is no longer suspended")
		apiWant(t, s, "balance", "eve", key, `{"status":"ok","message":"0.00"}`)
		// An operator cannot lock themselves out.
		root, _ := s.e.Accounts.Find(ctx, "root")
		op.post(fmt.Sprintf("/admin/users/%d/suspend", root.ID), url.Values{}).want(t, http.StatusConflict)
		op.post(fmt.Sprintf("/admin/users/%d/role", root.ID), url.Values{"role": {"user"}}).want(t, http.StatusConflict)

		op.follow(op.post(page+"/key", url.Values{})).want(t, http.StatusOK, "The API key of eve is revoked", "We mailed eve@example.com")
		apiWant(t, s, "balance", "eve", key, `{"status":"error","message":"Invalid user name or API key"}`)
		link := s.mailLink(t, "eve@example.com")
		if !strings.HasPrefix(link, "/account/key?token=") {
			t.Fatalf("link %q", link)
		}
		cust.logIn("eve", pw)
		cust.get(link).want(t, http.StatusOK, "Generate my new key")
		token, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		p := cust.post("/account/key/confirm", url.Values{"token": token["token"]}).want(t, http.StatusOK)
		newKey := between(p.body, `<code id="api-key">`, `</code>`)
		apiWant(t, s, "balance", "eve", newKey, `{"status":"ok","message":"0.00"}`)

		op.follow(op.post(page+"/role", url.Values{"role": {"admin"}})).want(t, http.StatusOK, "The role of eve is now admin.")
		op.post(page+"/role", url.Values{"role": {"root"}}).want(t, http.StatusBadRequest, "Role must be user or admin.")
		if u, _ := s.e.Accounts.Get(ctx, u.ID); u.Role != "admin" {
			t.Fatalf("role %q", u.Role)
		}
	})
}

// An import with a bad line shows the file's line numbers and stores
// nothing; a good one stores every line; numbers are listed, searched,
// switched and shown with their history.
func TestAdminNumbers(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		op.get("/admin/numbers")
		bad := "mdn,carrier,state,gateway,short_rental\n# lab\n12125550100,TMobile,NY,,\n\n1212555010,ATT,NY,,\n13105550102,ATT,XX,,\n"
		op.upload("/admin/numbers/import", url.Values{}, "numbers.csv", bad).want(t, http.StatusBadRequest,
			"Nothing was imported",
			`numbers.csv:5: mdn &#34;1212555010&#34; is not a US number`,
			`numbers.csv:6: state &#34;XX&#34; is not a US state abbreviation such as NY`)
		if n, _ := s.e.Inventory.Count(ctx); n.Total != 0 {
			t.Fatalf("a bad file stored %d numbers", n.Total)
		}
		op.upload("/admin/numbers/import", url.Values{}, "", "").want(t, http.StatusBadRequest, "Choose a CSV file")
		op.upload("/admin/numbers/import", url.Values{}, "huge.csv", strings.Repeat("12125550100\n", 800000)).
			want(t, http.StatusRequestEntityTooLarge, "larger than 8 MB")

		good := "mdn,carrier,state,gateway,short_rental\n12125550100,TMobile,NY,,\n13105550102,ATT,,smsc9,true\n"
		op.follow(op.upload("/admin/numbers/import", url.Values{}, "numbers.csv", good)).want(t, http.StatusOK,
			"Imported 2 numbers (2 new, 0 updated).", `Gateway &#34;smsc9&#34; is not declared`, "12125550100", "13105550102")
		op.follow(op.upload("/admin/numbers/import", url.Values{"csv": {"19175550103,Verizon"}}, "", "")).
			want(t, http.StatusOK, "Imported 1 numbers (1 new, 0 updated).")
		op.upload("/admin/numbers/import", url.Values{"csv": {"1917555"}}, "", "").want(t, http.StatusBadRequest, "pasted lines:1: mdn")
		if n, _ := s.e.Inventory.Count(ctx); n.Total != 3 {
			t.Fatalf("numbers %d", n.Total)
		}

		list := op.get("/admin/numbers?q=(310)&gateway=smsc9").want(t, http.StatusOK, "13105550102")
		if strings.Contains(list.body, `href="/admin/numbers/12125550100"`) {
			t.Fatal("the search shows another number")
		}
		op.get("/admin/numbers?q=x").want(t, http.StatusBadRequest, "Search by the digits of a number.")
		op.get("/admin/numbers?status=held").want(t, http.StatusOK, "No number matches.")

		// Switches, back to the list they came from.
		back := "/admin/numbers?gateway=smsc9"
		p := op.post("/admin/numbers/13105550102/disable", url.Values{"back": {back}})
		if p.code != http.StatusSeeOther || !strings.HasPrefix(p.location, back+"&notice=") {
			t.Fatalf("disable: %d %q", p.code, p.location)
		}
		op.post("/admin/numbers/13105550102/offline", url.Values{"back": {"https://evil.example/"}}).want(t, http.StatusSeeOther)
		n, _ := s.e.Inventory.Get(ctx, "13105550102")
		if n.Enabled || n.Online {
			t.Fatalf("number %+v", n)
		}
		op.get("/admin/numbers?status=disabled").want(t, http.StatusOK, "13105550102")
		op.post("/admin/numbers/13105550102/enable", url.Values{}).want(t, http.StatusSeeOther)
		op.post("/admin/numbers/13105550102/online", url.Values{}).want(t, http.StatusSeeOther)
		if n, _ = s.e.Inventory.Get(ctx, "13105550102"); !n.Enabled || !n.Online {
			t.Fatalf("number %+v", n)
		}
		op.post("/admin/numbers/19995550000/disable", url.Values{}).want(t, http.StatusNotFound)
		op.post("/admin/numbers/13105550102/explode", url.Values{}).want(t, http.StatusNotFound)

		// History: requests and rentals, newest first.
		svc := s.e.Service(t, "Google", 100, time.Hour)
		u, _ := s.e.User(t, 10000)
		if _, err := s.e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: "12125550100"}); err != nil {
			t.Fatal(err)
		}
		s.e.Clock.Advance(time.Minute)
		if _, err := s.e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30, MDN: "19175550103"}); err != nil {
			t.Fatal(err)
		}
		h := op.get("/admin/numbers/12125550100").want(t, http.StatusOK, "request 10000001", u.Username, "Reserved", "$1.00", `<dt>Held by</dt><dd><a href="/admin/users/`)
		if strings.Contains(h.body, "rental ") {
			t.Fatal("another number's rental in the history")
		}
		op.get("/admin/numbers/19175550103").want(t, http.StatusOK, "rental 1", "30 days", "$20.00")
	})
}

// Services and prices are set as by mdnhub services set; detection rules
// are added and deleted.
func TestAdminServices(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		op.get("/admin/services").want(t, http.StatusOK, "Add a service")
		op.follow(op.post("/admin/services", url.Values{"name": {"Google"}, "price": {"1.20"}, "ltr_price": {"20"}, "lifetime": {"15m"}})).
			want(t, http.StatusOK, "Service Google saved.", "$1.20", "$20.00", "15m0s")
		op.get("/admin/services?edit=google").want(t, http.StatusOK, "Change a service", `value="1.20"`)
		op.follow(op.post("/admin/services", url.Values{"name": {"google"}, "price": {"1.50"}, "hidden": {"1"}})).
			want(t, http.StatusOK, "$1.50", "hidden")
		if _, err := s.e.Catalog.Lookup(ctx, "Google"); err == nil {
			t.Fatal("a hidden service is offered")
		}
		op.post("/admin/services", url.Values{"name": {"Bad,Name"}, "price": {"1"}}).want(t, http.StatusBadRequest, "without commas", `value="Bad,Name"`)
		op.post("/admin/services", url.Values{"name": {"Cheap"}, "price": {"1.234"}}).want(t, http.StatusBadRequest, "Price:")
		op.post("/admin/services", url.Values{"name": {"Cheap"}, "price": {""}}).want(t, http.StatusBadRequest, "A price is required.")
		op.post("/admin/services", url.Values{"name": {"Cheap"}, "price": {"1"}, "lifetime": {"forever"}}).want(t, http.StatusBadRequest, "duration")

		op.post("/admin/services", url.Values{"name": {"Amazon"}, "price": {"0.50"}}).want(t, http.StatusSeeOther)
		op.follow(op.post("/admin/services/rules", url.Values{"service": {"Amazon"}, "kind": {"keyword"}, "pattern": {"Amazon.com"}})).
			want(t, http.StatusOK, "Rule added: Amazon keyword amazon.com.", "<code>amazon.com</code>")
		op.post("/admin/services/rules", url.Values{"service": {"Amazon"}, "kind": {"smell"}, "pattern": {"x"}}).
			want(t, http.StatusBadRequest, "Rule kind must be sender or keyword.")
		rules, _ := s.e.Catalog.Rules(ctx)
		if len(rules) != 1 {
			t.Fatalf("rules %+v", rules)
		}
		op.follow(op.post(fmt.Sprintf("/admin/services/rules/%d/delete", rules[0].ID), url.Values{})).want(t, http.StatusOK, "Rule deleted.")
		op.post(fmt.Sprintf("/admin/services/rules/%d/delete", rules[0].ID), url.Values{}).want(t, http.StatusNotFound)
		if rules, _ = s.e.Catalog.Rules(ctx); len(rules) != 0 {
			t.Fatalf("rules %+v", rules)
		}
	})
}

// Rental reports are settled on the page: a decline needs a reason; replace,
// refund and decline show in ltr_reported_status.
func TestAdminReports(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		svc := s.e.Service(t, "Google", 100, 0) // 30 days: 20.00
		s.e.Numbers(t, "12125550000", "12125550001", "12125550002", "12125550003")
		u, _ := s.e.User(t, 10000)
		var reps []int64
		for range 3 {
			r, err := s.e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.e.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: r.ID}); err != nil {
				t.Fatal(err)
			}
			all, _ := s.e.Rentals.Reports(ctx, false)
			reps = append(reps, all[len(all)-1].ID)
		}
		op.get("/admin/reports").want(t, http.StatusOK, "Report 1", "Report 3", "Replace the number", u.Username)
		op.post("/admin/reports/3", url.Values{"action": {"decline"}, "reason": {"  "}}).want(t, http.StatusBadRequest, "give the reason")
		op.follow(op.post(fmt.Sprintf("/admin/reports/%d", reps[0]), url.Values{"action": {"replace"}})).
			want(t, http.StatusOK, "Report 1: replaced with 12125550003.")
		s.e.Clock.Advance(15 * 24 * time.Hour)
		op.follow(op.post(fmt.Sprintf("/admin/reports/%d", reps[1]), url.Values{"action": {"refund"}})).
			want(t, http.StatusOK, "Report 2: refunded 10.00.")
		op.follow(op.post(fmt.Sprintf("/admin/reports/%d", reps[2]), url.Values{"action": {"decline"}, "reason": {"works <for us>"}})).
			want(t, http.StatusOK, "Report 3: declined: works &lt;for us&gt;.", "No open reports.")
		op.post(fmt.Sprintf("/admin/reports/%d", reps[2]), url.Values{"action": {"refund"}}).want(t, http.StatusBadRequest, "already declined")
		op.get("/admin/reports?all=1").want(t, http.StatusOK, "replaced with 12125550003", "refunded 10.00", "declined: works &lt;for us&gt;")
		st, _ := s.e.Rentals.ReportStatus(ctx, u.ID, rental.Ref{MDN: "12125550002"})
		if st.Text() != "declined: works <for us>" {
			t.Fatalf("status %q", st.Text())
		}
		if b := s.e.Balance(t, u.ID); b != 10000-3*2000+1000 {
			t.Fatalf("balance %d", b)
		}
		s.e.CheckLedger(t)
	})
}

// Proxy ports are set, disabled and enabled on the page.
func TestAdminProxy(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		op.get("/admin/proxy").want(t, http.StatusOK, "Add a port", `value="15"`)
		form := url.Values{"id": {"50001"}, "location": {"NJ"}, "carrier": {"Verizon"}, "redial": {"15"}, "capacity": {"3"},
			"exclusive": {"1"}, "upstream": {"socks5://10.0.0.2:1080"}, "redial_action": {"https://10.0.0.2/rotate"}, "redial_timeout": {"60s"}}
		op.follow(op.post("/admin/proxy/ports", form)).want(t, http.StatusOK, "Port 50001 saved.", "socks5://10.0.0.2:1080", "0 / 3")
		op.follow(op.post("/admin/proxy/ports/50001/disable", url.Values{})).want(t, http.StatusOK, "Port 50001 disabled.", "disabled")
		// Changing a disabled port keeps it disabled.
		form.Set("capacity", "5")
		op.post("/admin/proxy/ports", form).want(t, http.StatusSeeOther)
		p, _ := s.e.Proxies.Port(ctx, "50001")
		if p.Enabled || p.Capacity != 5 {
			t.Fatalf("port %+v", p)
		}
		op.get("/admin/proxy?edit=50001").want(t, http.StatusOK, "Change a port", `value="5"`)
		op.follow(op.post("/admin/proxy/ports/50001/enable", url.Values{})).want(t, http.StatusOK, "Port 50001 enabled.")
		if p, _ = s.e.Proxies.Port(ctx, "50001"); !p.Enabled {
			t.Fatalf("port %+v", p)
		}
		form.Set("upstream", "gopher://x")
		op.post("/admin/proxy/ports", form).want(t, http.StatusBadRequest, "Upstream:", `value="gopher://x"`)
		form.Set("upstream", "direct")
		form.Set("capacity", "0")
		op.post("/admin/proxy/ports", form).want(t, http.StatusBadRequest, "Capacity must be at least 1.")
		op.post("/admin/proxy/ports/59999/disable", url.Values{}).want(t, http.StatusNotFound)
	})
}

// Callback deliveries of every account, failed ones first, with
// redelivery; unowned SMS; gateways with their health; the dashboard's
// figures.
func TestAdminCallbacksUnownedGatewaysDashboard(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		svc := s.e.Service(t, "Google", 100, time.Hour)
		s.e.Numbers(t, "12125550000", "12125550001")
		u, _ := s.e.User(t, 1000)
		if _, err := s.e.Accounts.SetCallback(ctx, u.ID, "https://hook.example/x?token=sekret", ""); err != nil {
			t.Fatal(err)
		}
		for _, mdn := range []string{"12125550000", "12125550001"} {
			if _, err := s.e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}, MDN: mdn}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: mdn, From: "22000", Text: "G-123456 is your code"}); err != nil {
				t.Fatal(err)
			}
		}
		var first int64
		s.e.DB.R.QueryRowContext(ctx, `SELECT MIN(id) FROM callback_events`).Scan(&first)
		if _, err := s.e.DB.W.ExecContext(ctx, `UPDATE callback_events SET status = 'failed', attempts = 6, last_code = 500 WHERE id = $1`, first); err != nil {
			t.Fatal(err)
		}
		p := op.get("/admin/callbacks").want(t, http.StatusOK, "failed", "HTTP 500", "incoming_message", u.Username, "redacted")
		if strings.Index(p.body, fmt.Sprintf("%d incoming_message", first)) > strings.Index(p.body, fmt.Sprintf("%d incoming_message", first+1)) {
			t.Fatal("the failed delivery is not first")
		}
		if strings.Contains(p.body, "sekret") {
			t.Fatal("a callback URL's secret is shown")
		}
		op.follow(op.post(fmt.Sprintf("/admin/callbacks/%d/redeliver", first), url.Values{})).
			want(t, http.StatusOK, fmt.Sprintf("Event %d will be delivered again.", first))
		ds, _ := s.e.Callbacks.Log(ctx, u.ID, 10)
		for _, d := range ds {
			if d.ID == first && (d.Status != "pending" || d.Attempts != 0) {
				t.Fatalf("redelivered %+v", d)
			}
		}
		op.post("/admin/callbacks/99999/redeliver", url.Values{}).want(t, http.StatusNotFound)

		if _, err := s.e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: "19175550000", From: "33000", Text: "nobody's"}); err != nil {
			t.Fatal(err)
		}
		op.get("/admin/unowned").want(t, http.StatusOK, "19175550000", "33000", "nobody&#39;s", "sim")

		op.get("/admin/gateways").want(t, http.StatusOK, `<a href="/admin/numbers?gateway=sim">sim</a>`, "healthy")

		d := op.get("/admin").want(t, http.StatusOK, "Open requests", "Google", "100%", "$8.00", `hx-trigger="every 15s"`)
		if !strings.Contains(d.body, `<span class="big">2</span>`) { // 2 open (completed, still held) requests
			t.Fatalf("open requests not shown:\n%s", d.body)
		}
		// htmx asks for the same page and swaps in its figures.
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/admin", nil)
		req.Header.Set("HX-Request", "true")
		op.do(req).want(t, http.StatusOK, `id="figures"`)
	})
}

// Markup in a service name, an SMS and a user name is shown as text.
func TestAdminEscapes(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		op := s.operator(t)
		svc := s.e.Service(t, "<script>x</script>", 100, time.Hour)
		s.e.Numbers(t, "12125550000")
		u, _ := s.e.User(t, 1000)
		// User names cannot hold markup; the page must not trust that.
		if _, err := s.e.DB.W.ExecContext(ctx, `UPDATE users SET username = $1 WHERE id = $2`, `<b>mallory</b>`, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: "19175550000", From: "<i>x</i>", Text: `<img src=x onerror=alert(1)> code 123456`}); err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]string{
			"/admin/services":                    "&lt;script&gt;x&lt;/script&gt;",
			"/admin":                             "&lt;script&gt;x&lt;/script&gt;",
			"/admin/unowned":                     "&lt;img src=x onerror=alert(1)&gt; code 123456",
			"/admin/users":                       "&lt;b&gt;mallory&lt;/b&gt;",
			fmt.Sprintf("/admin/users/%d", u.ID): "&lt;b&gt;mallory&lt;/b&gt;",
			"/admin/numbers/12125550000":         "&lt;b&gt;mallory&lt;/b&gt;",
		} {
			p := op.get(path).want(t, http.StatusOK, want)
			for _, raw := range []string{"<script>x", "<img src=x", "<b>mallory", "<i>x</i>"} {
				if strings.Contains(p.body, raw) {
					t.Fatalf("%s shows %q unescaped", path, raw)
				}
			}
		}
	})
}
