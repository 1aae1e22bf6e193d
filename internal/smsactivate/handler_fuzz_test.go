package smsactivate_test

// A fuzz target of handler_api.php's decoding, validation and actions:
// fuzzed methods, query strings, content types and bodies go through the
// app's real HTTP handler on a SQLite database built once per fuzzing
// process, and an optional SMS is delivered first to the number of the
// newest open activation, or of a new one made for it. Seeds: f.Add below and
// testdata/fuzz/FuzzHandlerAPI/; docs/fuzzing.md says how to run it longer.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/config"
	"mdnhub/internal/message"
	"mdnhub/internal/money"
	"mdnhub/internal/request"
)

// Placeholders in fuzzed queries and bodies: {key} is the fuzzing account's
// API key, so that the fuzzer gets past authentication, and {id} the id of
// its newest activation (open, else the last one it was given), so that the
// status actions reach a real activation.
const (
	phKey = "{key}"
	phID  = "{id}"
)

// fuzzKeepOpen is how many activations stay open between inputs: older ones
// are cancelled (or completed, once they have a message) so that the
// numbers come back and getNumber keeps reaching past NO_NUMBERS.
const fuzzKeepOpen = 4

// fuzzRenewEvery is how many inputs one account and its numbers serve.
const fuzzRenewEvery = 64

// The protocol's plain-text answers: the bare words, and the ones that carry
// a value.
var (
	fuzzWords = map[string]bool{
		"BAD_ACTION": true, "BAD_KEY": true, "BAD_SERVICE": true, "BAD_STATUS": true, "BAD_COUNTRY": true,
		"BAD_FORWARD": true, "NO_NUMBERS": true, "NO_BALANCE": true, "NO_ACTIVATION": true, "ERROR_SQL": true,
		"ACCESS_READY": true, "ACCESS_RETRY_GET": true, "ACCESS_ACTIVATION": true, "ACCESS_CANCEL": true,
		"STATUS_WAIT_CODE": true, "STATUS_CANCEL": true,
	}
	fuzzMoney    = `(0|[1-9][0-9]*)\.[0-9]{2}`
	fuzzBalance  = regexp.MustCompile(`^ACCESS_BALANCE:(` + fuzzMoney + `)$`)
	fuzzNumber   = regexp.MustCompile(`^ACCESS_NUMBER:([1-9][0-9]*):(1[0-9]{10})$`)
	fuzzMaxPrice = regexp.MustCompile(`^WRONG_MAX_PRICE:` + fuzzMoney + `$`)
	fuzzCode     = regexp.MustCompile(`^STATUS_(OK|WAIT_RETRY):(.*)$`)
)

