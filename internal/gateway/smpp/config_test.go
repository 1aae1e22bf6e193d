package smpp

import (
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	c, err := FromSettings("sms1", map[string]string{"kind": "smpp", "addr": "smsc.example:2775", "system_id": "esme", "password": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Split || c.EnquireLink != 30*time.Second || c.ReconnectMin != time.Second || c.ReconnectMax != time.Minute ||
		c.SubmitRate != 10 || c.SourceTON != 1 || c.DestNPI != 1 || c.ConcatTimeout != time.Minute ||
		c.Batch != 200 || c.BatchWait != 5*time.Millisecond || c.Name != "sms1" || c.SystemID != "esme" {
		t.Fatalf("defaults %+v", c)
	}
}

func TestConfigValues(t *testing.T) {
	c, err := FromSettings("sms1", map[string]string{
		"addr": "10.0.0.1:2775", "bind": "receiver+transmitter", "enquire_link": "10s",
		"reconnect_min": "200ms", "reconnect_max": "5s", "submit_rate": "2.5", "submit_timeout": "3s",
		"source_ton": "5", "source_npi": "0", "dest_ton": "0x02", "dest_npi": "9",
		"concat_timeout": "2m", "part_hold": "0", "batch": "50", "batch_wait": "0", "dedupe_window": "1h",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Split || c.EnquireLink != 10*time.Second || c.ReconnectMin != 200*time.Millisecond || c.SubmitRate != 2.5 ||
		c.SourceTON != 5 || c.SourceNPI != 0 || c.DestTON != 2 || c.DestNPI != 9 || c.PartHold != 0 ||
		c.Batch != 50 || c.BatchWait != 0 || c.DedupeWindow != time.Hour || c.SubmitTimeout != 3*time.Second {
		t.Fatalf("values %+v", c)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		kv   map[string]string
		want string
	}{
		{map[string]string{}, "addr is required"},
		{map[string]string{"addr": "nohost"}, "addr must be host:port"},
		{map[string]string{"addr": "h:99999"}, "addr must be host:port"},
		{map[string]string{"addr": "h:1", "bind": "both"}, "bind must be"},
		{map[string]string{"addr": "h:1", "enquire_link": "soon"}, "enquire_link must be a duration"},
		{map[string]string{"addr": "h:1", "enquire_link": "0s"}, "enquire_link must be positive"},
		{map[string]string{"addr": "h:1", "reconnect_min": "10s", "reconnect_max": "1s"}, "reconnect_max must not be less"},
		{map[string]string{"addr": "h:1", "submit_rate": "0"}, "submit_rate must be"},
		{map[string]string{"addr": "h:1", "source_ton": "256"}, "source_ton must be"},
		{map[string]string{"addr": "h:1", "dest_npi": "x"}, "dest_npi must be"},
		{map[string]string{"addr": "h:1", "batch": "0"}, "batch must be"},
		{map[string]string{"addr": "h:1", "batch_wait": "-1ms"}, "batch_wait must be positive"},
		{map[string]string{"addr": "h:1", "concat_timeout": "0"}, "concat_timeout must be"},
		{map[string]string{"addr": "h:1", "dedupe_window": "10ms"}, "dedupe_window must be at least"},
		{map[string]string{"addr": "h:1", "system_id": "a-very-long-system-id"}, "system_id must be at most 15"},
		{map[string]string{"addr": "h:1", "password": "123456789"}, "password must be at most 8"},
		{map[string]string{"addr": "h:1", "colour": "blue"}, `unknown setting "colour"`},
	} {
		_, err := FromSettings("gw", c.kv)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "gateway gw") {
			t.Errorf("%v: got %v, want %q", c.kv, err, c.want)
		}
	}
}
