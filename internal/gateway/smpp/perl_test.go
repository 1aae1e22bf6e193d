package smpp_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"mdnhub/internal/message"
)

func perlSMS(text, encoding string, coding int) map[string]any {
	return map[string]any{"source_addr": sender, "destination_addr": mdn, "text": text, "encoding": encoding, "data_coding": coding}
}

// TestPerlSMSC runs the gateway against an SMSC written with Perl's
// Net::SMPP, which encodes the texts itself (Encode's gsm0338, UTF-16BE,
// iso-8859-1): single and concatenated SMS in GSM 7-bit and UCS-2, and a
// submit_sm.
func TestPerlSMSC(t *testing.T) {
	needPerl(t)
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			p := startPeer(t, "perl", "testdata/perl/smsc.pl", "0")
			r := newRig(t, driver, p.addr(), nil)
			p.expect(10*time.Second, func(e event) bool { return e["event"] == "bound" && e.str("system_id") == "mdnhub" })
			r.waitBound(t, 5*time.Second)

			part := func(text, enc string, coding int, extra map[string]any) map[string]any {
				m := perlSMS(text, enc, coding)
				for k, v := range extra {
					m[k] = v
				}
				return m
			}
			p.send(map[string]any{"cmd": "deliver", "id": "in", "pdus": []any{
				perlSMS("Your Telegram code: 62281 @ {x} €", "gsm0338", 0),
				perlSMS("Ihr Code lautet 4455 – Grüße 😀", "UTF-16BE", 8),
				perlSMS("Votre code: 8812 à bientôt", "iso-8859-1", 3),
				part("de Perl", "gsm0338", 0, map[string]any{"udh_hex": udh8(9, 2, 2)}),
				part("Saludos ", "gsm0338", 0, map[string]any{"udh_hex": udh8(9, 2, 1)}),
				part("код 1357 ", "UTF-16BE", 8, map[string]any{"sar": []int{300, 2, 1}}),
				part("✓ готово", "UTF-16BE", 8, map[string]any{"sar": []int{300, 2, 2}}),
			}})
			resps := p.collect(10*time.Second, 7, func(e event) bool { return e.str("id") == "in" })
			sort.Slice(resps, func(i, j int) bool { return resps[i].num("i") < resps[j].num("i") })
			for _, e := range resps {
				if e.num("status") != 0 {
					t.Errorf("deliver_sm %d: status %#x", e.num("i"), e.num("status"))
				}
			}
			want := []string{
				"Your Telegram code: 62281 @ {x} €",
				"Ihr Code lautet 4455 – Grüße 😀",
				"Votre code: 8812 à bientôt",
				"Saludos de Perl",
				"код 1357 ✓ готово",
			}
			got := r.messages(t)
			if len(got) != len(want) {
				t.Fatalf("stored %+v", got)
			}
			for i, m := range got {
				if m.Body != want[i] || m.UserID != r.user {
					t.Errorf("message %d: %+v, want %q", i, m, want[i])
				}
			}

			// Outbound: GSM 7-bit with an extension character, read back by Perl.
			if _, err := r.Messages.Send(context.Background(), message.SendAsk{UserID: r.user, MDN: mdn, To: sender, Text: "Got it [ok] €"}); err != nil {
				t.Fatal(err)
			}
			sub := p.expect(10*time.Second, func(e event) bool { return e["event"] == "submit_sm" })
			if sub.str("text") != "Got it [ok] €" || sub.num("data_coding") != 0 || sub.str("destination_addr") != sender {
				t.Fatalf("submit_sm %v", sub)
			}
		})
	}
}