// FuzzHandlerAPI: whatever the method, path alias, query string, content
// type, body and the SMS delivered before the call, the handler never
// panics and answers HTTP 200 for GET and POST, 405 BAD_ACTION for other
// methods (rate limits are off, so never 429, and never a 5xx). A text
// answer (text/plain; charset=utf-8) is one of the protocol's words, or
// ACCESS_BALANCE:<dollars> equal to the account's balance,
// ACCESS_NUMBER:<id>:<11 digits> of an activation of the account,
// WRONG_MAX_PRICE:<dollars>, STATUS_OK:<code> or STATUS_WAIT_RETRY:<code>
// with a code, on one line; a JSON answer (application/json) is one object
// of getNumberV2, getPrices, getNumbersStatus or getActiveActivations.
// ERROR_SQL comes only from a call that ran out of time. Money: the balance
// never goes negative, moves only by the price of a number it was given
// (down) or of an activation cancelled (up), and still equals its ledger.
func FuzzHandlerAPI(f *testing.F) {
	auth := "api_key=" + phKey
	form := "application/x-www-form-urlencoded"
	seedGet := func(q, sms string) { f.Add(uint8(0), false, q, "", []byte(nil), sms, false) }
	seedPost := func(q, ct, body string) { f.Add(uint8(1), false, q, ct, []byte(body), "", false) }
	for _, q := range []string{
		"action=getBalance&" + auth,
		"action=getBalanceAndCashBack&" + auth,
		"action=getNumber&service=go&" + auth,
		"action=getNumber&service=am&country=187&maxPrice=0.5&forward=0&operator=any&" + auth,
		"action=getNumber&service=go&maxPrice=0.99&" + auth,
		"action=getNumber&service=go&maxPrice=1e308&" + auth,
		"action=getNumber&service=go&maxPrice=NaN&" + auth,
		"action=getNumber&service=go&country=12&" + auth,
		"action=getNumber&service=go&country=-1&" + auth,
		"action=getNumber&service=go&forward=1&" + auth,
		"action=getNumber&service=zz&" + auth,
		"action=getNumber&" + auth,
		"action=getNumberV2&service=go&" + auth,
		"action=getNumberV2&service=am&country=187&maxPrice=1&phoneException=7918&" + auth,
		"action=getStatus&id=" + phID + "&" + auth,
		"action=getStatus&id=10000001&" + auth,
		"action=getStatus&id=0&" + auth,
		"action=getStatus&id=99999999999999999999&" + auth,
		"action=getStatus&" + auth,
		"action=setStatus&id=" + phID + "&status=1&" + auth,
		"action=setStatus&id=" + phID + "&status=3&" + auth,
		"action=setStatus&id=" + phID + "&status=6&" + auth,
		"action=setStatus&id=" + phID + "&status=8&" + auth,
		"action=setStatus&id=" + phID + "&status=-1&" + auth,
		"action=setStatus&id=" + phID + "&status=2&" + auth,
		"action=setStatus&id=" + phID + "&status=x&" + auth,
		"action=setStatus&id=" + phID + "&" + auth,
		"action=setStatus&status=8&" + auth,
		"action=getPrices&" + auth,
		"action=getPrices&service=go&country=187&" + auth,
		"action=getPrices&country=0&" + auth,
		"action=getPrices&service=nope&" + auth,
		"action=getNumbersStatus&" + auth,
		"action=getNumbersStatus&service=am&country=187&" + auth,
		"action=getNumbersStatus&country=x&" + auth,
		"action=getActiveActivations&" + auth,
		"action=getFullSms&id=" + phID + "&" + auth,
		"action=GETBALANCE&" + auth,
		"action=getBalance",
		"action=getBalance&api_key=",
		"action=getBalance&api_key=wrong",
		"action=getBalance&api_key=" + strings.Repeat("k", 300),
		"api_key=" + phKey,
		"",
		"action=getBalance&" + auth + "&action=getNumber",
		"action=getNumber&service=%zz&" + auth,
		"action=%20getBalance%20&api_key=%20" + phKey + "%20",
	} {
		seedGet(q, "")
	}
	// The states after an SMS: the code, another code asked, complete.
	seedGet("action=getStatus&id="+phID+"&"+auth, "G-804036 is your Google verification code.")
	seedGet("action=setStatus&id="+phID+"&status=3&"+auth, "Your code is 5566")
	seedGet("action=getActiveActivations&"+auth, "no code here\r\nat all")
	seedGet("action=setStatus&id="+phID+"&status=6&"+auth, "1234")
	seedPost("", form, "action=getBalance&"+auth)
	seedPost("action=getNumber", form, "service=go&"+auth)
	seedPost("action=getStatus&id="+phID+"&"+auth, "", "")
	seedPost("", form+"; charset=utf-8", "action=getPrices&"+auth)
	seedPost("", "multipart/form-data; boundary=xyz",
		"--xyz\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ngetBalance\r\n--xyz\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n"+phKey+"\r\n--xyz--\r\n")
	seedPost("", "multipart/form-data", "--xyz\r\n")
	seedPost("", form, "action=getBalance&"+auth+"&x=%")
	seedPost("", "application/json", `{"action":"getBalance","api_key":"`+phKey+`"}`)
	seedPost("", form, strings.Repeat("a=1&", 600))
	f.Add(uint8(2), false, "action=getBalance&"+auth, "", []byte(nil), "", false)
	f.Add(uint8(0), true, "action=getBalance&"+auth, "", []byte(nil), "", false)
	// An SMS to a new activation, then the state it gives.
	f.Add(uint8(0), false, "action=getStatus&id="+phID+"&"+auth, "", []byte(nil), "Your code is 5566", true)
	f.Add(uint8(0), false, "action=getActiveActivations&"+auth, "", []byte(nil), "no code at all", true)

	e := apptest.New(f, "sqlite", func(c *config.Config) {
		// The limits are tested on their own; here they would only turn
		// most inputs into 429 after a minute.
		c.API.RateLimit, c.API.AuthFailures = 0, 0
		c.HTTP.MaxBodyBytes = 2048
	})
	google := e.Service(f, "Google", 100, 0)
	e.Service(f, "Amazon", 50, 0)
	e.Numbers(f, apptest.Seq("212", 8)...)
	if err := e.Catalog.Refresh(ctx); err != nil {
		f.Fatal(err)
	}
	u, key := e.User(f, 1_000_000_000)
	h := e.Handler()
	lastID := int64(10000001)
	inputs, batch := 0, 0

	f.Fuzz(func(t *testing.T, method uint8, alias bool, query, contentType string, body []byte, sms string, fresh bool) {
		// A cancelled number is never offered to its user again, and one
		// that received an SMS never again for its service: every
		// fuzzRenewEvery inputs, a new account and new numbers, so that
		// getNumber keeps reaching past NO_NUMBERS.
		if inputs++; inputs%fuzzRenewEvery == 0 {
			batch++
			u, key = e.User(t, 1_000_000_000)
			mdns := make([]string, 8)
			for i := range mdns {
				mdns[i] = fmt.Sprintf("1%03d555%04d", 301+batch/1000, batch%1000*8+i)
			}
			e.Numbers(t, mdns...)
		}
		open, err := e.Requests.Open(ctx, u.ID) // newest first
		if err != nil {
			t.Fatal(err)
		}
		if fresh {
			// The SMS (empty ones too) goes to a new activation, the
			// first message it gets, whatever the earlier inputs left.
			rs, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{google}})
			t.Logf("a new activation for the SMS: %v", err)
			if err == nil {
				open = append(rs, open...)
			}
		}
		if len(open) > 0 {
			lastID = open[0].ID
			if (sms != "" || fresh) && open[0].MDN != "" {
				_, err := e.Messages.Deliver(ctx, message.Inbound{To: open[0].MDN, From: "22000", Text: sms, Gateway: "sim"})
				t.Logf("SMS %q to %s: %v", sms, open[0].MDN, err)
			}
		}
		before := e.Balance(t, u.ID)

		fill := strings.NewReplacer(phKey, key, phID, strconv.FormatInt(lastID, 10))
		target := path
		if alias {
			target = strings.TrimSuffix(path, ".php")
		}
		r, cancel := apptest.FuzzRequest(ctx, method, target, fill.Replace(query), contentType, []byte(fill.Replace(string(body))))
		defer cancel()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		answer := w.Body.String()
		t.Logf("%s %s?%s: HTTP %d %s", r.Method, target, r.URL.RawQuery, w.Code, answer)

		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodPost:
			if w.Code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", w.Code, answer)
			}
		case w.Code != http.StatusMethodNotAllowed || answer != "BAD_ACTION":
			t.Fatalf("%s: HTTP %d: %s", r.Method, w.Code, answer)
		}

		after := e.Balance(t, u.ID)
		if after < 0 {
			t.Fatalf("balance %d", after)
		}
		charged := before - after // what the call took; negative for a refund
		var price int64           // the price of the number the call gave, if any
		switch ct := w.Header().Get("Content-Type"); ct {
		case "application/json":
			price = checkJSONAnswer(t, w.Body.Bytes())
		case "text/plain; charset=utf-8":
			if !utf8.ValidString(answer) || strings.ContainsAny(answer, "\r\n") {
				t.Fatalf("answer %q is not one line of text", answer)
			}
			switch m := fuzzNumber.FindStringSubmatch(answer); {
			case fuzzWords[answer]:
				if answer == "ERROR_SQL" && r.Context().Err() == nil {
					t.Fatalf("ERROR_SQL from a call that had time left: %s?%s", target, r.URL.RawQuery)
				}
				if answer == "ACCESS_CANCEL" && charged < 0 {
					// A cancel refunds one activation of the account at
					// most, or nothing when it was cancelled already.
					if -charged != 100 && -charged != 50 {
						t.Fatalf("a cancel refunded %d cents", -charged)
					}
					charged = 0
				}
			case m != nil:
				id, _ := strconv.ParseInt(m[1], 10, 64)
				got, err := e.Requests.Get(ctx, u.ID, id)
				if err != nil || got.MDN != m[2] || !got.Open() {
					t.Fatalf("%s: the account's activation is %+v (%v)", answer, got, err)
				}
				price = got.PriceCents
			case fuzzBalance.MatchString(answer):
				if want := "ACCESS_BALANCE:" + money.Text(after); answer != want {
					t.Fatalf("%s, want %s", answer, want)
				}
			case fuzzMaxPrice.MatchString(answer):
			case fuzzCode.MatchString(answer):
				if fuzzCode.FindStringSubmatch(answer)[2] == "" {
					t.Fatalf("%s without a code", answer)
				}
			default:
				t.Fatalf("answer %q is none of the protocol's", answer)
			}
		default:
			t.Fatalf("Content-Type %q: %s", ct, answer)
		}
		if charged != price {
			t.Fatalf("the call took %d cents, for a number of %d", charged, price)
		}
		e.CheckLedger(t)

		// Back to at most fuzzKeepOpen open activations.
		open, err = e.Requests.Open(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, old := range open[min(fuzzKeepOpen, len(open)):] {
			err := e.Requests.Reject(ctx, u.ID, old.ID)
			if errors.Is(err, request.ErrHasMessages) {
				_, err = e.Requests.Finish(ctx, u.ID, old.ID)
			}
			if err != nil {
				t.Fatalf("closing activation %d: %v", old.ID, err)
			}
		}
	})
}

