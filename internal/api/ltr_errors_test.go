package api_test

// Bad inputs of the long-term rental commands through the real HTTP handler
// on both engines, in the pattern of errors_test.go (whose errCase,
// errFixture.values and wantEnvelope it uses): each answers the exact JSON
// error envelope with HTTP 200, by GET, by POST (urlencoded and multipart)
// and on /sims/api_command.php alike, and changes nothing in any table.

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
)

// newLTRErrFixture builds one shared world for the rental error table:
//
//	a      1000.00, rentals (Google unless said otherwise):
//	       1 active on 12125550000
//	       2 released on 12125550001 (kept for a, for Google)
//	       3 active on 12125550002, reported (pending)
//	       4 Unlimited, active on 12125550003, burnt for Amazon by other
//	       5 active on 13125550000, gateway "lab" (no parking, no forwarding)
//	other  1000.00, 6 active on 12125550004
//	thin     0.00 after 7, Unknown, active on 12125550005
//	sixty   60.00, exactly an Unlimited rental without the reservation fee
//	poor     0.50
//
// Free: 12125550006 and 12125550007, and 16175550000 (the only number for
// 3-day rentals). Yahoo has no 3-day price.
func newLTRErrFixture(t *testing.T, e *apptest.Env) *errFixture {
	t.Helper()
	e.Service(t, "Google", 100, 0)    // 20.00, 3 days 5.00
	e.Service(t, "Amazon", 50, 0)     // 10.00
	e.Service(t, "Unknown", 25, 0)    // 5.00
	e.Service(t, "Unlimited", 300, 0) // 60.00
	if _, err := e.Catalog.Put(gctx, catalog.Service{Name: "Yahoo", PriceCents: 40, LTRPriceCents: 800, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	e.Numbers(t, apptest.Seq("212", 8)...)
	ltrPut(t, e,
		inventory.Import{MDN: "16175550000", Carrier: "Verizon", Gateway: "sim", ShortRental: true},
		inventory.Import{MDN: "13125550000", Carrier: "ATT", Gateway: "lab"})
	srv := e.Server(t)
	f := &errFixture{e: e, srv: srv, users: map[string]errUser{}}
	for _, u := range []struct {
		name  string
		cents int64
	}{{"a", 100000}, {"other", 100000}, {"thin", 500}, {"sixty", 6000}, {"poor", 50}} {
		usr, key := e.User(t, u.cents)
		f.users[u.name] = errUser{id: usr.ID, name: usr.Username, email: usr.Email, key: key}
	}
	a, other, thin := f.as("a"), f.as("other"), f.as("thin")
	a.ok(t, "ltr_rent", "service", "Google", "mdn", "12125550000") // 1
	a.ok(t, "ltr_rent", "service", "Google", "mdn", "12125550001") // 2
	a.ok(t, "ltr_release", "ltr_id", "2")
	a.ok(t, "ltr_rent", "service", "Google", "mdn", "12125550002") // 3
	a.ok(t, "ltr_report", "ltr_id", "3")
	a.ok(t, "ltr_rent", "service", "Unlimited", "mdn", "12125550003")  // 4
	a.ok(t, "ltr_rent", "service", "Google", "mdn", "13125550000")     // 5
	other.ok(t, "ltr_rent", "service", "Google", "mdn", "12125550004") // 6
	thin.ok(t, "ltr_rent", "service", "Unknown", "mdn", "12125550005") // 7
	if _, err := e.DB.W.ExecContext(gctx,
		`INSERT INTO burns (number_id, service_id, user_id, created_at) SELECT $1, id, $2, 0 FROM services WHERE name_key = 'amazon'`,
		ltrNumberID(t, e, "12125550003"), f.users["other"].id); err != nil {
		t.Fatal(err)
	}
	return f
}

// ltrSnapshot is every row of every table, as sorted text.
func ltrSnapshot(t *testing.T, e *apptest.Env) string {
	t.Helper()
	tables, err := e.DB.Tables(gctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	seen := 0
	for _, table := range tables {
		switch table {
		case "rentals", "rental_reports", "rental_holds", "numbers", "ledger", "users", "messages", "burns", "callback_events":
			seen++
		}
		rows, err := e.DB.R.QueryContext(gctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var lines []string
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var line strings.Builder
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&line, " %s=%v", cols[i], v)
			}
			lines = append(lines, line.String())
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s (%d rows)\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	if seen != 9 {
		t.Fatalf("snapshot sees only %d of the 9 main tables: %v", seen, tables)
	}
	return b.String()
}

// ltrRefCommands are the commands naming one rental, each with the other
// parameters it needs to get past them.
var ltrRefCommands = []struct {
	cmd   string
	extra []string
}{
	{"ltr_status", nil},
	{"ltr_activate", nil},
	{"ltr_release", nil},
	{"ltr_autorenew", nil},
	{"ltr_report", nil},
	{"ltr_reported_status", nil},
	{"ltr_switch_service", []string{"new_service", "Amazon"}},
	{"ltr_forward", []string{"destination", "13105551234"}},
}

func ltrErrCases() []errCase {
	const (
		invalidID   = "Invalid rental ID"
		ended       = "Rental has ended"
		noRental    = "No rental for this MDN and service"
		badDuration = "Duration must be 3 or 30"
		badArea     = "Invalid area code: must be 3 digits"
		badState    = "Invalid state: must be a 2-letter US state abbreviation"
		badMDN      = "Invalid mdn: must be an 11-digit US number"
		badDest     = "Invalid destination: must be a US phone number, or empty to turn forwarding off"
		noNumbers   = "No numbers available, retry later"
		notAvail    = "The MDN is not available"
	)
	rent := func(kv ...string) []string { return append([]string{"cmd", "ltr_rent"}, kv...) }
	cmd := func(name string, kv ...string) []string { return append([]string{"cmd", name}, kv...) }
	cases := []errCase{
		// ltr_rent: parameters.
		{name: "ltr_rent missing service", as: "a", kv: rent(), want: "Missing parameter: service", golden: "ltr_error_missing_service"},
		{name: "ltr_rent blank service", as: "a", kv: rent("service", " ", "duration", "30"), want: "Missing parameter: service"},
		{name: "ltr_rent unknown service", as: "a", kv: rent("service", "Goooooogle"), want: "Invalid service name Goooooogle", golden: "ltr_error_invalid_service"},
		{name: "ltr_rent huge service", as: "a", kv: rent("service", huge), want: "Invalid service: too long"},
		{name: "ltr_rent duration 7", as: "a", kv: rent("service", "Google", "duration", "7"), want: badDuration, golden: "ltr_error_duration"},
		{name: "ltr_rent duration abc", as: "a", kv: rent("service", "Google", "duration", "abc"), want: badDuration},
		{name: "ltr_rent duration 0", as: "a", kv: rent("service", "Google", "duration", "0"), want: badDuration},
		{name: "ltr_rent duration -30", as: "a", kv: rent("service", "Google", "duration", "-30"), want: badDuration},
		{name: "ltr_rent duration 3.0", as: "a", kv: rent("service", "Google", "duration", "3.0"), want: badDuration},
		{name: "ltr_rent duration 300", as: "a", kv: rent("service", "Google", "duration", "300"), want: badDuration},
		{name: "ltr_rent duration huge", as: "a", kv: rent("service", "Google", "duration", hugeDigit), want: badDuration},
		{name: "ltr_rent no 3-day price", as: "a", kv: rent("service", "Yahoo", "duration", "3"), want: "3-day rentals are not available for this service", golden: "ltr_error_no_short_rental"},
		{name: "ltr_rent autorenew maybe", as: "a", kv: rent("service", "Google", "autorenew", "maybe"), want: "Invalid autorenew: must be true or false", golden: "ltr_error_autorenew_value"},
		{name: "ltr_rent autorenew 2", as: "a", kv: rent("service", "Google", "autorenew", "2"), want: "Invalid autorenew: must be true or false"},
		{name: "ltr_rent reserve maybe", as: "a", kv: rent("service", "Unlimited", "reserve", "maybe"), want: "Invalid reserve: must be true or false"},
		{name: "ltr_rent areacode 12", as: "a", kv: rent("service", "Google", "areacode", "12"), want: badArea},
		{name: "ltr_rent areacode abcd", as: "a", kv: rent("service", "Google", "areacode", "abcd"), want: badArea},
		{name: "ltr_rent areacode 1234", as: "a", kv: rent("service", "Google", "areacode", "1234"), want: badArea},
		{name: "ltr_rent bad areacode beats state", as: "a", kv: rent("service", "Google", "areacode", "12", "state", "NY"), want: badArea},
		{name: "ltr_rent state ZZ", as: "a", kv: rent("service", "Google", "state", "ZZ"), want: badState},
		{name: "ltr_rent state California", as: "a", kv: rent("service", "Google", "state", "California"), want: badState},
		{name: "ltr_rent mdn short", as: "a", kv: rent("service", "Google", "mdn", "123"), want: badMDN},
		{name: "ltr_rent mdn letters", as: "a", kv: rent("service", "Google", "mdn", "1212555ABCD"), want: badMDN},
		{name: "ltr_rent mdn not US", as: "a", kv: rent("service", "Google", "mdn", "22125550006"), want: badMDN},
		{name: "ltr_rent mdn huge", as: "a", kv: rent("service", "Google", "mdn", hugeDigit), want: badMDN},

		// ltr_rent: what cannot be had.
		{name: "ltr_rent reserve Google", as: "a", kv: rent("service", "Google", "reserve", "true"), want: "Reservations are only available for the Unlimited service", golden: "ltr_error_reserve_unlimited"},
		{name: "ltr_rent reserve Google before funds", as: "poor", kv: rent("service", "Google", "reserve", "true"), want: "Reservations are only available for the Unlimited service"},
		{name: "ltr_rent insufficient funds", as: "poor", kv: rent("service", "Google"), want: "Insufficient funds. Your balance is $0.50", golden: "ltr_error_insufficient_funds"},
		{name: "ltr_rent 3 days insufficient funds", as: "poor", kv: rent("service", "Google", "duration", "3"), want: "Insufficient funds. Your balance is $0.50"},
		{name: "ltr_rent zero balance", as: "thin", kv: rent("service", "Amazon"), want: "Insufficient funds. Your balance is $0.00"},
		{name: "ltr_rent reservation fee not covered", as: "sixty", kv: rent("service", "Unlimited", "reserve", "true"), want: "Insufficient funds. Your balance is $60.00"},
		{name: "ltr_rent no numbers in area", as: "a", kv: rent("service", "Google", "areacode", "415"), want: noNumbers, golden: "ltr_error_no_numbers"},
		{name: "ltr_rent no numbers in state", as: "a", kv: rent("service", "Google", "state", "CA"), want: noNumbers},
		{name: "ltr_rent no 3-day numbers in area", as: "a", kv: rent("service", "Google", "duration", "3", "areacode", "212"), want: noNumbers},
		{name: "ltr_rent mdn of another's rental", as: "a", kv: rent("service", "Google", "mdn", "12125550004"), want: notAvail, golden: "ltr_error_mdn_not_available"},
		{name: "ltr_rent mdn unknown", as: "a", kv: rent("service", "Google", "mdn", "13055550000"), want: notAvail},
		{name: "ltr_rent mdn not for 3 days", as: "a", kv: rent("service", "Google", "duration", "3", "mdn", "12125550006"), want: notAvail},
		{name: "ltr_rent mdn kept for its renter", as: "other", kv: rent("service", "Google", "mdn", "12125550001"), want: notAvail},
		{name: "ltr_rent mdn held by an Unlimited rental", as: "other", kv: rent("service", "Amazon", "mdn", "12125550003"), want: notAvail},

		// Naming a rental, beyond the per-command loop below.
		{name: "ltr_status ltr_id beats mdn", as: "a", kv: cmd("ltr_status", "ltr_id", "abc", "mdn", "12125550000", "service", "Google"), want: invalidID},
		{name: "ltr_status empty ltr_id, foreign id", as: "a", kv: cmd("ltr_status", "ltr_id", "", "id", "6"), want: invalidID},
		{name: "ltr_status by mdn of another's rental", as: "a", kv: cmd("ltr_status", "mdn", "12125550004", "service", "Google"), want: noRental, golden: "ltr_error_no_rental"},
		{name: "ltr_status mdn in another notation", as: "a", kv: cmd("ltr_status", "mdn", "(212) 555-0006", "service", "Google"), want: noRental},
		{name: "ltr_status ended by mdn", as: "a", kv: cmd("ltr_status", "mdn", "12125550001", "service", "google"), want: ended},

		// Ended rental 2.
		{name: "ltr_status ended", as: "a", kv: cmd("ltr_status", "ltr_id", "2"), want: ended, golden: "ltr_error_rental_ended"},
		{name: "ltr_activate ended", as: "a", kv: cmd("ltr_activate", "ltr_id", "2"), want: ended},
		{name: "ltr_release ended", as: "a", kv: cmd("ltr_release", "id", "2"), want: ended},
		{name: "ltr_forward ended", as: "a", kv: cmd("ltr_forward", "ltr_id", "2", "destination", "13105551234"), want: ended},
		{name: "ltr_forward off ended", as: "a", kv: cmd("ltr_forward", "ltr_id", "2", "destination", ""), want: ended},
		{name: "ltr_report ended", as: "a", kv: cmd("ltr_report", "ltr_id", "2"), want: ended},
		{name: "ltr_switch_service ended", as: "a", kv: cmd("ltr_switch_service", "ltr_id", "2", "new_service", "Amazon"), want: ended},
		{name: "ltr_autorenew set on ended", as: "a", kv: cmd("ltr_autorenew", "ltr_id", "2", "autorenew", "true"), want: "Unable to change auto renew status", golden: "ltr_error_autorenew_ended"},
		{name: "ltr_autorenew unset on ended", as: "a", kv: cmd("ltr_autorenew", "mdn", "12125550001", "service", "Google", "autorenew", "false"), want: "Unable to change auto renew status"},
		{name: "ltr_autorenew bad value", as: "a", kv: cmd("ltr_autorenew", "ltr_id", "1", "autorenew", "maybe"), want: "Invalid autorenew: must be true or false"},

		// Reports.
		{name: "ltr_report twice", as: "a", kv: cmd("ltr_report", "ltr_id", "3"), want: "Already reported", golden: "ltr_error_already_reported"},
		{name: "ltr_report twice by mdn", as: "a", kv: cmd("ltr_report", "mdn", "12125550002", "service", "Google"), want: "Already reported"},
		{name: "ltr_reported_status none", as: "a", kv: cmd("ltr_reported_status", "ltr_id", "1"), want: "No report for this MDN", golden: "ltr_error_no_report"},
		{name: "ltr_reported_status none on ended", as: "a", kv: cmd("ltr_reported_status", "ltr_id", "2"), want: "No report for this MDN"},

		// ltr_switch_service.
		{name: "ltr_switch_service Google rental", as: "a", kv: cmd("ltr_switch_service", "ltr_id", "1", "new_service", "Amazon"), want: "Only rentals of the Unknown or Unlimited service can switch service", golden: "ltr_error_not_switchable"},
		{name: "ltr_switch_service Google rental by mdn", as: "a", kv: cmd("ltr_switch_service", "mdn", "13125550000", "service", "Google", "new_service", "Amazon"), want: "Only rentals of the Unknown or Unlimited service can switch service"},
		{name: "ltr_switch_service missing new_service", as: "a", kv: cmd("ltr_switch_service", "mdn", "12125550003", "service", "Unlimited"), want: "Missing parameter: new_service", golden: "ltr_error_missing_new_service"},
		{name: "ltr_switch_service missing new_service by id", as: "a", kv: cmd("ltr_switch_service", "ltr_id", "4"), want: "Missing parameter: new_service"},
		{name: "ltr_switch_service blank new_service", as: "a", kv: cmd("ltr_switch_service", "ltr_id", "4", "new_service", " "), want: "Missing parameter: new_service"},
		{name: "ltr_switch_service to Unlimited", as: "a", kv: cmd("ltr_switch_service", "ltr_id", "4", "new_service", "unlimited"), want: "Invalid new_service: cannot switch to Unlimited", golden: "ltr_error_switch_to_unlimited"},
		{name: "ltr_switch_service Unknown to Unlimited", as: "thin", kv: cmd("ltr_switch_service", "ltr_id", "7", "new_service", "Unlimited"), want: "Invalid new_service: cannot switch to Unlimited"},
		{name: "ltr_switch_service unknown new_service", as: "a", kv: cmd("ltr_switch_service", "ltr_id", "4", "new_service", "Goooooogle"), want: "Invalid service name Goooooogle"},
		{name: "ltr_switch_service burnt by another", as: "a", kv: cmd("ltr_switch_service", "ltr_id", "4", "new_service", "Amazon"), want: "The MDN is not available for this service", golden: "ltr_error_not_fresh"},
		{name: "ltr_switch_service burnt by another, by mdn", as: "a", kv: cmd("ltr_switch_service", "mdn", "12125550003", "service", "Unlimited", "new_service", "amazon"), want: "The MDN is not available for this service"},
		{name: "ltr_switch_service difference not covered", as: "thin", kv: cmd("ltr_switch_service", "ltr_id", "7", "new_service", "Google"), want: "Insufficient funds. Your balance is $0.00"},

		// ltr_forward.
		{name: "ltr_forward not supported", as: "a", kv: cmd("ltr_forward", "ltr_id", "5", "destination", "13105551234"), want: "Call forwarding is not supported for this MDN", golden: "ltr_error_forward_unsupported"},
		{name: "ltr_forward off not supported", as: "a", kv: cmd("ltr_forward", "mdn", "13125550000", "service", "Google", "destination", ""), want: "Call forwarding is not supported for this MDN"},
		{name: "ltr_forward missing destination", as: "a", kv: cmd("ltr_forward", "ltr_id", "1"), want: "Missing parameter: destination", golden: "ltr_error_missing_destination"},
		{name: "ltr_forward destination 123", as: "a", kv: cmd("ltr_forward", "ltr_id", "1", "destination", "123"), want: badDest, golden: "ltr_error_destination"},
		{name: "ltr_forward destination letters", as: "a", kv: cmd("ltr_forward", "ltr_id", "1", "destination", "call me"), want: badDest},
		{name: "ltr_forward destination not US", as: "a", kv: cmd("ltr_forward", "ltr_id", "1", "destination", "+44 20 7946 0958"), want: badDest},
		{name: "ltr_forward destination huge", as: "a", kv: cmd("ltr_forward", "ltr_id", "1", "destination", hugeDigit), want: badDest},

		// read_sms with ltr_id.
		{name: "read_sms ltr_id no messages", as: "a", kv: cmd("read_sms", "ltr_id", "1"), want: "No messages"},
		{name: "read_sms ltr_id Unknown no messages", as: "a", kv: cmd("read_sms", "ltr_id", "4", "service", "Unknown"), want: "No messages"},
		{name: "read_sms ltr_id unknown service", as: "a", kv: cmd("read_sms", "ltr_id", "4", "service", "Goooooogle"), want: "Invalid service name Goooooogle"},
	}
	for _, id := range []string{"6", "8", "999", "abc", "-1", "0", "1.5", "99999999999999999999", "-9223372036854775808", hugeDigit} {
		g := ""
		if id == "6" {
			g = "ltr_error_invalid_rental_id"
		}
		name := id
		if len(name) > 24 {
			name = "huge"
		}
		cases = append(cases,
			errCase{name: "ltr_status ltr_id " + name, as: "a", kv: cmd("ltr_status", "ltr_id", id), want: invalidID, golden: g},
			errCase{name: "ltr_status id " + name, as: "a", kv: cmd("ltr_status", "id", id), want: invalidID},
			errCase{name: "read_sms ltr_id " + name, as: "a", kv: cmd("read_sms", "ltr_id", id), want: invalidID})
	}
	for _, c := range ltrRefCommands {
		with := func(kv ...string) []string { return append(cmd(c.cmd, c.extra...), kv...) }
		cases = append(cases,
			errCase{name: c.cmd + " nothing named", as: "a", kv: with(), want: "Missing parameter: ltr_id"},
			// mdn alone names the caller's running rental of the number:
			// none for a free number, another's, or one whose rental ended.
			errCase{name: c.cmd + " only mdn, free number", as: "a", kv: with("mdn", "12125550006"), want: noRental},
			errCase{name: c.cmd + " only mdn, another's rental", as: "a", kv: with("mdn", "12125550004"), want: noRental},
			errCase{name: c.cmd + " only mdn, ended rental", as: "a", kv: with("mdn", "12125550001"), want: noRental},
			errCase{name: c.cmd + " only bad mdn", as: "a", kv: with("mdn", "555"), want: badMDN},
			errCase{name: c.cmd + " bad mdn", as: "a", kv: with("mdn", "555", "service", "Google"), want: badMDN},
			errCase{name: c.cmd + " unknown service", as: "a", kv: with("mdn", "12125550000", "service", "Goooooogle"), want: "Invalid service name Goooooogle"},
			errCase{name: c.cmd + " no rental for mdn", as: "a", kv: with("mdn", "12125550006", "service", "Google"), want: noRental},
			errCase{name: c.cmd + " no rental for service", as: "a", kv: with("mdn", "12125550000", "service", "Amazon"), want: noRental},
			errCase{name: c.cmd + " foreign ltr_id", as: "a", kv: with("ltr_id", "6"), want: invalidID},
			errCase{name: c.cmd + " foreign id", as: "a", kv: with("id", "6"), want: invalidID},
			errCase{name: c.cmd + " unknown ltr_id", as: "a", kv: with("ltr_id", "999"), want: invalidID},
			errCase{name: c.cmd + " ltr_id abc", as: "a", kv: with("ltr_id", "abc"), want: invalidID},
			errCase{name: c.cmd + " id -1", as: "a", kv: with("id", "-1"), want: invalidID},
			errCase{name: c.cmd + " huge ltr_id", as: "a", kv: with("ltr_id", hugeDigit), want: invalidID})
		// ltr_switch_service takes the new service from service when the
		// rental is named by id; otherwise service is the rental's.
		if c.cmd != "ltr_switch_service" {
			cases = append(cases, errCase{name: c.cmd + " only service", as: "a", kv: with("service", "Google"), want: "Missing parameter: mdn"})
		}
	}
	cases = append(cases, errCase{name: "ltr_switch_service only service", as: "a", kv: cmd("ltr_switch_service", "service", "Google"), want: "Missing parameter: mdn"})
	return cases
}

func TestErrorsLTRTable(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		f := newLTRErrFixture(t, e)
		srv := f.srv
		balances := map[string]int64{}
		for name, u := range f.users {
			balances[name] = e.Balance(t, u.id)
		}
		if balances["a"] != 100000-4*2000-6000 || balances["thin"] != 0 || balances["sixty"] != 6000 {
			t.Fatalf("fixture balances %v", balances)
		}
		for _, c := range ltrErrCases() {
			t.Run(c.name, func(t *testing.T) {
				before := ltrSnapshot(t, e)
				v := f.values(c)
				r := apiGet(t, srv, v)
				wantEnvelope(t, r, http.StatusOK, "error", c.want, c.prefix)
				if c.golden != "" {
					checkGolden(t, c.golden, r.body)
				}
				for _, alt := range []struct {
					how string
					r   apiResp
				}{
					{"GET /sims", httpDo(t, srv, http.MethodGet, "/sims/api_command.php?"+v.Encode(), "", nil)},
					{"POST urlencoded", apiPostForm(t, srv, "/api_command.php", v)},
					{"POST multipart", apiPostMultipart(t, srv, "/sims/api_command.php", v)},
				} {
					if alt.r.code != r.code || !bytes.Equal(alt.r.body, r.body) || alt.r.header.Get("Content-Type") != "application/json" {
						t.Errorf("%s: HTTP %d %s %q, GET gave HTTP %d %s", alt.how, alt.r.code, alt.r.header.Get("Content-Type"), alt.r.body, r.code, r.body)
					}
				}
				if after := ltrSnapshot(t, e); after != before {
					t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				e.CheckLedger(t)
				for name, u := range f.users {
					if b := e.Balance(t, u.id); b != balances[name] {
						t.Errorf("balance of %s: %d, want %d", name, b, balances[name])
					}
				}
			})
		}
		// The refusals were about what each case changed: the same user
		// rents, for 30 and 3 days and by reservation, once the input is right.
		a := f.as("a")
		a.ok(t, "ltr_rent", "service", "Google", "duration", "30")
		if r := a.ok(t, "ltr_rent", "service", "Google", "duration", "3"); !bytes.Contains(r.body, []byte(`"mdn":"16175550000"`)) {
			t.Errorf("3-day rental: %s", r.body)
		}
		a.ok(t, "ltr_rent", "service", "Unlimited", "reserve", "true")
		a.ok(t, "ltr_switch_service", "ltr_id", "4", "new_service", "Google")
		a.ok(t, "ltr_forward", "ltr_id", "1", "destination", "")
		e.CheckLedger(t)
	})
}
