package message_test

import (
	"fmt"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// BenchmarkDeliverBatch stores batches of 200 inbound SMS to 20 held
// numbers, as a busy SMPP link hands them over: the cost per message of the
// inbound path. Run: go test -run XXX -bench DeliverBatch ./internal/message/
func BenchmarkDeliverBatch(b *testing.B) {
	for _, driver := range []string{"sqlite", "postgres"} {
		b.Run(driver, func(b *testing.B) {
			e := apptest.New(b, driver, nil)
			svc := e.Service(b, "Google", 100, 0)
			mdns := apptest.Seq("212", 20)
			e.Numbers(b, mdns...)
			u, _ := e.User(b, 1000000)
			for range mdns {
				if _, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}); err != nil {
					b.Fatal(err)
				}
			}
			batch := make([]message.Inbound, 200)
			b.ResetTimer()
			for i := 0; i < b.N; i += len(batch) {
				for j := range batch {
					batch[j] = message.Inbound{To: mdns[j%len(mdns)], From: "22000", Gateway: "bench",
						GatewayID: fmt.Sprint(i + j), Text: "G-123456 is your Google verification code."}
				}
				if _, err := e.Messages.DeliverBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
