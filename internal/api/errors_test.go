package api_test

// Bad inputs through the real HTTP handler on both engines: each answers the
// exact JSON error envelope, by GET, by POST (urlencoded and multipart) and
// on /sims/api_command.php alike, and changes nothing at all.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// errFixture is one shared world for the error table:
//
//	a      1000 cents, nothing open
//	poor     50 cents
//	busy   1000 cents, 2 open requests (the cap, see errMaxOpen): 10000001, 10000002
//	done   1000 cents, 10000003 completed by a message (still open), 10000004 rejected
//	susp   1000 cents, suspended
//
// Numbers 1212555000x, x = 0..5: 0 and 1 held by busy, 2 held (and burnt for
// Google) by done, 3 rejected by done, 4 and 5 free. So every request of a
// that is refused here would otherwise have succeeded.
type errFixture struct {
	e     *apptest.Env
	srv   *httptest.Server
	users map[string]errUser
}

type errUser struct {
	id               int64
	name, email, key string
}

// errNextID is the id the next request would get.
const errNextID = "10000005"

func newErrFixture(t *testing.T, e *apptest.Env) *errFixture {
	t.Helper()
	e.Service(t, "Google", 120, 0)
	e.Service(t, "Amazon", 50, 0)
	e.Numbers(t, apptest.Seq("212", 6)...)
	srv := e.Server(t)
	f := &errFixture{e: e, srv: srv, users: map[string]errUser{}}
	for _, u := range []struct {
		name  string
		cents int64
	}{{"a", 1000}, {"poor", 50}, {"busy", 1000}, {"done", 1000}, {"susp", 1000}} {
		usr, key := e.User(t, u.cents)
		f.users[u.name] = errUser{id: usr.ID, name: usr.Username, email: usr.Email, key: key}
	}
	busy, done := f.as("busy"), f.as("done")
	busy.ok(t, "request", "service", "Google") // 10000001
	busy.ok(t, "request", "service", "Google") // 10000002
	done.ok(t, "request", "service", "Google") // 10000003
	deliverSMS(t, e, "12125550002", "22000", "G-804036 is your Google verification code.")
	done.ok(t, "request", "service", "Google") // 10000004
	done.ok(t, "reject", "id", "10000004")
	if _, err := e.DB.W.ExecContext(gctx, `UPDATE users SET suspended = TRUE WHERE id = $1`, f.users["susp"].id); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *errFixture) as(name string) client {
	u := f.users[name]
	return client{srv: f.srv, user: u.name, key: u.key}
}

// snapshot is every row an API call could change, as text.
func (f *errFixture) snapshot(t *testing.T) string { return f.e.Snapshot(t) }

// errCase is one bad input. kv are the parameters; when as names a user, its
// user and api_key are added. Placeholders in values: {user} {USER} {email}
// {EMAIL} {key} of user a, {poorkey} of user poor.
type errCase struct {
	name   string
	as     string
	kv     []string
	want   string // the exact message text
	prefix bool   // want is only the message's beginning
	ok     bool   // a success answer whose message is the string want
	golden string // also compare the body with testdata/golden/<golden>.json
}

var (
	huge      = strings.Repeat("G", 10<<10)
	hugeDigit = strings.Repeat("7", 10<<10)
)

