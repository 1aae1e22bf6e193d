package api_test

// Golden-file tests of every success answer of the long-term rental commands
// (ltr_*, and read_sms with ltr_id), through the real HTTP handler, on SQLite
// and on PostgreSQL, in the pattern of golden_test.go (whose helpers they
// use). The files are engine-independent: rental ids start at 1 on both
// engines, times come from the fake clock, MDNs from apptest.Seq. Rewrite
// them from the SQLite run with:
//
//	go test ./internal/api/ -run 'Golden|Errors' -update

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/clock"
	"mdnhub/internal/inventory"
	"mdnhub/internal/rental"
)

// ltrDay is one rental day.
const ltrDay = 24 * time.Hour

// ltrPut imports numbers with their own gateway, carrier and short-rental
// flag (e.Numbers puts TMobile numbers on the simulator).
func ltrPut(t *testing.T, e *apptest.Env, items ...inventory.Import) {
	t.Helper()
	if _, err := e.Inventory.Put(gctx, items); err != nil {
		t.Fatal(err)
	}
}

// ltrNumberID is the id of the number with this MDN.
func ltrNumberID(t *testing.T, e *apptest.Env, mdn string) int64 {
	t.Helper()
	n, err := e.Inventory.Get(gctx, mdn)
	if err != nil {
		t.Fatal(err)
	}
	return n.ID
}

