package api_test

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/proxy"
)

// passRE finds the random proxy passwords, masked before golden comparison.
var passRE = regexp.MustCompile(`("proxy_pass":"|Pass: )[A-Za-z0-9]{15}`)

func maskPass(b []byte) []byte { return passRE.ReplaceAll(b, []byte("${1}PASSWORD")) }

func proxyPorts(t *testing.T, e *apptest.Env) {
	t.Helper()
	for _, p := range []proxy.Port{
		{ID: "50001", Location: "NJ", Carrier: "Verizon", RedialMinutes: 15, Capacity: 3, ExclusiveAllowed: true, Upstream: "direct", RedialAction: "true", RedialTimeout: time.Minute, Enabled: true},
		{ID: "50002", Location: "TX", Carrier: "T-Mobile", RedialMinutes: 10, Capacity: 2, ExclusiveAllowed: true, Upstream: "socks5://127.0.0.1:1080", RedialAction: "true", RedialTimeout: time.Minute, Enabled: true},
		{ID: "50003", Location: "CA", Carrier: "AT&T", RedialMinutes: 0, Capacity: 1, ExclusiveAllowed: false, Upstream: "http://127.0.0.1:3128", RedialTimeout: time.Minute, Enabled: true},
	} {
		if err := e.Proxies.PutPort(gctx, p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGoldenProxy(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		proxyPorts(t, e)
		srv := e.Server(t)
		a := namedClient(t, e, srv, "alice")
		b := namedClient(t, e, srv, "bob")
		c := namedClient(t, e, srv, "carol")
		a.golden(t, "proxy_list_empty", "proxy_list")
		r := a.call(t, "proxy_rent", "service", "Uber", "port", "50001", "duration", "120")
		checkGolden(t, "proxy_rent", maskPass(r.body))
		b.call(t, "proxy_rent", "service", "Ebay", "port", "50001", "duration", "60")
		x := b.call(t, "proxy_rent", "service", "Uber", "port", "50002", "duration", "1440", "exclusive", "true")
		checkGolden(t, "proxy_rent_exclusive_discount", maskPass(x.body))
		a.golden(t, "proxy_list_leased", "proxy_list")
		// Swap a's rental to the free port; same id, new user name and password.
		s := a.call(t, "proxy_swap", "id", "1", "port", "50003")
		checkGolden(t, "proxy_swap", maskPass(s.body))
		a.golden(t, "proxy_redial_not_exclusive", "proxy_redial", "id", "1")
		b.golden(t, "proxy_redial_ok", "proxy_redial", "proxy_user", mustProxyUser(t, x.body))
		c.golden(t, "proxy_rent_exclusive_taken", "proxy_rent", "service", "Uber", "port", "50001", "duration", "60", "exclusive", "true")
		c.golden(t, "proxy_rent_port_held_exclusively", "proxy_rent", "service", "Uber", "port", "50002", "duration", "60")
		b.golden(t, "proxy_rent_again", "proxy_rent", "service", "Uber", "port", "50001", "duration", "60")
		a.golden(t, "proxy_rent_short", "proxy_rent", "service", "Uber", "duration", "59")
		e.CheckLedger(t)
	})
}

// namedClient is a client of a user with a fixed name and $100, so golden
// files do not depend on the order users were created in.
func namedClient(t *testing.T, e *apptest.Env, srv *httptest.Server, name string) client {
	t.Helper()
	u, err := e.Accounts.Create(gctx, name, name+"@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accounts.Credit(gctx, u.ID, 10000, "test"); err != nil {
		t.Fatal(err)
	}
	key, err := e.Accounts.GenerateKey(gctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return client{srv: srv, user: name, key: key}
}

func mustProxyUser(t *testing.T, body []byte) string {
	t.Helper()
	var env struct {
		Message struct {
			ProxyUser string `json:"proxy_user"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Message.ProxyUser == "" {
		t.Fatalf("no proxy_user in %s", body)
	}
	return env.Message.ProxyUser
}

func TestProxyJSONTypes(t *testing.T) {
	e := apptest.New(t, "sqlite", nil)
	proxyPorts(t, e)
	srv := e.Server(t)
	c := newClient(t, e, srv, 10000)
	var list struct {
		Message []map[string]any `json:"message"`
	}
	json.Unmarshal(c.ok(t, "proxy_list").body, &list)
	if len(list.Message) != 3 {
		t.Fatalf("%d ports", len(list.Message))
	}
	for _, p := range list.Message {
		for _, k := range []string{"port", "location", "carrier", "redial_interval", "leases"} {
			if _, ok := p[k].(string); !ok {
				t.Errorf("%s is %T", k, p[k])
			}
		}
		if p["services"] != nil {
			t.Errorf("services %v, want null", p["services"])
		}
		for _, k := range []string{"is_exclusive", "renting_possible"} {
			if _, ok := p[k].(bool); !ok {
				t.Errorf("%s is %T", k, p[k])
			}
		}
	}
	var rent struct {
		Message map[string]any `json:"message"`
	}
	json.Unmarshal(c.ok(t, "proxy_rent", "service", "Uber", "duration", "60").body, &rent)
	m := rent.Message
	for _, k := range []string{"id", "port", "proxy_carrier", "proxy_user", "proxy_pass", "proxy_ip", "proxy_auth", "price"} {
		if _, ok := m[k].(string); !ok {
			t.Errorf("%s is %T", k, m[k])
		}
	}
	for _, k := range []string{"proxy_socks_port", "proxy_http_port"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("%s is %T", k, m[k])
		}
	}
}
