package smsactivate_test

// Golden tests of every action's answers through the real HTTP handler, on
// SQLite and on PostgreSQL, with a fake clock.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/request"
)

func TestGoldenBalance(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		srv := e.Server(t)
		for _, b := range []struct {
			name  string
			cents int64
		}{{"balance", 1234}, {"balance_zero", 0}, {"balance_cents", 5}, {"balance_large", 12345678}} {
			c, _ := newClient(t, e, srv, b.cents)
			c.golden(t, b.name, "getBalance")
			// The balance with cashback is the balance: there is none.
			c.golden(t, b.name, "getBalanceAndCashBack")
		}
	})
}

func TestGoldenGetNumber(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Amazon", 50, 10*time.Minute)
		e.Numbers(t, apptest.Seq("212", 4)...)
		srv := e.Server(t)
		c, uid := newClient(t, e, srv, 1000)

		c.golden(t, "get_number", "getNumber", "service", "go")
		// The US by its number, and the price cap met exactly.
		c.golden(t, "get_number_us_max_price", "getNumber", "service", "GO", "country", "187", "maxPrice", "1.2")
		// V2: the protocol's JSON object; Amazon's lifetime is 10 minutes.
		c.golden(t, "get_number_v2", "getNumberV2", "service", "am", "country", "187", "maxPrice", "0.505",
			"operator", "any", "forward", "0", "phoneException", "7918")
		e.Clock.Advance(time.Minute)
		c.golden(t, "get_number_v2_later", "getNumberV2", "service", "go")
		c.golden(t, "balance_after_numbers", "getBalance")
		if b := e.Balance(t, uid); b != 1000-120-120-50-120 {
			t.Fatalf("balance %d", b)
		}
		var v2 map[string]any
		if err := json.Unmarshal([]byte(c.call(t, "getNumberV2", "service", "go")), &v2); err == nil {
			t.Fatalf("a fifth number from four: %v", v2)
		}
		// Nothing left: every number is held.
		c.golden(t, "no_numbers", "getNumber", "service", "go")
		c.golden(t, "no_numbers", "getNumberV2", "service", "am")
		e.CheckLedger(t)
	})
}

func TestGoldenStatus(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, apptest.Seq("212", 5)...)
		srv := e.Server(t)
		c, uid := newClient(t, e, srv, 1000)

		// Waiting, ready, the code, another code, complete.
		c.want(t, "ACCESS_NUMBER:10000001:12125550000", "getNumber", "service", "go")
		c.golden(t, "status_wait_code", "getStatus", "id", "10000001")
		c.golden(t, "set_ready", "setStatus", "id", "10000001", "status", "1")
		c.golden(t, "status_wait_code", "getStatus", "id", "10000001")
		e.Clock.Advance(5 * time.Second)
		deliver(t, e, "12125550000", "22000", "G-804036 is your Google verification code.")
		c.golden(t, "status_ok", "getStatus", "id", "10000001")
		c.golden(t, "set_retry", "setStatus", "id", "10000001", "status", "3")
		c.golden(t, "status_wait_retry", "getStatus", "id", "10000001")
		e.Clock.Advance(5 * time.Second)
		deliver(t, e, "12125550000", "22000", "G-222333 is your Google verification code.")
		c.golden(t, "status_ok_retry", "getStatus", "id", "10000001")
		// A later message without a code does not hide the code.
		deliver(t, e, "12125550000", "22000", "Welcome to Google.")
		c.golden(t, "status_ok_retry", "getStatus", "id", "10000001")
		c.golden(t, "set_complete", "setStatus", "id", "10000001", "status", "6")
		c.golden(t, "status_ok_retry", "getStatus", "id", "10000001")
		c.golden(t, "set_complete", "setStatus", "id", "10000001", "status", "6")
		// Completed: no cancel, no other code.
		c.golden(t, "bad_status", "setStatus", "id", "10000001", "status", "8")
		c.golden(t, "bad_status", "setStatus", "id", "10000001", "status", "3")
		c.golden(t, "bad_status", "setStatus", "id", "10000001", "status", "1")
		// Completion freed the number at once.
		if r, err := e.Requests.Get(ctx, uid, 10000001); err != nil || r.Open() || r.Status != request.StatusCompleted {
			t.Fatalf("completed request: %+v %v", r, err)
		}

		// Cancel with refund, twice; then it is cancelled.
		c.want(t, "ACCESS_NUMBER:10000002:12125550001", "getNumber", "service", "am")
		c.golden(t, "set_cancel", "setStatus", "id", "10000002", "status", "8")
		c.golden(t, "status_cancel", "getStatus", "id", "10000002")
		c.golden(t, "set_cancel", "setStatus", "id", "10000002", "status", "8")
		c.golden(t, "bad_status", "setStatus", "id", "10000002", "status", "6")
		// The first version's cancel.
		c.want(t, "ACCESS_NUMBER:10000003:12125550002", "getNumber", "service", "am")
		c.golden(t, "set_cancel", "setStatus", "id", "10000003", "status", "-1")

		// A message whose code is not recognised: its text, on one line.
		c.want(t, "ACCESS_NUMBER:10000004:12125550003", "getNumber", "service", "go")
		deliver(t, e, "12125550003", "22000", "Your sign-in\nlink: https://g.co/x?a=1")
		c.golden(t, "status_ok_text", "getStatus", "id", "10000004")

		// Timed out without a message: cancelled, refunded.
		c.want(t, "ACCESS_NUMBER:10000005:12125550004", "getNumber", "service", "go")
		e.Clock.Advance(901 * time.Second)
		for _, id := range []int64{10000004, 10000005} {
			if err := e.Requests.Expire(ctx, id, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		c.golden(t, "status_cancel", "getStatus", "id", "10000005")
		c.golden(t, "set_cancel", "setStatus", "id", "10000005", "status", "8")
		c.golden(t, "status_ok_text", "getStatus", "id", "10000004")
		if b := e.Balance(t, uid); b != 1000-120-120 {
			t.Fatalf("balance %d, want only the two completed requests charged", b)
		}
		e.CheckLedger(t)
	})
}