// ltrFind returns a rental as stored.
func ltrFind(t *testing.T, e *apptest.Env, c client, id int64) rental.Rental {
	t.Helper()
	r, err := e.Rentals.ByID(gctx, id)
	if err == nil && r.UserID != mustUserID(t, e, c.user) {
		t.Fatalf("rental %d belongs to another user", id)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ltrError calls and requires exactly the error envelope with text.
func (c client) ltrError(t *testing.T, text, cmd string, kv ...string) {
	t.Helper()
	r := c.call(t, cmd, kv...)
	msg, _ := json.Marshal(text)
	if want := `{"status":"error","message":` + string(msg) + "}\n"; string(r.body) != want {
		t.Fatalf("%s %v: got %s, want %s", cmd, kv, r.body, want)
	}
}

// ltrResolve settles the only pending report.
func ltrResolve(t *testing.T, e *apptest.Env, res rental.Resolution) rental.Report {
	t.Helper()
	reps, err := e.Rentals.Reports(gctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 {
		t.Fatalf("%d pending reports, want 1", len(reps))
	}
	rep, err := e.Rentals.Resolve(gctx, reps[0].ID, res)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGoldenLTRRent(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)    // 30 days 24.00, 3 days 6.00
		e.Service(t, "Unlimited", 300, 0) // 30 days 60.00
		e.Numbers(t, apptest.Seq("212", 4)...)
		e.Numbers(t, apptest.Seq("305", 2)...)
		ltrPut(t, e, inventory.Import{MDN: "13105550000", Carrier: "Verizon", Gateway: "sim", ShortRental: true})
		srv := e.Server(t)
		c := newClient(t, e, srv, 50000)

		// 30 days by default, the least recently used number: 1 on 12125550000.
		c.golden(t, "ltr_rent", "ltr_rent", "service", "Google")
		// 3 days, only on numbers marked for short rentals: 2 on 13105550000.
		c.golden(t, "ltr_rent_3_days", "ltr_rent", "service", "google", "duration", "3")
		// duration=30 spelled out, with autorenew: 3 on 12125550001.
		c.golden(t, "ltr_rent_autorenew", "ltr_rent", "service", "GOOGLE", "duration", "30", "autorenew", "true")
		c.golden(t, "ltr_autorenew_true", "ltr_autorenew", "ltr_id", "3")
		c.golden(t, "ltr_autorenew_false", "ltr_autorenew", "ltr_id", "1")
		// By area code, then by state (case-insensitive): 4 and 5 in 305.
		c.golden(t, "ltr_rent_areacode", "ltr_rent", "service", "Google", "areacode", "305")
		c.golden(t, "ltr_rent_state", "ltr_rent", "service", "Google", "state", "fl")
		// A specific MDN in any notation: 6 on 12125550002.
		c.golden(t, "ltr_rent_mdn", "ltr_rent", "service", "Google", "mdn", "(212) 555-0002")

		// Unlimited reservation while a number is free: served at once, 7 on
		// 12125550003, charged the price plus the 5.00 fee.
		c.golden(t, "ltr_rent_reserve", "ltr_rent", "service", "Unlimited", "reserve", "true")
		// None free: 8 waits, no mdn and no expiry yet.
		c.golden(t, "ltr_rent_reserve_waiting", "ltr_rent", "service", "unlimited", "reserve", "true")
		c.golden(t, "ltr_status_awaiting", "ltr_status", "ltr_id", "8")
		if r := ltrFind(t, e, c, 8); r.Status != rental.StatusAwaiting || r.MDN != "" || r.FeeCents != 500 {
			t.Fatalf("reservation %+v", r)
		}

		// Renewal of the active rental 1 by its MDN, 10 days in: a new id 9,
		// chained to 1, expiring 30 days after 1's expiry (EST by then).
		e.Clock.Advance(10 * ltrDay)
		c.golden(t, "ltr_rent_renewal", "ltr_rent", "service", "Google", "mdn", "12125550000")
		old, renewed := ltrFind(t, e, c, 1), ltrFind(t, e, c, 9)
		if old.Status != rental.StatusEnded || old.EndReason != rental.EndRenewed ||
			renewed.FirstID != 1 || renewed.PrevID != 1 || renewed.Expires() != apptest.Start.Add(60*ltrDay) {
			t.Fatalf("renewal: old %+v new %+v", old, renewed)
		}
		// By mdn and service, and by any id of the chain, the newest rental
		// of the chain answers.
		c.ok(t, "ltr_status", "mdn", "12125550000", "service", "Google")
		c.ok(t, "ltr_status", "ltr_id", "1")

		// Releasing 6 frees 12125550002 (kept for Google only): the waiting
		// reservation 8 gets it, for 30 days from now.
		c.golden(t, "ltr_release_ok", "ltr_release", "ltr_id", "6")
		c.golden(t, "ltr_status_reservation_filled", "ltr_status", "ltr_id", "8")
		if r := ltrFind(t, e, c, 8); r.Status != rental.StatusActive || r.MDN != "12125550002" || r.Expires() != e.Clock.Now().Add(30*ltrDay) {
			t.Fatalf("filled reservation %+v", r)
		}

		// Every charge has its Billing entry, and read_sms shows none.
		var billing int
		if err := e.DB.R.QueryRowContext(gctx, `SELECT COUNT(*) FROM messages WHERE user_id = $1 AND kind = 'billing' AND sender = 'Billing'`,
			mustUserID(t, e, c.user)).Scan(&billing); err != nil {
			t.Fatal(err)
		}
		if billing != 9 {
			t.Errorf("%d Billing entries, want 9", billing)
		}
		c.golden(t, "read_sms_no_messages", "read_sms")
		want := int64(50000 - 2400 - 600 - 4*2400 - 2*(6000+500) - 2400)
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != want {
			t.Fatalf("balance %d, want %d", b, want)
		}
		e.CheckLedger(t)
	})
}

func TestGoldenLTRStatus(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 100, 0)
		e.Service(t, "Unlimited", 300, 0)
		e.Numbers(t, "12125550000") // the simulator parks rented numbers
		ltrPut(t, e, inventory.Import{MDN: "13125550000", Carrier: "ATT", Gateway: "lab"})
		srv := e.Server(t)
		c := newClient(t, e, srv, 20000)
		num := ltrNumberID(t, e, "12125550000")
		window := e.Config.Rentals.OnlineWindow
		delay := e.Config.Sim.ActivationDelay
		if window != 2*time.Hour || delay != 10*time.Second {
			t.Fatalf("defaults changed: window %v, activation %v", window, delay)
		}

		// Online right after renting, for the 2-hour window; the same by
		// ltr_id, by id and by mdn and service.
		c.ok(t, "ltr_rent", "service", "Google", "mdn", "12125550000") // 1
		c.golden(t, "ltr_status_online", "ltr_status", "ltr_id", "1")
		c.golden(t, "ltr_status_online", "ltr_status", "id", "1")
		c.golden(t, "ltr_status_online", "ltr_status", "mdn", "1 (212) 555-0000", "service", "google")

		// Parked by its gateway at the end of the window: offline, nothing
		// scheduled.
		e.Clock.Advance(window)
		if err := e.Rentals.Park(gctx, num, apptest.Start.Add(window)); err != nil {
			t.Fatal(err)
		}
		c.golden(t, "ltr_status_offline", "ltr_status", "ltr_id", "1")

		// Activation: still offline, online in 10 seconds.
		c.golden(t, "ltr_activate_offline", "ltr_activate", "ltr_id", "1")
		at := e.Clock.Now().Add(delay)
		e.Clock.Advance(4 * time.Second)
		c.golden(t, "ltr_status_activating", "ltr_status", "ltr_id", "1")
		// Activating again while the activation is on its way changes nothing.
		c.golden(t, "ltr_status_activating", "ltr_activate", "id", "1")

		// Online again for a new window once the gateway brought it back.
		e.Clock.Advance(delay - 4*time.Second)
		if err := e.Rentals.BringOnline(gctx, num, at); err != nil {
			t.Fatal(err)
		}
		c.golden(t, "ltr_status_online_again", "ltr_status", "ltr_id", "1")
		// An hour later, activating an online number renews its window.
		e.Clock.Advance(time.Hour)
		c.golden(t, "ltr_activate_online", "ltr_activate", "mdn", "12125550000", "service", "Google")

		// A gateway that does not park: always online, nothing scheduled,
		// and activation changes nothing.
		c.ok(t, "ltr_rent", "service", "Google", "mdn", "13125550000") // 2
		c.golden(t, "ltr_status_plain_gateway", "ltr_status", "ltr_id", "2")
		c.golden(t, "ltr_status_plain_gateway", "ltr_activate", "ltr_id", "2")

		// A reservation with no number yet.
		c.ok(t, "ltr_rent", "service", "Unlimited", "reserve", "true") // 3
		c.golden(t, "ltr_status_awaiting_later", "ltr_status", "ltr_id", "3")
		c.golden(t, "ltr_status_awaiting_later", "ltr_activate", "ltr_id", "3")
		e.CheckLedger(t)
	})
}