func errCases() []errCase {
	invalidID := "Invalid request ID"
	badArea := "Invalid area code: must be 3 digits"
	badState := "Invalid state: must be a 2-letter US state abbreviation"
	badMDN := "Invalid mdn: must be an 11-digit US number"
	badLimit := "Invalid limit: must be a whole number between 1 and 100"
	badSince := "Invalid since: must be a unix time in seconds"
	unauth := "Invalid user name or API key"
	badMarkup := "Markup must be between 10 and 2000"
	cases := []errCase{
		// Command selection, before authentication.
		{name: "unknown command", kv: []string{"cmd", "foo"}, want: "Unknown command foo", golden: "error_unknown_command"},
		{name: "unknown command authenticated", as: "a", kv: []string{"cmd", "foo"}, want: "Unknown command foo"},
		{name: "missing command", kv: nil, want: "Unknown command ", golden: "error_missing_command"},
		{name: "missing command with auth", as: "a", kv: nil, want: "Unknown command "},
		{name: "blank command", as: "a", kv: []string{"cmd", "   "}, want: "Unknown command "},
		{name: "huge command", as: "a", kv: []string{"cmd", huge}, want: "Unknown command " + huge[:64], golden: "error_unknown_command_long"},

		// Authentication.
		{name: "missing user", kv: []string{"cmd", "balance", "api_key", "{key}"}, want: "Missing parameter: user", golden: "error_missing_user"},
		{name: "empty user", kv: []string{"cmd", "balance", "user", "", "api_key", "{key}"}, want: "Missing parameter: user"},
		{name: "missing api_key", kv: []string{"cmd", "balance", "user", "{user}"}, want: "Missing parameter: api_key", golden: "error_missing_api_key"},
		{name: "empty api_key", kv: []string{"cmd", "balance", "user", "{user}", "api_key", ""}, want: "Missing parameter: api_key"},
		{name: "wrong key", kv: []string{"cmd", "balance", "user", "{user}", "api_key", "0123456789"}, want: unauth, golden: "error_unauthorized"},
		{name: "another user's key", kv: []string{"cmd", "balance", "user", "{user}", "api_key", "{poorkey}"}, want: unauth},
		{name: "unknown user", kv: []string{"cmd", "balance", "user", "nobody", "api_key", "{key}"}, want: unauth},
		{name: "huge user", kv: []string{"cmd", "balance", "user", huge, "api_key", "{key}"}, want: unauth},
		{name: "huge key", kv: []string{"cmd", "balance", "user", "{user}", "api_key", huge}, want: unauth},
		{name: "wrong pass", kv: []string{"cmd", "balance", "user", "{user}", "pass", "secret"}, want: unauth},
		{name: "suspended", as: "susp", kv: []string{"cmd", "balance"}, want: "Account suspended", golden: "error_suspended"},
		{name: "unauthorized before validation", kv: []string{"cmd", "request", "user", "{user}", "api_key", "bad", "service", "Goooooogle"}, want: unauth},
		// Accepted spellings: pass for api_key, e-mail, any case.
		{name: "pass alias", kv: []string{"cmd", "balance", "user", "{user}", "pass", "{key}"}, ok: true, want: "10.00"},
		{name: "email login", kv: []string{"cmd", "balance", "user", "{email}", "api_key", "{key}"}, ok: true, want: "10.00"},
		{name: "upper-case user", kv: []string{"cmd", "balance", "user", "{USER}", "api_key", "{key}"}, ok: true, want: "10.00"},
		{name: "upper-case email with pass", kv: []string{"cmd", "balance", "user", "{EMAIL}", "pass", "{key}"}, ok: true, want: "10.00"},
		{name: "padded user", kv: []string{"cmd", "balance", "user", " {user} ", "api_key", "{key}"}, ok: true, want: "10.00"},

		// request
		{name: "request missing service", as: "a", kv: []string{"cmd", "request"}, want: "Missing parameter: service", golden: "error_missing_service"},
		{name: "request empty service", as: "a", kv: []string{"cmd", "request", "service", " "}, want: "Missing parameter: service"},
		{name: "request unknown service", as: "a", kv: []string{"cmd", "request", "service", "Goooooogle"}, want: "Invalid service name Goooooogle", golden: "error_invalid_service"},
		{name: "request huge service", as: "a", kv: []string{"cmd", "request", "service", huge}, want: "Invalid service: too long", golden: "error_service_too_long"},
		{name: "request too many services", as: "a", kv: []string{"cmd", "request", "service", "Google,Amazon,Yahoo,Ebay,Uber,Lyft"}, want: "Invalid service: at most 5 services per request", golden: "error_service_list_too_long"},
		{name: "request service listed twice", as: "a", kv: []string{"cmd", "request", "service", "Google,google"}, want: "Invalid service: Google is listed twice", golden: "error_service_list_twice"},
		{name: "request unknown service in list", as: "a", kv: []string{"cmd", "request", "service", "Google,Goooooogle"}, want: "Invalid service name Goooooogle"},
		{name: "request empty service list", as: "a", kv: []string{"cmd", "request", "service", " , ,"}, want: "Missing parameter: service"},
		{name: "request markup with several services", as: "a", kv: []string{"cmd", "request", "service", "Google,Amazon", "markup", "20"}, want: "Invalid markup", prefix: true},
		{name: "request markup 5", as: "a", kv: []string{"cmd", "request", "service", "Google", "markup", "5"}, want: badMarkup, golden: "error_markup"},
		{name: "request markup 2001", as: "a", kv: []string{"cmd", "request", "service", "Google", "markup", "2001"}, want: badMarkup},
		{name: "request markup x", as: "a", kv: []string{"cmd", "request", "service", "Google", "markup", "x"}, want: badMarkup},
		{name: "request markup fraction", as: "a", kv: []string{"cmd", "request", "service", "Google", "markup", "20.5"}, want: badMarkup},
		{name: "request markup negative", as: "a", kv: []string{"cmd", "request", "service", "Google", "markup", "-20"}, want: badMarkup},
		{name: "request markup huge", as: "a", kv: []string{"cmd", "request", "service", "Google", "markup", hugeDigit}, want: badMarkup},
		{name: "request bid insufficient funds", as: "poor", kv: []string{"cmd", "request", "service", "Amazon", "areacode", "415", "markup", "20"}, want: "Insufficient funds. Your balance is $0.50"},
		{name: "request several insufficient funds", as: "poor", kv: []string{"cmd", "request", "service", "Amazon,Google"}, want: "Insufficient funds. Your balance is $0.50"},
		{name: "request several too many open", as: "done", kv: []string{"cmd", "request", "service", "Amazon,Google"}, want: "Too many open requests"},
		{name: "request areacode 12", as: "a", kv: []string{"cmd", "request", "service", "Google", "areacode", "12"}, want: badArea, golden: "error_areacode"},
		{name: "request areacode abcd", as: "a", kv: []string{"cmd", "request", "service", "Google", "areacode", "abcd"}, want: badArea},
		{name: "request areacode 1234", as: "a", kv: []string{"cmd", "request", "service", "Google", "areacode", "1234"}, want: badArea},
		{name: "request areacode abc", as: "a", kv: []string{"cmd", "request", "service", "Google", "areacode", "abc"}, want: badArea},
		{name: "request huge areacode", as: "a", kv: []string{"cmd", "request", "service", "Google", "areacode", hugeDigit}, want: badArea},
		{name: "request bad areacode beats state", as: "a", kv: []string{"cmd", "request", "service", "Google", "areacode", "12", "state", "NY"}, want: badArea},
		{name: "request state ZZ", as: "a", kv: []string{"cmd", "request", "service", "Google", "state", "ZZ"}, want: badState, golden: "error_state"},
		{name: "request state California", as: "a", kv: []string{"cmd", "request", "service", "Google", "state", "California"}, want: badState},
		{name: "request state digits", as: "a", kv: []string{"cmd", "request", "service", "Google", "state", "12"}, want: badState},
		{name: "request mdn short", as: "a", kv: []string{"cmd", "request", "service", "Google", "mdn", "123"}, want: badMDN, golden: "error_mdn"},
		{name: "request mdn letters", as: "a", kv: []string{"cmd", "request", "service", "Google", "mdn", "1212555ABCD"}, want: badMDN},
		{name: "request mdn not US", as: "a", kv: []string{"cmd", "request", "service", "Google", "mdn", "22125550004"}, want: badMDN},
		{name: "request mdn huge", as: "a", kv: []string{"cmd", "request", "service", "Google", "mdn", hugeDigit}, want: badMDN},
		{name: "request insufficient funds", as: "poor", kv: []string{"cmd", "request", "service", "Google"}, want: "Insufficient funds. Your balance is $0.50", golden: "error_insufficient_funds"},
		{name: "request no numbers in area", as: "a", kv: []string{"cmd", "request", "service", "Google", "areacode", "415"}, want: "No numbers available, retry later", golden: "error_no_numbers"},
		{name: "request no numbers in state", as: "a", kv: []string{"cmd", "request", "service", "Google", "state", "CA"}, want: "No numbers available, retry later"},
		{name: "request mdn held", as: "a", kv: []string{"cmd", "request", "service", "Google", "mdn", "12125550000"}, want: "The MDN is not available", golden: "error_mdn_not_available"},
		{name: "request mdn unknown", as: "a", kv: []string{"cmd", "request", "service", "Google", "mdn", "13055550000"}, want: "The MDN is not available"},
		{name: "request mdn held and burnt by another", as: "a", kv: []string{"cmd", "request", "service", "Google", "mdn", "12125550002"}, want: "The MDN is not available"},
		{name: "request too many open", as: "busy", kv: []string{"cmd", "request", "service", "Google"}, want: "Too many open requests", golden: "error_too_many_open"},

		// request_status and reject
		{name: "request_status missing id", as: "a", kv: []string{"cmd", "request_status"}, want: "Missing parameter: id", golden: "error_missing_id"},
		{name: "reject missing id", as: "a", kv: []string{"cmd", "reject"}, want: "Missing parameter: id"},
		{name: "reject has message", as: "done", kv: []string{"cmd", "reject", "id", "10000003"}, want: "Unable to reject an MDN that already received a message", golden: "error_reject_has_message"},
		{name: "reject already rejected", as: "done", kv: []string{"cmd", "reject", "id", "10000004"}, want: "Unable to reject an MDN with status Rejected", golden: "error_reject_rejected"},
		{name: "timeout has message", as: "done", kv: []string{"cmd", "timeout", "id", "10000003"}, want: "Unable to reject an MDN that already received a message"},
		{name: "timeout already rejected", as: "done", kv: []string{"cmd", "timeout", "id", "10000004"}, want: "Unable to reject an MDN with status Rejected"},
		{name: "timeout missing id", as: "a", kv: []string{"cmd", "timeout"}, want: "Missing parameter: id"},
	}
	for _, id := range []string{"10000001", errNextID, "abc", "-1", "0", "1.5", "0x10", "99999999999999999999", "9223372036854775807", "-9223372036854775808"} {
		g := ""
		if id == "10000001" {
			g = "error_invalid_request_id"
		}
		cases = append(cases,
			errCase{name: "request_status id " + id, as: "a", kv: []string{"cmd", "request_status", "id", id}, want: invalidID, golden: g},
			errCase{name: "reject id " + id, as: "a", kv: []string{"cmd", "reject", "id", id}, want: invalidID},
			errCase{name: "read_sms id " + id, as: "a", kv: []string{"cmd", "read_sms", "id", id}, want: invalidID})
	}
	cases = append(cases, []errCase{
		{name: "read_sms foreign id with messages", as: "a", kv: []string{"cmd", "read_sms", "id", "10000003"}, want: invalidID},
		{name: "reject foreign open id", as: "a", kv: []string{"cmd", "reject", "id", "10000002"}, want: invalidID},
		{name: "request_status huge id", as: "a", kv: []string{"cmd", "request_status", "id", hugeDigit}, want: "Invalid request ID"},
		{name: "reject huge id", as: "a", kv: []string{"cmd", "reject", "id", hugeDigit}, want: "Invalid request ID"},

		// read_sms
		{name: "read_sms no messages", as: "a", kv: []string{"cmd", "read_sms"}, want: "No messages", golden: "read_sms_no_messages"},
		{name: "read_sms foreign mdn", as: "a", kv: []string{"cmd", "read_sms", "mdn", "12125550002"}, want: "No messages"},
		{name: "read_sms limit 0", as: "done", kv: []string{"cmd", "read_sms", "limit", "0"}, want: badLimit, golden: "error_limit"},
		{name: "read_sms limit 101", as: "done", kv: []string{"cmd", "read_sms", "limit", "101"}, want: badLimit},
		{name: "read_sms limit x", as: "done", kv: []string{"cmd", "read_sms", "limit", "x"}, want: badLimit},
		{name: "read_sms limit -1", as: "done", kv: []string{"cmd", "read_sms", "limit", "-1"}, want: badLimit},
		{name: "read_sms limit huge", as: "done", kv: []string{"cmd", "read_sms", "limit", hugeDigit}, want: badLimit},
		{name: "read_sms since x", as: "done", kv: []string{"cmd", "read_sms", "since", "x"}, want: badSince, golden: "error_since"},
		{name: "read_sms since negative", as: "done", kv: []string{"cmd", "read_sms", "since", "-5"}, want: badSince},
		{name: "read_sms since fraction", as: "done", kv: []string{"cmd", "read_sms", "since", "1600108956.5"}, want: badSince},
		{name: "read_sms since huge", as: "done", kv: []string{"cmd", "read_sms", "since", hugeDigit}, want: badSince},
		{name: "read_sms bad mdn", as: "done", kv: []string{"cmd", "read_sms", "mdn", "555"}, want: badMDN},

		// send_sms: to is optional (the most recent sender), nothing else.
		{name: "send_sms nothing", as: "a", kv: []string{"cmd", "send_sms"}, want: "Missing parameter: mdn", golden: "error_send_missing_mdn"},
		{name: "send_sms no text", as: "busy", kv: []string{"cmd", "send_sms", "id", "10000001"}, want: "Missing parameter: sms"},
		{name: "send_sms no text, no to", as: "busy", kv: []string{"cmd", "send_sms", "mdn", "12125550000", "to", ""}, want: "Missing parameter: sms"},
		{name: "send_sms without to, nothing received", as: "busy", kv: []string{"cmd", "send_sms", "id", "10000001", "msg", "hi"}, want: "No incoming messages within past 30 minutes"},
		{name: "send_sms to not a sender", as: "done", kv: []string{"cmd", "send_sms", "id", "10000003", "sms", "hi", "to", "14155550100"}, want: "No incoming messages within past 30 minutes"},
		{name: "send_sms mdn not held, no to", as: "a", kv: []string{"cmd", "send_sms", "mdn", "12125550005", "text", "hi"}, want: "The MDN is not held by you", golden: "error_send_not_holder"},
		{name: "send_sms another's request", as: "a", kv: []string{"cmd", "send_sms", "id", "10000003", "msg", "hi"}, want: "Invalid request ID"},
		{name: "send_sms bad mdn", as: "a", kv: []string{"cmd", "send_sms", "mdn", "555", "sms", "hi"}, want: badMDN},
		{name: "send_sms to too long", as: "done", kv: []string{"cmd", "send_sms", "id", "10000003", "sms", "hi", "to", strings.Repeat("1", 40)}, want: "Invalid to: must be a phone number or short code"},
		{name: "send_sms too long", as: "done", kv: []string{"cmd", "send_sms", "id", "10000003", "sms", strings.Repeat("x", 161)}, want: "Message too long"},
		{name: "read_sms unknown service", as: "done", kv: []string{"cmd", "read_sms", "service", "Goooooogle"}, want: "Invalid service name Goooooogle"},
		{name: "read_sms huge service", as: "done", kv: []string{"cmd", "read_sms", "service", huge}, want: "Invalid service name " + huge[:64]},
		{name: "read_sms ltr_id", as: "done", kv: []string{"cmd", "read_sms", "ltr_id", "1"}, want: "Invalid rental ID"},

		// list_services
		{name: "list_services unknown", as: "a", kv: []string{"cmd", "list_services", "service", "DummyService"}, want: "Invalid service name DummyService", golden: "error_list_services_unknown"},
		{name: "list_services one unknown of several", as: "a", kv: []string{"cmd", "list_services", "service", "Google,DummyService"}, want: "Invalid service name DummyService"},
		{name: "list_services huge", as: "a", kv: []string{"cmd", "list_services", "service", huge}, want: "Invalid service name " + huge[:64]},
		{name: "list_services too many", as: "a", kv: []string{"cmd", "list_services", "service", strings.Repeat("Google,", 101)}, want: "Invalid service: at most 100 names"},
	}...)
	return cases
}