func TestGoldenActiveActivations(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Amazon", 50, 0)
		e.Service(t, "Yahoo", 30, 0)
		e.Numbers(t, apptest.Seq("212", 4)...)
		srv := e.Server(t)
		c, uid := newClient(t, e, srv, 1000)

		c.golden(t, "active_none", "getActiveActivations")
		c.want(t, "ACCESS_NUMBER:10000001:12125550000", "getNumber", "service", "go")
		e.Clock.Advance(time.Second)
		c.want(t, "ACCESS_NUMBER:10000002:12125550001", "getNumber", "service", "am")
		e.Clock.Advance(time.Second)
		c.want(t, "ACCESS_NUMBER:10000003:12125550002", "getNumber", "service", "mb")
		c.want(t, "ACCESS_NUMBER:10000004:12125550003", "getNumber", "service", "go")
		deliver(t, e, "12125550001", "262966", "Your Amazon OTP is 333333. Do not share it.")
		deliver(t, e, "12125550002", "92500", "Yahoo code: 445566")
		c.want(t, "ACCESS_RETRY_GET", "setStatus", "id", "10000003", "status", "3")
		c.want(t, "ACCESS_CANCEL", "setStatus", "id", "10000004", "status", "8")
		// A request made with api_command.php for a service without a code
		// is listed by its name; a premium bid without a number is not.
		classic := e.Service(t, "Craigslist Classic", 25, 0)
		e.Numbers(t, "13055550000")
		if _, err := e.Requests.Create(ctx, request.Ask{UserID: uid, Services: []catalog.Service{classic}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Requests.Create(ctx, request.Ask{UserID: uid, Services: []catalog.Service{classic}, Markup: 20}); err != nil {
			t.Fatal(err)
		}
		c.golden(t, "active_list", "getActiveActivations")
	})
}

func TestGoldenPrices(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Amazon", 50, 0)
		e.Service(t, "WhatsApp", 75, 0)
		e.Service(t, "Other", 10, 0)
		e.Numbers(t, apptest.Seq("212", 3)...)
		srv := e.Server(t)
		c, _ := newClient(t, e, srv, 1000)
		// Burn a number for Google: 2 left for it, 3 for the others.
		c.want(t, "ACCESS_NUMBER:10000001:12125550000", "getNumber", "service", "go")
		deliver(t, e, "12125550000", "22000", "G-804036 is your Google verification code.")
		c.want(t, "ACCESS_ACTIVATION", "setStatus", "id", "10000001", "status", "6")
		// The operator maps ot to Other and turns wa off.
		if err := e.Catalog.SetServiceCode(ctx, "ot", "Other"); err != nil {
			t.Fatal(err)
		}
		if err := e.Catalog.SetServiceCode(ctx, "wa", ""); err != nil {
			t.Fatal(err)
		}
		if err := e.Catalog.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		c.golden(t, "prices_all", "getPrices")
		c.golden(t, "prices_all", "getPrices", "country", "187")
		c.golden(t, "prices_one", "getPrices", "service", "go", "country", "187")
		c.golden(t, "prices_other_country", "getPrices", "country", "0")
		c.golden(t, "prices_other_country", "getPrices", "service", "go", "country", "12")
		c.golden(t, "numbers_status", "getNumbersStatus")
		c.golden(t, "numbers_status", "getNumbersStatus", "country", "187", "operator", "any")
		c.golden(t, "numbers_status_one", "getNumbersStatus", "service", "ot")
		c.golden(t, "prices_other_country", "getNumbersStatus", "country", "6")
	})
}