func TestGoldenLTRManage(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 100, 0)    // 20.00
		e.Service(t, "Amazon", 50, 0)     // 10.00
		e.Service(t, "Unknown", 25, 0)    // 5.00
		e.Service(t, "Unlimited", 300, 0) // 60.00
		e.Numbers(t, apptest.Seq("212", 6)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 100000)
		c.ok(t, "ltr_rent", "service", "Google")    // 1 on 12125550000
		c.ok(t, "ltr_rent", "service", "Google")    // 2 on 12125550001
		c.ok(t, "ltr_rent", "service", "Unknown")   // 3 on 12125550002
		c.ok(t, "ltr_rent", "service", "Unlimited") // 4 on 12125550003

		// ltr_autorenew: a JSON boolean when only queried, a text when set,
		// by ltr_id, id, or mdn and service.
		c.golden(t, "ltr_autorenew_false", "ltr_autorenew", "ltr_id", "1")
		c.golden(t, "ltr_autorenew_updated", "ltr_autorenew", "id", "1", "autorenew", "true")
		c.golden(t, "ltr_autorenew_true", "ltr_autorenew", "mdn", "12125550000", "service", "Google")
		if !ltrFind(t, e, c, 1).Autorenew {
			t.Fatal("autorenew not stored")
		}
		c.golden(t, "ltr_autorenew_updated", "ltr_autorenew", "mdn", "12125550000", "service", "google", "autorenew", "false")
		c.golden(t, "ltr_autorenew_false", "ltr_autorenew", "ltr_id", "1")

		// ltr_forward: set, then off with an empty destination.
		c.golden(t, "ltr_forward_updated", "ltr_forward", "ltr_id", "1", "destination", "+1 (310) 555-1234")
		if f := ltrFind(t, e, c, 1).ForwardTo; f != "13105551234" {
			t.Fatalf("forward_to %q", f)
		}
		c.golden(t, "ltr_forward_updated", "ltr_forward", "mdn", "12125550000", "service", "Google", "destination", "")
		if f := ltrFind(t, e, c, 1).ForwardTo; f != "" {
			t.Fatalf("forward_to %q after turning it off", f)
		}

		// Reports: pending, then replaced with another number.
		c.golden(t, "ltr_report_ok", "ltr_report", "ltr_id", "1")
		c.golden(t, "ltr_reported_status_pending", "ltr_reported_status", "ltr_id", "1")
		ltrResolve(t, e, rental.Resolution{Replace: true})
		c.golden(t, "ltr_reported_status_replaced", "ltr_reported_status", "id", "1")
		if r := ltrFind(t, e, c, 1); r.MDN != "12125550004" || r.Status != rental.StatusActive {
			t.Fatalf("replaced rental %+v", r)
		}
		// Found by its new MDN; reported again and declined.
		c.golden(t, "ltr_report_ok", "ltr_report", "mdn", "12125550004", "service", "Google")
		c.golden(t, "ltr_reported_status_pending", "ltr_reported_status", "mdn", "12125550004", "service", "Google")
		ltrResolve(t, e, rental.Resolution{Decline: "works on our side"})
		c.golden(t, "ltr_reported_status_declined", "ltr_reported_status", "ltr_id", "1")
		// Refunded after 10 of 30 days: two thirds of 20.00; the rental ends
		// and its report stays readable.
		c.golden(t, "ltr_report_ok", "ltr_report", "ltr_id", "2")
		e.Clock.Advance(10 * ltrDay)
		ltrResolve(t, e, rental.Resolution{Refund: true})
		c.golden(t, "ltr_reported_status_refunded", "ltr_reported_status", "ltr_id", "2")
		c.golden(t, "ltr_reported_status_refunded", "ltr_reported_status", "mdn", "12125550001", "service", "Google")
		c.ltrError(t, "Rental has ended", "ltr_status", "ltr_id", "2")

		// Switching an Unknown rental to Google charges the difference
		// (20.00 - 5.00); it is then found under Google.
		c.golden(t, "ltr_switch_service_ok", "ltr_switch_service", "ltr_id", "3", "new_service", "google")
		if r := ltrFind(t, e, c, 3); r.Service != "Google" || r.PriceCents != 2000 {
			t.Fatalf("switched rental %+v", r)
		}
		c.ok(t, "ltr_status", "mdn", "12125550002", "service", "Google")
		// An Unlimited rental's filter, by mdn and service, cheaper: nothing
		// charged; by id.
		c.golden(t, "ltr_switch_service_ok", "ltr_switch_service", "mdn", "12125550003", "service", "Unlimited", "new_service", "Amazon")
		if r := ltrFind(t, e, c, 4); r.Service != "Unlimited" || r.FilterService != "Amazon" || r.PriceCents != 6000 {
			t.Fatalf("unlimited filter %+v", r)
		}
		c.golden(t, "ltr_switch_service_ok", "ltr_switch_service", "id", "4", "new_service", "Google")
		if r := ltrFind(t, e, c, 4); r.FilterService != "Google" {
			t.Fatalf("unlimited filter %+v", r)
		}

		// Release by id: ended, the number back in the pool, no refund.
		c.golden(t, "ltr_release_ok", "ltr_release", "id", "4")
		c.ltrError(t, "Rental has ended", "ltr_status", "ltr_id", "4")
		if n, err := e.Inventory.Get(gctx, "12125550003"); err != nil || n.HeldBy != 0 || !n.Online {
			t.Fatalf("released number %+v %v", n, err)
		}

		want := int64(100000 - 2000 - 2000 - 500 - 6000 + 1333 - 1500)
		if b := e.Balance(t, mustUserID(t, e, c.user)); b != want {
			t.Fatalf("balance %d, want %d", b, want)
		}
		e.CheckLedger(t)
	})
}

