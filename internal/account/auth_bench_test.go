package account_test

import (
	"fmt"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// What authentication costs per call: a cache hit that first reads the
// change count (checked, how SQLite always runs), a cache hit that trusts
// notifications (unchecked), and no cache at all. Run:
// go test -run XXX -bench Authenticate ./internal/account/
func BenchmarkAuthenticate(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		var d *db.DB
		b.Run(engine, func(b *testing.B) {
			if engine == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			for _, mode := range []string{"checked", "unchecked", "uncached"} {
				b.Run(mode, func(b *testing.B) {
					ttl := time.Hour
					if mode == "uncached" {
						ttl = 0
					}
					s := account.NewService(d, clock.Real{}, ttl, 1000)
					if mode == "unchecked" {
						account.TrustCacheUnchecked(s)
					}
					name := fmt.Sprintf("bench%s%d", mode, time.Now().UnixNano()%1e6)
					u, err := s.Create(ctx, name, name+"@example.com")
					if err != nil {
						b.Fatal(err)
					}
					key, err := s.GenerateKey(ctx, u.ID)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if _, err := s.Authenticate(ctx, name, key); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