// Both protocols see the same requests, balances and messages: created with
// one, read and cancelled with the other.
func TestBothProtocols(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		e.Service(t, "Google", 120, 0)
		e.Numbers(t, apptest.Seq("212", 3)...)
		srv := e.Server(t)
		u, key := e.User(t, 1000)
		sa := client{srv: srv, key: key}
		api := func(cmd string, kv ...string) string {
			t.Helper()
			v := url.Values{"cmd": {cmd}, "user": {u.Username}, "api_key": {key}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			r := do(t, srv, http.MethodGet, "/api_command.php?"+v.Encode(), "", nil)
			return string(r.body)
		}
		apiOK := func(want, cmd string, kv ...string) {
			t.Helper()
			if got := api(cmd, kv...); got != want+"\n" {
				t.Fatalf("%s %v: %s, want %s", cmd, kv, got, want)
			}
		}

		// Made by SMS-Activate, seen, read and rejected by api_command.php.
		sa.want(t, "ACCESS_NUMBER:10000001:12125550000", "getNumber", "service", "go")
		apiOK(`{"status":"ok","message":[{"id":"10000001","mdn":"12125550000","service":"Google","status":"Reserved","state":"","markup":0,"carrier":"TMobile","till_expiration":900}]}`,
			"request_status", "id", "10000001")
		apiOK(`{"status":"ok","message":"8.80"}`, "balance")
		apiOK(`{"status":"ok","message":"MDN has been rejected"}`, "reject", "id", "10000001")
		sa.want(t, "STATUS_CANCEL", "getStatus", "id", "10000001")
		sa.want(t, "ACCESS_BALANCE:10.00", "getBalance")

		// Made by api_command.php, its code read and the request completed
		// with SMS-Activate.
		if got := api("request", "service", "Google"); got != `{"status":"ok","message":[{"id":"10000002","mdn":"12125550001","service":"Google","status":"Reserved","state":"","markup":0,"price":1.20,"carrier":"TMobile","till_expiration":900}]}`+"\n" {
			t.Fatalf("request: %s", got)
		}
		sa.want(t, "ACCESS_BALANCE:8.80", "getBalance")
		sa.want(t, "STATUS_WAIT_CODE", "getStatus", "id", "10000002")
		deliver(t, e, "12125550001", "22000", "G-804036 is your Google verification code.")
		sa.want(t, "STATUS_OK:G-804036", "getStatus", "id", "10000002")
		apiOK(`{"status":"ok","message":[{"timestamp":"1600108956","date_time":"2020-09-14 14:42:36 EDT","from":"22000","to":"12125550001","service":"Google","price":1.20,"reply":"G-804036 is your Google verification code.","pin":"G-804036"}]}`,
			"read_sms", "id", "10000002")
		sa.want(t, "ACCESS_ACTIVATION", "setStatus", "id", "10000002", "status", "6")
		apiOK(`{"status":"ok","message":[{"id":"10000002","mdn":"12125550001","service":"Google","status":"Completed","state":"","markup":0,"carrier":"TMobile","till_expiration":0}]}`,
			"request_status", "id", "10000002")

		// Made by api_command.php, cancelled with refund by SMS-Activate.
		api("request", "service", "Google") // 10000003
		sa.want(t, "ACCESS_CANCEL", "setStatus", "id", "10000003", "status", "8")
		apiOK(`{"status":"error","message":"Unable to reject an MDN with status Rejected"}`, "reject", "id", "10000003")
		sa.want(t, "ACCESS_BALANCE:8.80", "getBalance")
		apiOK(`{"status":"ok","message":"8.80"}`, "balance")
		e.CheckLedger(t)
	})
}
