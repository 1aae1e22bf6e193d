package api_test

// The forms public client programs of the API family send beside the
// documented ones, through the real HTTP handler on both engines: rentals
// named by mdn alone, request_status shaped per account, ltr_switch_service
// with service as the new service, send_sms without to, and the legacy
// command names. Where a form is another spelling of a documented call, its
// answer must be byte for byte the documented call's.

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
	"mdnhub/internal/rental"
)

// same calls cmd twice, with a and with b, and requires identical answers.
func (c client) same(t *testing.T, cmd string, a, b []string) apiResp {
	t.Helper()
	ra, rb := c.call(t, cmd, a...), c.call(t, cmd, b...)
	if !bytes.Equal(ra.body, rb.body) {
		t.Fatalf("%s %v answered %s\nbut %v answered %s", cmd, a, ra.body, b, rb.body)
	}
	return ra
}

func TestGoldenLTRByMDNAlone(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 100, 0)    // 20.00
		e.Service(t, "Amazon", 50, 0)     // 10.00
		e.Service(t, "Unknown", 25, 0)    // 5.00
		e.Service(t, "Unlimited", 300, 0) // 60.00
		e.Numbers(t, apptest.Seq("212", 4)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 100000)
		c.ok(t, "ltr_rent", "service", "Google")    // 1 on 12125550000
		c.ok(t, "ltr_rent", "service", "Unknown")   // 2 on 12125550001
		c.ok(t, "ltr_rent", "service", "Unlimited") // 3 on 12125550002
		const google, unknown, unlimited = "12125550000", "12125550001", "12125550002"

		// ltr_status and ltr_activate: the same answers as by ltr_id, in
		// any notation of the number.
		c.golden(t, "ltr_status_online", "ltr_status", "mdn", google)
		c.golden(t, "ltr_status_online", "ltr_status", "mdn", "+1 (212) 555-0000")
		c.same(t, "ltr_activate", []string{"mdn", google}, []string{"ltr_id", "1"})

		// ltr_autorenew, and its legacy name toggle_autorenew.
		c.golden(t, "ltr_autorenew_false", "ltr_autorenew", "mdn", google)
		c.golden(t, "ltr_autorenew_updated", "ltr_autorenew", "mdn", google, "autorenew", "true")
		c.golden(t, "ltr_autorenew_true", "toggle_autorenew", "mdn", google)
		c.golden(t, "ltr_autorenew_updated", "toggle_autorenew", "ltr_id", "1", "autorenew", "false")
		c.golden(t, "ltr_autorenew_false", "ltr_autorenew", "mdn", google)
		if ltrFind(t, e, c, 1).Autorenew {
			t.Fatal("autorenew still on")
		}

		// ltr_forward.
		c.golden(t, "ltr_forward_updated", "ltr_forward", "mdn", google, "destination", "13105551234")
		if f := ltrFind(t, e, c, 1).ForwardTo; f != "13105551234" {
			t.Fatalf("forward_to %q", f)
		}

		// ltr_switch_service by mdn alone with new_service; by ltr_id or id
		// with service as the new service; new_service wins over service.
		c.golden(t, "ltr_switch_service_ok", "ltr_switch_service", "mdn", unknown, "new_service", "Amazon")
		if r := ltrFind(t, e, c, 2); r.Service != "Amazon" {
			t.Fatalf("switched rental %+v", r)
		}
		c.golden(t, "ltr_switch_service_ok", "ltr_switch_service", "ltr_id", "3", "service", "amazon")
		if r := ltrFind(t, e, c, 3); r.FilterService != "Amazon" {
			t.Fatalf("unlimited filter %+v", r)
		}
		c.golden(t, "ltr_switch_service_ok", "ltr_switch_service", "id", "3", "service", "Google")
		if r := ltrFind(t, e, c, 3); r.FilterService != "Google" {
			t.Fatalf("unlimited filter %+v", r)
		}
		c.golden(t, "ltr_switch_service_ok", "ltr_switch_service", "ltr_id", "3", "service", "Amazon", "new_service", "Google")
		if r := ltrFind(t, e, c, 3); r.FilterService != "Google" {
			t.Fatalf("new_service did not win: %+v", r)
		}

		// read_sms by mdn alone reads the running rental, with its filter:
		// the Unlimited rental now filters Google.
		e.Clock.Advance(10 * time.Second)
		deliverSMS(t, e, unlimited, "22000", "G-222222 is your Google verification code.")
		e.Clock.Advance(10 * time.Second)
		deliverSMS(t, e, unlimited, "262966", "Your Amazon OTP is 333333. Do not share it.")
		e.Clock.Advance(10 * time.Second)
		r := c.same(t, "read_sms", []string{"mdn", unlimited}, []string{"ltr_id", "3"})
		checkGolden(t, "read_sms_mdn_alone_unlimited", r.body)
		// With service, mdn filters the user's messages as before.
		c.golden(t, "read_sms_mdn_amazon", "read_sms", "mdn", unlimited, "service", "Amazon")

		// ltr_report and ltr_reported_status.
		c.golden(t, "ltr_report_ok", "ltr_report", "mdn", google)
		c.golden(t, "ltr_reported_status_pending", "ltr_reported_status", "mdn", google)
		c.ltrError(t, "Already reported", "ltr_report", "mdn", google)

		// A renewal by mdn: mdn alone then names the new rental of the chain.
		c.ok(t, "ltr_rent", "service", "Google", "mdn", google) // 4, chained to 1
		c.same(t, "ltr_status", []string{"mdn", google}, []string{"ltr_id", "4"})
		c.same(t, "ltr_status", []string{"mdn", google}, []string{"ltr_id", "1"})

		// ltr_release; afterwards mdn alone names nothing.
		c.golden(t, "ltr_release_ok", "ltr_release", "mdn", unknown)
		if r := ltrFind(t, e, c, 2); r.Status != rental.StatusEnded {
			t.Fatalf("released rental %+v", r)
		}
		c.ltrError(t, "No rental for this MDN and service", "ltr_status", "mdn", unknown)
		c.ltrError(t, "Rental has ended", "ltr_status", "mdn", unknown, "service", "Amazon")
		// read_sms by mdn alone without a running rental: the one-time
		// reading, by number.
		c.ltrError(t, "No messages", "read_sms", "mdn", unknown)

		// Another user's rental is never named by its number.
		other := newClient(t, e, srv, 100000)
		other.ltrError(t, "No rental for this MDN and service", "ltr_status", "mdn", google)
		other.ltrError(t, "No rental for this MDN and service", "ltr_release", "mdn", unlimited)
		e.CheckLedger(t)
	})
}