// expand replaces the placeholders of a value.
func (f *errFixture) expand(s string) string {
	a := f.users["a"]
	return strings.NewReplacer("{user}", a.name, "{USER}", strings.ToUpper(a.name), "{email}", a.email,
		"{EMAIL}", strings.ToUpper(a.email), "{key}", a.key, "{poorkey}", f.users["poor"].key).Replace(s)
}

func (f *errFixture) values(c errCase) url.Values {
	v := url.Values{}
	if c.as != "" {
		u := f.users[c.as]
		v.Set("user", u.name)
		v.Set("api_key", u.key)
	}
	for i := 0; i+1 < len(c.kv); i += 2 {
		v.Set(c.kv[i], f.expand(c.kv[i+1]))
	}
	return v
}

// wantEnvelope checks status code, content type and the exact envelope.
func wantEnvelope(t *testing.T, r apiResp, code int, status, text string, prefix bool) {
	t.Helper()
	if r.code != code {
		t.Errorf("HTTP %d, want %d (%s)", r.code, code, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if prefix {
		var env map[string]any
		if err := json.Unmarshal(r.body, &env); err != nil {
			t.Fatalf("not JSON: %s", r.body)
		}
		msg, _ := env["message"].(string)
		if len(env) != 2 || env["status"] != status || !strings.HasPrefix(msg, text) {
			t.Errorf("body %s, want status %q and a message starting with %q", r.body, status, text)
		}
		return
	}
	msg, _ := json.Marshal(text)
	want := `{"status":"` + status + `","message":` + string(msg) + "}\n"
	if string(r.body) != want {
		t.Errorf("body %s\nwant %s", r.body, want)
	}
}

// errMaxOpen caps open requests per user in the error fixture, so that busy
// is at the cap with 2.
func errMaxOpen(c *config.Config) { c.Requests.MaxOpen = 2 }

func TestErrorsTable(t *testing.T) {
	forEachDBWith(t, errMaxOpen, func(t *testing.T, e *apptest.Env) {
		f := newErrFixture(t, e)
		srv := f.srv
		for _, c := range errCases() {
			t.Run(c.name, func(t *testing.T) {
				before := f.snapshot(t)
				v := f.values(c)
				status := "error"
				if c.ok {
					status = "ok"
				}
				r := apiGet(t, srv, v)
				wantEnvelope(t, r, http.StatusOK, status, c.want, c.prefix)
				if c.golden != "" {
					checkGolden(t, c.golden, r.body)
				}
				// The same answer by every other way of calling.
				for _, alt := range []struct {
					how string
					r   apiResp
				}{
					{"GET /sims", httpDo(t, srv, http.MethodGet, "/sims/api_command.php?"+v.Encode(), "", nil)},
					{"POST urlencoded", apiPostForm(t, srv, "/api_command.php", v)},
					{"POST multipart", apiPostMultipart(t, srv, "/api_command.php", v)},
					{"POST /sims multipart", apiPostMultipart(t, srv, "/sims/api_command.php", v)},
				} {
					if alt.r.code != r.code || !bytes.Equal(alt.r.body, r.body) || alt.r.header.Get("Content-Type") != "application/json" {
						t.Errorf("%s: HTTP %d %s %q, GET gave HTTP %d %s", alt.how, alt.r.code, alt.r.header.Get("Content-Type"), alt.r.body, r.code, r.body)
					}
				}
				// Nothing changed, and no request was created.
				if after := f.snapshot(t); after != before {
					t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				e.CheckLedger(t)
				for name, u := range f.users {
					want := map[string]int64{"a": 1000, "poor": 50, "busy": 1000 - 240, "done": 1000 - 120, "susp": 1000}[name]
					if b := e.Balance(t, u.id); b != want {
						t.Errorf("balance of %s: %d, want %d", name, b, want)
					}
				}
				who := c.as
				if who == "" || who == "susp" {
					who = "a"
				}
				next := f.as(who).call(t, "request_status", "id", errNextID)
				if string(next.body) != `{"status":"error","message":"Invalid request ID"}`+"\n" {
					t.Errorf("request %s exists after the call: %s", errNextID, next.body)
				}
			})
		}
	})
}

// TestErrorsHTTP covers what is decided before a command runs: methods, body
// size and encoding.
func TestErrorsHTTP(t *testing.T) {
	forEachDBWith(t, func(c *config.Config) {
		errMaxOpen(c)
		c.HTTP.MaxBodyBytes = 1 << 20
	}, func(t *testing.T, e *apptest.Env) {
		f := newErrFixture(t, e)
		srv := f.srv
		a := f.users["a"]
		auth := url.Values{"cmd": {"balance"}, "user": {a.name}, "api_key": {a.key}}
		before := f.snapshot(t)

		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
			for _, path := range []string{"/api_command.php", "/sims/api_command.php"} {
				t.Run(m+" "+path, func(t *testing.T) {
					r := httpDo(t, srv, m, path+"?"+auth.Encode(), "application/x-www-form-urlencoded", strings.NewReader(auth.Encode()))
					wantEnvelope(t, r, http.StatusMethodNotAllowed, "error", "Method not allowed: use GET or POST", false)
					if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
						t.Errorf("Allow %q", allow)
					}
					checkGolden(t, "error_method_not_allowed", r.body)
				})
			}
		}

		t.Run("body over 1 MiB urlencoded", func(t *testing.T) {
			body := auth.Encode() + "&pad=" + strings.Repeat("x", 1<<20)
			r := httpDo(t, srv, http.MethodPost, "/api_command.php", "application/x-www-form-urlencoded", strings.NewReader(body))
			wantEnvelope(t, r, http.StatusOK, "error", "Request body too large", false)
			checkGolden(t, "error_body_too_large", r.body)
		})
		t.Run("body over 1 MiB multipart", func(t *testing.T) {
			v := url.Values{"pad": {strings.Repeat("x", 1<<20)}}
			for k, vs := range auth {
				v[k] = vs
			}
			r := apiPostMultipart(t, srv, "/api_command.php", v)
			wantEnvelope(t, r, http.StatusOK, "error", "Request body too large", false)
		})
		t.Run("body just under 1 MiB", func(t *testing.T) {
			body := auth.Encode() + "&pad="
			body += strings.Repeat("x", 1<<20-len(body)-1)
			r := httpDo(t, srv, http.MethodPost, "/api_command.php", "application/x-www-form-urlencoded", strings.NewReader(body))
			wantEnvelope(t, r, http.StatusOK, "ok", "10.00", false)
		})
		t.Run("malformed urlencoded body", func(t *testing.T) {
			r := httpDo(t, srv, http.MethodPost, "/api_command.php", "application/x-www-form-urlencoded", strings.NewReader(auth.Encode()+"&x=%zz"))
			wantEnvelope(t, r, http.StatusOK, "error", "Malformed request body", false)
			checkGolden(t, "error_malformed_body", r.body)
		})
		t.Run("malformed multipart body", func(t *testing.T) {
			r := httpDo(t, srv, http.MethodPost, "/api_command.php", "multipart/form-data; boundary=XYZ", strings.NewReader("--XYZ\r\nbroken"))
			wantEnvelope(t, r, http.StatusOK, "error", "Malformed request body", false)
		})
		t.Run("malformed query string", func(t *testing.T) {
			r := httpDo(t, srv, http.MethodGet, "/api_command.php?"+auth.Encode()+"&x=%zz", "", nil)
			wantEnvelope(t, r, http.StatusOK, "error", "Malformed query string", false)
			checkGolden(t, "error_malformed_query", r.body)
		})
		t.Run("POST parameters split between query and body", func(t *testing.T) {
			q := url.Values{"cmd": {"balance"}}
			body := url.Values{"user": {a.name}, "api_key": {a.key}}
			r := httpDo(t, srv, http.MethodPost, "/api_command.php?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(body.Encode()))
			wantEnvelope(t, r, http.StatusOK, "ok", "10.00", false)
		})
		t.Run("POST without a form body", func(t *testing.T) {
			r := httpDo(t, srv, http.MethodPost, "/api_command.php", "application/json", strings.NewReader(`{"cmd":"balance"}`))
			wantEnvelope(t, r, http.StatusOK, "error", "Unknown command ", false)
		})

		if after := f.snapshot(t); after != before {
			t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		e.CheckLedger(t)
	})
}
