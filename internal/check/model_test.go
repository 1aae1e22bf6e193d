package check_test

// The randomised model test: simulated users call every API command, valid
// and not, while SMS arrive for random numbers through the right or the
// wrong gateway with skewed gateway times, and the fake clock jumps (with
// the due jobs run). After every step no answer is a 5xx and every invariant
// holds. A run is seeded and reproducible: a failure prints the seed and a
// shortened sequence of steps that still fails.
//
//	MDNHUB_MODEL_SEED=123 MDNHUB_MODEL_STEPS=2000 go test ./internal/check -run Model

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/check"
	"mdnhub/internal/config"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
)

func TestModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("MDNHUB_MODEL_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("MDNHUB_MODEL_SEED: %v", err)
		}
		seed = n
	}
	steps := 250
	if v := os.Getenv("MDNHUB_MODEL_STEPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("MDNHUB_MODEL_STEPS: %v", err)
		}
		steps = n
	}
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0))
			seq := make([]uint64, steps)
			for i := range seq {
				seq[i] = rng.Uint64()
			}
			res := runModel(t, driver, seq)
			if res.failure == "" {
				t.Logf("seed %d: %d steps, %d API calls (%d ok), %d SMS, %d clock jumps, %d jobs, %d invariant checks",
					seed, len(seq), res.calls, res.oks, res.sms, res.jumps, res.jobs, res.checks)
				return
			}
			short := shrink(t, driver, seq[:res.at+1])
			again := runModel(t, driver, short)
			t.Fatalf("seed %d (MDNHUB_MODEL_SEED=%d), %s: step %d of %d failed: %s\nshortest failing sequence found (%d steps):\n  %s",
				seed, seed, driver, res.at, len(seq), res.failure, len(short), strings.Join(again.log, "\n  "))
		})
	}
}

// shrink removes chunks of steps as long as the sequence still fails.
func shrink(t *testing.T, driver string, seq []uint64) []uint64 {
	budget := 40
	for chunk := len(seq) / 2; chunk >= 1 && budget > 0; chunk /= 2 {
		for start := 0; start+chunk <= len(seq) && budget > 0; {
			try := append(append([]uint64{}, seq[:start]...), seq[start+chunk:]...)
			budget--
			if len(try) > 0 && runModel(t, driver, try).failure != "" {
				seq = try
				continue
			}
			start += chunk
		}
	}
	return seq
}

// modelResult is what one run did.
type modelResult struct {
	failure                              string
	at                                   int
	log                                  []string
	calls, oks, sms, jumps, jobs, checks int
}

// world of the model: what the steps choose among.
type modelWorld struct {
	t        *testing.T
	e        *apptest.Env
	srv      *httptest.Server
	users    []modelUser
	mdns     []string          // every number, with its gateway
	gateways map[string]string // mdn → gateway
	requests []string          // request ids seen, any user's
	rentals  []string          // rental ids seen
	proxies  []string          // proxy rental ids seen
	res      *modelResult
}

type modelUser struct{ name, key string }

var modelServices = []string{"Google", "Amazon", "Unknown", "Unlimited", "google", "Google,Amazon", "Goooogle", ""}

