package cli

import (
	"context"
	"strings"
	"testing"

	"mdnhub/internal/message"
)

// TestMessagesUnowned: SMS nobody held the number for, newest first, on
// one line each.
func TestMessagesUnowned(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		d.Numbers(t, "12125550100")
		for _, text := range []string{"first", "second\nline"} {
			if _, err := d.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: "12125550100", From: "22000", Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		out := d.mustRun(t, "messages", "unowned")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || !strings.HasSuffix(lines[1], "second line") || !strings.HasSuffix(lines[2], "first") ||
			!strings.Contains(lines[1], "12125550100") {
			t.Errorf("unowned:\n%s", out)
		}
		if out := d.mustRun(t, "messages", "unowned", "-limit", "1"); strings.Contains(out, "first") {
			t.Errorf("unowned -limit 1:\n%s", out)
		}
	})
}