// setFormat sets a client's request_status_format as the operator would.
func setFormat(t *testing.T, e *apptest.Env, c client, format string) {
	t.Helper()
	if err := e.Accounts.SetRequestStatusFormat(gctx, mustUserID(t, e, c.user), format); err != nil {
		t.Fatal(err)
	}
}

func TestGoldenRequestStatusPerAccount(t *testing.T) {
	for _, operatorObject := range []bool{false, true} {
		name := "operator array"
		if operatorObject {
			name = "operator object"
		}
		t.Run(name, func(t *testing.T) {
			compat := func(c *config.Config) { c.Compat.RequestStatusObject = operatorObject }
			forEachDBWith(t, compat, func(t *testing.T, e *apptest.Env) {
				e.Service(t, "Google", 120, 0)
				e.Numbers(t, apptest.Seq("212", 2)...)
				srv := e.Server(t)
				c := newClient(t, e, srv, 1000)
				c.golden(t, "request_reserved", "request", "service", "Google")
				e.Clock.Advance(10 * time.Second)
				status := func(object bool) {
					t.Helper()
					if object {
						c.golden(t, "request_status_object", "request_status", "id", "10000001")
					} else {
						c.golden(t, "request_status_reserved", "request_status", "id", "10000001")
					}
				}
				// The operator's default, then each account setting; a
				// change takes effect at once although the caller's key is
				// cached.
				status(operatorObject)
				setFormat(t, e, c, account.FormatObject)
				status(true)
				setFormat(t, e, c, account.FormatArray)
				status(false)
				setFormat(t, e, c, "default")
				status(operatorObject)
				if u, err := e.Accounts.Find(gctx, c.user); err != nil || u.RequestStatusFormat != "" {
					t.Fatalf("user %+v %v", u, err)
				}
				if err := e.Accounts.SetRequestStatusFormat(gctx, mustUserID(t, e, c.user), "xml"); err == nil {
					t.Fatal("format xml accepted")
				}
				// Only request_status changes shape.
				r := c.call(t, "request", "service", "Google")
				if !bytes.HasPrefix(r.body, []byte(`{"status":"ok","message":[{`)) {
					t.Fatalf("request: %s", r.body)
				}
			})
		})
	}
}