func TestGoldenLTRReadSMS(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 100, 0)
		e.Service(t, "Amazon", 50, 0)
		e.Service(t, "Unlimited", 300, 0)
		e.Numbers(t, apptest.Seq("212", 2)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 20000)
		c.ok(t, "ltr_rent", "service", "Google")    // 1 on 12125550000
		c.ok(t, "ltr_rent", "service", "Unlimited") // 2 on 12125550001
		steps := []struct{ to, from, text string }{
			{"12125550000", "22000", "G-111111 is your Google verification code."},
			{"12125550001", "262966", "Your Amazon OTP is 333333. Do not share it."},
			{"12125550001", "22000", "G-222222 is your Google verification code."},
			{"12125550001", "98765", "Your code is 445566"},
			{"12125550000", "18339020112", "G-444444 is your Google verification code."},
		}
		for _, s := range steps {
			e.Clock.Advance(10 * time.Second)
			deliverSMS(t, e, s.to, s.from, s.text)
		}
		e.Clock.Advance(10 * time.Second)

		// One rental's messages; mdn is ignored with ltr_id.
		c.golden(t, "ltr_read_sms_rental", "read_sms", "ltr_id", "1")
		c.golden(t, "ltr_read_sms_rental", "read_sms", "ltr_id", "1", "mdn", "12125550001")
		// Unlimited: every service's messages, each with its detected
		// service, or filtered by one, Unknown included.
		c.golden(t, "ltr_read_sms_unlimited", "read_sms", "ltr_id", "2")
		c.golden(t, "ltr_read_sms_unlimited_amazon", "read_sms", "ltr_id", "2", "service", "amazon")
		c.golden(t, "ltr_read_sms_unlimited_unknown", "read_sms", "ltr_id", "2", "service", "Unknown")
		c.golden(t, "ltr_read_sms_unlimited_unknown", "read_sms", "ltr_id", "2", "service", "unknown")
		// After switching the filter to Google, the rental's messages are
		// Google's unless another service is asked for.
		c.ok(t, "ltr_switch_service", "ltr_id", "2", "new_service", "Google")
		c.golden(t, "ltr_read_sms_unlimited_filtered", "read_sms", "ltr_id", "2")
		c.golden(t, "ltr_read_sms_unlimited_amazon", "read_sms", "ltr_id", "2", "service", "Amazon")
		// No filter: the 3 newest of the user, Billing entries never shown.
		c.golden(t, "ltr_read_sms_all", "read_sms")
	})
}

