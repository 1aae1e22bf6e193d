package config

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestFileThenEnv(t *testing.T) {
	c := Default()
	file := "# comment\ndb.driver = postgres\ndb.dsn = postgres://u:secret@h/db\ncompat.request_status_object = true\nrequests.default_lifetime = 20s\n"
	if err := c.load(strings.NewReader(file), "test.conf"); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MDNHUB_REQUESTS_MAX_OPEN": "5"}
	c.LoadEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.DB.Driver != "postgres" || !c.Compat.RequestStatusObject || c.Requests.MaxOpen != 5 || c.Requests.DefaultLifetime != 20*time.Second {
		t.Fatalf("unexpected config %+v", c)
	}
	var buf bytes.Buffer
	if err := c.Dump(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "secret") || !strings.Contains(buf.String(), "db.dsn = <redacted>") {
		t.Fatalf("dump leaks or misses the DSN:\n%s", buf.String())
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"nonsense", "f:1: expected key = value"},
		{"no.such = 1", `f:1: unknown setting "no.such"`},
		{"requests.max_open = many", "f:1: requests.max_open: \"many\" is not a whole number"},
		{"sim.enabled = maybe", "is not true or false"},
		{"sim.min_delay = 5", "is not a duration"},
		{"gateway.x = 1", "f:1: expected gateway.<name>.<setting>"},
	}
	for _, tc := range cases {
		c := Default()
		if err := c.load(strings.NewReader(tc.in), "f"); err != nil {
			t.Fatal(err)
		}
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	c := Default()
	c.DB.Driver = "mysql"
	c.Requests.MaxOpen = 0
	c.Log.Level = "loud"
	err := c.Validate()
	if err == nil {
		t.Fatal("expected errors")
	}
	for _, want := range []string{"db.driver", "requests.max_open", "log.level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %s in %v", want, err)
		}
	}
}

func TestGateways(t *testing.T) {
	c := Default()
	file := "gateway.sms1.kind = smpp\ngateway.sms1.addr = 127.0.0.1:2775\ngateway.sms1.password = hunter2\n"
	if err := c.load(strings.NewReader(file), "f"); err != nil {
		t.Fatal(err)
	}
	c.loadGatewayEnv([]string{"MDNHUB_GATEWAY__PUSH__KIND=httppush", "MDNHUB_GATEWAY__PUSH__TOKEN=abc", "PATH=/bin"})
	if c.Gateways["sms1"]["addr"] != "127.0.0.1:2775" || c.Gateways["push"]["token"] != "abc" {
		t.Fatalf("gateways %+v", c.Gateways)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	c.Dump(&buf)
	if strings.Contains(buf.String(), "hunter2") || strings.Contains(buf.String(), "= abc") ||
		!strings.Contains(buf.String(), "gateway.sms1.addr = 127.0.0.1:2775") {
		t.Fatalf("dump:\n%s", buf.String())
	}
	c.Gateways["bad"] = map[string]string{"kind": "carrier-pigeon"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "gateway.bad.kind") {
		t.Fatalf("bad kind: %v", err)
	}
	delete(c.Gateways, "bad")
	if err := c.load(strings.NewReader("gateway.Bad Name.kind = smpp"), "f"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `f:1: gateway name "bad name"`) {
		t.Fatalf("bad gateway name: %v", err)
	}
}