// checkJSONAnswer checks a JSON answer: exactly one object, of one of the
// protocol's JSON actions. It returns the price of the number it gave
// (getNumberV2), in cents.
func checkJSONAnswer(t *testing.T, body []byte) (priceCents int64) {
	t.Helper()
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || dec.More() || obj == nil {
		t.Fatalf("answer %q is not one JSON object (%v)", body, err)
	}
	switch {
	case obj["activationId"] != nil: // getNumberV2
		var v2 struct {
			ActivationID   int64       `json:"activationId"`
			PhoneNumber    string      `json:"phoneNumber"`
			ActivationCost json.Number `json:"activationCost"`
			Currency       int         `json:"currency"`
		}
		if err := json.Unmarshal(body, &v2); err != nil || v2.ActivationID <= 0 || v2.Currency != 840 ||
			!regexp.MustCompile(`^1[0-9]{10}$`).MatchString(v2.PhoneNumber) {
			t.Fatalf("getNumberV2 answer %s (%v)", body, err)
		}
		cost, err := money.Parse(v2.ActivationCost.String())
		if err != nil || cost <= 0 {
			t.Fatalf("getNumberV2 cost %s (%v)", v2.ActivationCost, err)
		}
		return cost
	case obj["status"] != nil: // getActiveActivations
		var list struct {
			Status            string `json:"status"`
			ActiveActivations []struct {
				ActivationID string  `json:"activationId"`
				PhoneNumber  string  `json:"phoneNumber"`
				SmsCode      *string `json:"smsCode"`
			} `json:"activeActivations"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("getActiveActivations answer %s: %v", body, err)
		}
		switch {
		case list.Status == "error" && list.Error == "NO_ACTIVATIONS" && len(list.ActiveActivations) == 0:
		case list.Status == "success" && list.Error == "" && len(list.ActiveActivations) > 0:
			for _, a := range list.ActiveActivations {
				if a.ActivationID == "" || a.PhoneNumber == "" || (a.SmsCode != nil && (*a.SmsCode == "" || strings.ContainsAny(*a.SmsCode, "\r\n"))) {
					t.Fatalf("getActiveActivations entry %+v", a)
				}
			}
		default:
			t.Fatalf("getActiveActivations answer %s", body)
		}
	case obj["187"] != nil: // getPrices
		var prices map[string]map[string]struct {
			Cost  json.Number `json:"cost"`
			Count *int64      `json:"count"`
		}
		if err := json.Unmarshal(body, &prices); err != nil || len(prices) != 1 {
			t.Fatalf("getPrices answer %s (%v)", body, err)
		}
		for code, p := range prices["187"] {
			if _, err := money.Parse(p.Cost.String()); err != nil || p.Count == nil || *p.Count < 0 || code == "" {
				t.Fatalf("getPrices entry %q: %s", code, body)
			}
		}
	default: // getNumbersStatus, or an empty listing (another country)
		var counts map[string]int64
		if err := json.Unmarshal(body, &counts); err != nil {
			t.Fatalf("getNumbersStatus answer %s: %v", body, err)
		}
		for k, n := range counts {
			if !strings.HasSuffix(k, "_0") || n < 0 {
				t.Fatalf("getNumbersStatus entry %q: %d", k, n)
			}
		}
	}
	return 0
}