// TestGoldenLTRJSONTypes checks the JSON types of the rental answers
// explicitly, as strict clients parse them.
func TestGoldenLTRJSONTypes(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 155, 0) // 31.00
		e.Numbers(t, apptest.Seq("212", 2)...)
		srv := e.Server(t)
		c := newClient(t, e, srv, 10000)
		object := func(r apiResp) map[string]any {
			t.Helper()
			var env map[string]any
			if err := json.Unmarshal(r.body, &env); err != nil {
				t.Fatalf("%s: %v", r.body, err)
			}
			m, ok := env["message"].(map[string]any)
			if env["status"] != "ok" || !ok {
				t.Fatalf("message is not an object: %s", r.body)
			}
			return m
		}
		wantTypes := func(cmd string, obj map[string]any, types map[string]string) {
			t.Helper()
			if len(obj) != len(types) {
				t.Errorf("%s: fields %v, want exactly %v", cmd, keys(obj), types)
			}
			for k, typ := range types {
				if v, ok := obj[k]; !ok {
					t.Errorf("%s: field %s missing", cmd, k)
				} else if got := jsonType(v); got != typ {
					t.Errorf("%s: field %s is %s (%#v), want %s", cmd, k, got, v, typ)
				}
			}
		}
		plainTime := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
		zonedTime := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} E[DS]T$`)
		ny, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Fatal(err)
		}

		// ltr_rent
		r := c.ok(t, "ltr_rent", "service", "Google", "autorenew", "true")
		rent := object(r)
		wantTypes("ltr_rent", rent, map[string]string{
			"id": "number", "mdn": "string", "service": "string", "price": "number", "expires": "string", "carrier": "string",
		})
		exp := apptest.Start.Add(30 * ltrDay)
		if rent["id"] != 1.0 || rent["mdn"] != "12125550000" || rent["service"] != "Google" || rent["price"] != 31.0 ||
			rent["carrier"] != "TMobile" || rent["expires"] != exp.In(ny).Format("2006-01-02 15:04:05") {
			t.Errorf("ltr_rent values: %v", rent)
		}
		if s, _ := rent["expires"].(string); !plainTime.MatchString(s) || s != "2020-10-14 14:42:36" {
			t.Errorf("expires %q, want YYYY-MM-DD HH:MM:SS in New York time", s)
		}
		if !bytes.Contains(r.body, []byte(`"price":31.00,`)) || !bytes.Contains(r.body, []byte(`{"id":1,`)) {
			t.Errorf("id or price not printed as the reference shows: %s", r.body)
		}

		// ltr_status and ltr_activate: the same object.
		statusTypes := map[string]string{
			"mdn": "string", "ltr_status": "string", "till_change": "number", "next_online": "number",
			"timestamp": "number", "date_time": "string",
		}
		for _, cmd := range []string{"ltr_status", "ltr_activate"} {
			st := object(c.ok(t, cmd, "ltr_id", "1"))
			wantTypes(cmd, st, statusTypes)
			now := float64(e.Clock.Now().Unix())
			if st["mdn"] != "12125550000" || st["ltr_status"] != "online" || st["till_change"] != 7200.0 ||
				st["next_online"] != now || st["timestamp"] != now || st["date_time"] != "2020-09-14 14:42:36 EDT" {
				t.Errorf("%s values: %v", cmd, st)
			}
		}
		// ltr_autorenew: a boolean when queried, a string when set.
		var env struct {
			Message any `json:"message"`
		}
		for _, w := range []struct {
			kv   []string
			want any
		}{
			{[]string{"ltr_id", "1"}, true},
			{[]string{"ltr_id", "1", "autorenew", "false"}, "Auto renew status updated"},
			{[]string{"ltr_id", "1"}, false},
		} {
			r := c.ok(t, "ltr_autorenew", w.kv...)
			if err := json.Unmarshal(r.body, &env); err != nil || env.Message != w.want {
				t.Errorf("ltr_autorenew %v: %s, want message %#v", w.kv, r.body, w.want)
			}
		}

		// In winter the zone is EST: a rental taken in November.
		e.Clock.Set(time.Date(2020, 11, 20, 12, 0, 0, 0, ny))
		rent = object(c.ok(t, "ltr_rent", "service", "Google"))
		if rent["id"] != 2.0 || rent["expires"] != "2020-12-20 12:00:00" {
			t.Errorf("ltr_rent in November: %v", rent)
		}
		st := object(c.ok(t, "ltr_status", "ltr_id", "2"))
		wantTypes("ltr_status", st, statusTypes)
		if s, _ := st["date_time"].(string); !zonedTime.MatchString(s) || s != "2020-11-20 12:00:00 EST" || s != clock.HumanTime(e.Clock.Now()) {
			t.Errorf("date_time %q", s)
		}
		if st["timestamp"] != float64(e.Clock.Now().Unix()) {
			t.Errorf("timestamp %v", st["timestamp"])
		}
		e.CheckLedger(t)
	})
}