func runModel(t *testing.T, driver string, seq []uint64) (res modelResult) {
	t.Helper()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer hook.Close()
	e := apptest.New(t, driver, func(c *config.Config) {
		c.Callbacks.AllowPrivate = true
		c.Callbacks.RetryInterval = time.Minute
		c.API.AuthFailures = 0
	})
	w := &modelWorld{t: t, e: e, srv: e.Server(t), gateways: map[string]string{}, res: &res}
	for _, s := range []struct {
		name  string
		cents int64
	}{{"Google", 120}, {"Amazon", 50}, {"Unknown", 25}, {"Unlimited", 300}} {
		e.Service(t, s.name, s.cents, 10*time.Minute)
	}
	var items []inventory.Import
	for i, m := range apptest.Seq("212", 8) {
		items = append(items, inventory.Import{MDN: m, Carrier: "TMobile", Gateway: "sim", ShortRental: i%3 == 0})
	}
	for _, m := range apptest.Seq("312", 3) {
		items = append(items, inventory.Import{MDN: m, Carrier: "ATT", Gateway: "push1"})
	}
	if _, err := e.Inventory.Put(ctx, items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		w.mdns = append(w.mdns, it.MDN)
		w.gateways[it.MDN] = it.Gateway
	}
	if err := e.Proxies.PutPort(ctx, proxy.Port{ID: "50001", Location: "NJ", Carrier: "Verizon", Capacity: 2,
		ExclusiveAllowed: true, Upstream: "direct", RedialTimeout: time.Minute, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	for i, cents := range []int64{100000, 2000, 150} {
		u, key := e.User(t, cents)
		if i < 2 {
			if _, err := e.Accounts.SetCallback(ctx, u.ID, hook.URL+"/cb", ""); err != nil {
				t.Fatal(err)
			}
		}
		w.users = append(w.users, modelUser{u.Username, key})
	}
	for i, s := range seq {
		res.at = i
		rng := rand.New(rand.NewPCG(s, 1))
		var desc, failure string
		switch p := rng.IntN(100); {
		case p < 70:
			desc, failure = w.call(rng)
		case p < 90:
			desc, failure = w.inbound(rng)
		default:
			desc, failure = w.jump(rng)
		}
		res.log = append(res.log, fmt.Sprintf("%3d %s", len(res.log), desc))
		if failure == "" {
			rep, err := check.Run(ctx, e.DB, check.Options{Now: e.Clock.Now(), SendGrace: message.SendGrace})
			res.checks++
			switch {
			case err != nil:
				failure = "check: " + err.Error()
			case !rep.OK():
				failure = rep.Err().Error()
			}
		}
		if failure != "" {
			res.failure = failure
			return res
		}
	}
	return res
}

// pick returns one of xs, or "" when there are none.
func pick(rng *rand.Rand, xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[rng.IntN(len(xs))]
}

// idOrJunk is a known id most of the time, else something else.
func idOrJunk(rng *rand.Rand, known []string) string {
	if rng.IntN(10) < 8 && len(known) > 0 {
		return pick(rng, known)
	}
	return pick(rng, []string{"", "0", "-1", "abc", "99999999", "1.5", strings.Repeat("9", 30)})
}

// call makes one API call: a random command of a random user, parameters
// from what the world knows, sometimes malformed.
func (w *modelWorld) call(rng *rand.Rand) (string, string) {
	u := w.users[rng.IntN(len(w.users))]
	v := url.Values{"user": {u.name}, "api_key": {u.key}}
	if rng.IntN(20) == 0 {
		v.Set("api_key", "wrong")
	}
	if rng.IntN(10) == 0 {
		v.Del("api_key")
		v.Set("pass", u.key)
	}
	mdn := func() string {
		if rng.IntN(10) == 0 {
			return pick(rng, []string{"555", "1212555abcd", ""})
		}
		return pick(rng, w.mdns)
	}
	set := func(k, val string) {
		if val != "" || rng.IntN(2) == 0 {
			v.Set(k, val)
		}
	}
	cmds := []string{"request", "request", "request", "request_status", "reject", "timeout", "read_sms", "read_sms", "send_sms",
		"list_services", "balance", "ltr_rent", "rent", "ltr_status", "ltr_activate", "ltr_release", "ltr_autorenew",
		"toggle_autorenew", "ltr_report", "ltr_reported_status", "ltr_switch_service", "ltr_forward",
		"proxy_list", "proxy_rent", "proxy_swap", "proxy_redial", "nonsense"}
	cmd := pick(rng, cmds)
	v.Set("cmd", cmd)
	switch cmd {
	case "request":
		set("service", pick(rng, modelServices))
		switch rng.IntN(6) {
		case 0:
			set("mdn", mdn())
		case 1:
			set("markup", pick(rng, []string{"10", "25", "500", "5", "x"}))
		case 2:
			set("areacode", pick(rng, []string{"212", "312", "415", "12"}))
		case 3:
			set("state", pick(rng, []string{"NY", "IL", "CA", "ZZ"}))
		}
	case "request_status", "reject", "timeout":
		set("id", idOrJunk(rng, w.requests))
	case "read_sms":
		switch rng.IntN(4) {
		case 0:
			set("id", idOrJunk(rng, w.requests))
		case 1:
			set("ltr_id", idOrJunk(rng, w.rentals))
		case 2:
			set("mdn", mdn())
		}
		if rng.IntN(3) == 0 {
			set("service", pick(rng, modelServices))
		}
	case "send_sms":
		if rng.IntN(2) == 0 {
			set("id", idOrJunk(rng, w.requests))
		} else {
			set("mdn", mdn())
		}
		if rng.IntN(2) == 0 {
			set("to", pick(rng, []string{"22000", "14155550100", "", strings.Repeat("1", 40)}))
		}
		set(pick(rng, []string{"sms", "text", "msg"}), pick(rng, []string{"hi", "", strings.Repeat("x", 161)}))
	case "list_services":
		if rng.IntN(2) == 0 {
			set("service", pick(rng, modelServices))
		}
	case "ltr_rent", "rent":
		set("service", pick(rng, modelServices))
		set("duration", pick(rng, []string{"30", "3", "7", ""}))
		if rng.IntN(3) == 0 {
			set("mdn", mdn())
		}
		if rng.IntN(4) == 0 {
			set("reserve", pick(rng, []string{"true", "false", "maybe"}))
		}
		if rng.IntN(4) == 0 {
			set("autorenew", "true")
		}
	case "ltr_status", "ltr_activate", "ltr_release", "ltr_autorenew", "toggle_autorenew", "ltr_report", "ltr_reported_status",
		"ltr_switch_service", "ltr_forward":
		switch rng.IntN(3) {
		case 0:
			set(pick(rng, []string{"ltr_id", "id"}), idOrJunk(rng, w.rentals))
		case 1:
			set("mdn", mdn())
		default:
			set("mdn", mdn())
			set("service", pick(rng, modelServices))
		}
		switch cmd {
		case "ltr_autorenew", "toggle_autorenew":
			if rng.IntN(2) == 0 {
				set("autorenew", pick(rng, []string{"true", "false", "2"}))
			}
		case "ltr_switch_service":
			set(pick(rng, []string{"new_service", "service"}), pick(rng, modelServices))
		case "ltr_forward":
			set("destination", pick(rng, []string{"13105551234", "", "123"}))
		}
	case "proxy_rent":
		set("service", pick(rng, []string{"Uber", "", "a,b"}))
		set("duration", pick(rng, []string{"60", "120", "30", "x"}))
		if rng.IntN(3) == 0 {
			set("exclusive", "true")
		}
		if rng.IntN(2) == 0 {
			set("port", pick(rng, []string{"50001", "40000"}))
		}
	case "proxy_swap", "proxy_redial":
		set("id", idOrJunk(rng, w.proxies))
	}
	post := rng.IntN(3) == 0
	desc := fmt.Sprintf("%s %s", map[bool]string{true: "POST", false: "GET"}[post], v.Encode())
	w.res.calls++
	var resp *http.Response
	var err error
	if post {
		resp, err = http.Post(w.srv.URL+"/api_command.php", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	} else {
		resp, err = http.Get(w.srv.URL + "/api_command.php?" + v.Encode())
	}
	if err != nil {
		return desc, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	desc += " → " + strings.TrimSpace(string(body))
	if len(desc) > 300 {
		desc = desc[:300] + "..."
	}
	if resp.StatusCode >= 500 || resp.Header.Get("Content-Type") != "application/json" {
		return desc, fmt.Sprintf("HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var env struct {
		Status  string          `json:"status"`
		Message json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil || (env.Status != "ok" && env.Status != "error") {
		return desc, "not the envelope"
	}
	if env.Status == "error" {
		var text string
		if json.Unmarshal(env.Message, &text) != nil || strings.HasPrefix(text, "Internal error") {
			return desc, "error answer " + string(env.Message)
		}
		return desc, ""
	}
	w.res.oks++
	w.remember(cmd, env.Message)
	return desc, ""
}

// remember keeps the ids an answer gave.
func (w *modelWorld) remember(cmd string, msg json.RawMessage) {
	var list []map[string]any
	var one map[string]any
	if json.Unmarshal(msg, &list) != nil {
		if json.Unmarshal(msg, &one) != nil {
			return
		}
		list = []map[string]any{one}
	}
	for _, m := range list {
		var id string
		switch x := m["id"].(type) {
		case string:
			id = x
		case float64:
			id = strconv.FormatInt(int64(x), 10)
		default:
			continue
		}
		switch cmd {
		case "request":
			w.requests = append(w.requests, id)
		case "ltr_rent", "rent":
			w.rentals = append(w.rentals, id)
		case "proxy_rent":
			w.proxies = append(w.proxies, id)
		}
	}
}

// inbound delivers an SMS to a random number, mostly through its own
// gateway, with a gateway time up to 15 minutes early or 5 minutes late.
func (w *modelWorld) inbound(rng *rand.Rand) (string, string) {
	to := pick(rng, w.mdns)
	gw := w.gateways[to]
	if rng.IntN(8) == 0 {
		gw = pick(rng, []string{"sim", "push1"})
	}
	in := message.Inbound{To: to, From: pick(rng, []string{"22000", "23383", "14155550100", "98765"}), Gateway: gw,
		Text: pick(rng, []string{"G-%06d is your Google verification code.", "Your Amazon OTP is %06d.", "hello %d", "Use code %06d for 30%% off"})}
	in.Text = fmt.Sprintf(in.Text, rng.IntN(1000000))
	if rng.IntN(2) == 0 {
		in.ReceivedAt = w.e.Clock.Now().Add(time.Duration(rng.IntN(20*60)-15*60) * time.Second)
	}
	if rng.IntN(5) == 0 {
		in.GatewayID = strconv.Itoa(rng.IntN(20))
	}
	desc := fmt.Sprintf("SMS via %s to %s from %s at %+ds: %q", gw, to, in.From, in.ReceivedAt.Sub(w.e.Clock.Now())/time.Second, in.Text)
	w.res.sms++
	d, err := w.e.Messages.Deliver(ctx, in)
	switch {
	case err != nil && gw != w.gateways[to]:
		return desc + " → refused", ""
	case err != nil:
		return desc, "delivery failed: " + err.Error()
	case d.Duplicate:
		return desc + " → a repeat of its gateway id, stored before", ""
	case gw != w.gateways[to]:
		return desc, "a gateway delivered to another gateway's number"
	}
	return fmt.Sprintf("%s → user %d request %d rental %d", desc, d.Message.UserID, d.Message.RequestID, d.Message.RentalID), ""
}

// jump moves the clock on and runs what became due, as River and its
// periodic jobs would.
func (w *modelWorld) jump(rng *rand.Rand) (string, string) {
	d := time.Duration(1+rng.IntN(40*60)) * time.Second
	if rng.IntN(10) == 0 {
		d = time.Duration(1+rng.IntN(40)) * 24 * time.Hour
	}
	w.e.Clock.Advance(d)
	w.res.jumps++
	n, err := w.e.Jobs.RunPending(ctx, w.e.Clock.Now())
	w.res.jobs += n
	if err != nil {
		return fmt.Sprintf("clock +%v", d), "jobs: " + err.Error()
	}
	if _, err := w.e.Requests.MatchWaiting(ctx); err != nil {
		return fmt.Sprintf("clock +%v", d), "match waiting: " + err.Error()
	}
	if _, err := w.e.Rentals.FillReservations(ctx); err != nil {
		return fmt.Sprintf("clock +%v", d), "fill reservations: " + err.Error()
	}
	return fmt.Sprintf("clock +%v, %d jobs run", d, n), ""
}