func TestGoldenSendSMSWithoutTo(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, time.Hour)
		e.Numbers(t, apptest.Seq("212", 2)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 1000)
		c.ok(t, "request", "service", "Google") // 10000001 on 12125550000
		const mdn = "12125550000"

		// Nothing received yet: the reference's text.
		c.golden(t, "send_sms_no_recent", "send_sms", "id", "10000001", "msg", "hello")
		c.golden(t, "send_sms_no_recent", "send_sms", "mdn", mdn, "sms", "hello")

		deliverSMS(t, e, mdn, "22000", "G-804036 is your Google verification code.")
		e.Clock.Advance(time.Minute)
		deliverSMS(t, e, mdn, "+1 (415) 555-0100", "Reply YES to confirm, code 4455")
		e.Clock.Advance(time.Minute)

		// Without to: the most recent sender, as it sent.
		c.golden(t, "send_sms_ok", "send_sms", "id", "10000001", "msg", "YES")
		c.golden(t, "send_sms_ok", "send_sms", "mdn", mdn, "text", "YES again", "to", "")
		c.golden(t, "send_sms_ok", "send_sms", "mdn", mdn, "sms", "to Google", "to", "22000")
		rows, err := e.DB.R.QueryContext(gctx, `SELECT recipient, body FROM messages WHERE kind = 'outbound' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var to, body string
			if err := rows.Scan(&to, &body); err != nil {
				t.Fatal(err)
			}
			got = append(got, to+": "+body)
		}
		rows.Close()
		want := []string{"+1 (415) 555-0100: YES", "+1 (415) 555-0100: YES again", "22000: to Google"}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("outbound %q, want %q", got, want)
		}
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != 1000-120-3*10 {
			t.Fatalf("balance %d", b)
		}

		// 30 minutes after the last message nobody can be replied to.
		e.Clock.Advance(30*time.Minute + time.Second)
		c.golden(t, "send_sms_no_recent", "send_sms", "id", "10000001", "msg", "late")
		c.golden(t, "send_sms_no_recent", "send_sms", "mdn", mdn, "sms", "late", "to", "14155550100")
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != 1000-120-3*10 {
			t.Fatalf("balance %d after refusals", b)
		}
		e.CheckLedger(t)
	})
}

func TestGoldenLegacyCommands(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0) // 30 days 24.00
		e.Numbers(t, apptest.Seq("212", 4)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 50000)
		// The old client authenticates with pass=.
		legacy := func(name, cmd string, kv ...string) apiResp {
			t.Helper()
			v := url.Values{"cmd": {cmd}, "user": {c.user}, "pass": {c.key}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			r := apiGet(t, srv, v)
			checkGolden(t, name, r.body)
			return r
		}
		// rent = ltr_rent: the golden of TestGoldenLTRRent's first rental.
		legacy("ltr_rent", "rent", "service", "Google")
		if r := ltrFind(t, e, c, 1); r.Status != rental.StatusActive || r.MDN != "12125550000" {
			t.Fatalf("rental %+v", r)
		}
		// toggle_autorenew = ltr_autorenew, same parameters.
		legacy("ltr_autorenew_updated", "toggle_autorenew", "ltr_id", "1", "autorenew", "true")
		legacy("ltr_autorenew_true", "toggle_autorenew", "mdn", "12125550000", "service", "Google")
		// timeout = reject of that request id.
		c.ok(t, "request", "service", "Google") // 10000001
		legacy("reject_ok", "timeout", "id", "10000001")
		r := c.ok(t, "request_status", "id", "10000001")
		var env struct {
			Message []map[string]any `json:"message"`
		}
		if err := json.Unmarshal(r.body, &env); err != nil || len(env.Message) != 1 || env.Message[0]["status"] != "Rejected" {
			t.Fatalf("after timeout: %s", r.body)
		}
		legacy("error_reject_rejected", "timeout", "id", "10000001")
		legacy("error_invalid_request_id", "timeout", "id", "10000099")
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != 50000-2400 {
			t.Fatalf("balance %d", b)
		}
		e.CheckLedger(t)
	})
}
