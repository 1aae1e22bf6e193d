package web_test

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/db"
)

// Sizes of the account the page benchmarks read.
const (
	benchMessages = 100_000
	benchRequests = 10_000
)

// bigAccount builds an app on driver with one customer holding
// benchRequests requests and benchMessages messages (SMS, Billing entries
// and outbound SMS over several numbers and services, a few per second),
// inserted in bulk, and another customer with as many to share the
// tables; it returns the site and a client logged in as the first.
func bigAccount(b *testing.B, driver string) (*site, *http.Client, int64) {
	b.Helper()
	e := apptest.New(b, driver, nil)
	services := []string{"Google", "Amazon", "Uber", "Facebook", "Telegram"}
	ids := make([]int64, len(services))
	for i, n := range services {
		ids[i] = e.Service(b, n, 100, 0).ID
	}
	e.Numbers(b, apptest.Seq("212", 20)...)
	u, _ := e.User(b, 0)
	v, _ := e.User(b, 0)
	start := apptest.Start.Unix() - benchMessages*3
	for _, uid := range []int64{u.ID, v.ID} {
		bulk(b, e.DB, "requests", "user_id, service_id, mdn, carrier, status, price_cents, messages, created_at, expires_at, closed_at",
			benchRequests, func(i int) []any {
				at := start + int64(i)*30
				status, msgs := "Completed", 1
				if i%4 == 0 {
					status, msgs = "Timed Out", 0
				}
				return []any{uid, ids[i%len(ids)], fmt.Sprintf("1212555%04d", i%20), "TMobile", status, 100, msgs, at, at + 900, at + 900}
			})
		bulk(b, e.DB, "messages", "user_id, kind, mdn, sender, recipient, body, pin, service, price_cents, received_at, status",
			benchMessages, func(i int) []any {
				mdn, svc, at := fmt.Sprintf("1212555%04d", i%20), services[i%len(services)], start+int64(i/2)*3
				switch i % 50 {
				case 0:
					return []any{uid, "billing", mdn, "Billing", "", fmt.Sprintf("Rental %d of %s for %s, 30 days: $20.00", i, mdn, svc), "", svc, 2000, at, ""}
				case 1:
					return []any{uid, "outbound", mdn, mdn, "22000", "Thanks, got it", "", "", 10, at, "delivered"}
				}
				code := fmt.Sprintf("%06d", i)
				return []any{uid, "sms", mdn, "22000", "", "Your " + svc + " verification code is " + code + ". Do not share it.", code, svc, 100, at, ""}
			})
	}
	s := &site{e: e, srv: e.Server(b)}
	sess, err := e.Accounts.NewSession(ctx, u.ID, 365*24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	su, _ := url.Parse(s.srv.URL)
	jar.SetCookies(su, []*http.Cookie{{Name: "mdnhub_session", Value: sess.Token, Path: "/"}})
	return s, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, u.ID
}

// bulk inserts n rows of columns into table, 500 to a statement, in one
// transaction.
func bulk(b *testing.B, d *db.DB, table, columns string, n int, row func(i int) []any) {
	b.Helper()
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		for lo := 0; lo < n; lo += 500 {
			var sb strings.Builder
			var args []any
			for i := lo; i < min(lo+500, n); i++ {
				if i > lo {
					sb.WriteString(", ")
				}
				var ph string
				ph, args = d.In(args, row(i)...)
				sb.WriteString("(" + ph + ")")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+columns+`) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// benchPage GETs path b.N times, checks each answer, and reports the 50th
// and 99th percentile latencies beside ns/op.
func benchPage(b *testing.B, c *http.Client, base, path, want string) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		resp, err := c.Get(base + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t0))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			b.Fatalf("%s: HTTP %d, no %q:\n%.2000s", path, resp.StatusCode, want, body)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}

// deepCursor is the (received_at, id) of the user's message at depth, newest
// first, as the message log's "before" parameter.
func deepCursor(b *testing.B, s *site, userID int64, depth int) string {
	b.Helper()
	var at, id int64
	if err := s.e.DB.R.QueryRowContext(ctx, `SELECT received_at, id FROM messages WHERE user_id = $1
		ORDER BY received_at DESC, id DESC LIMIT 1 OFFSET $2`, userID, depth).Scan(&at, &id); err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf("%d.%d", at, id)
}

// BenchmarkMessagesPage renders the SMS message log of an account with
// 100,000 messages: the first page, a page 90,000 messages deep (keyset: it
// costs what the first does), and the first and a deep page of one service.
func BenchmarkMessagesPage(b *testing.B) {
	for _, driver := range []string{"sqlite", "postgres"} {
		b.Run(driver, func(b *testing.B) {
			s, c, uid := bigAccount(b, driver)
			base := s.srv.URL
			deep := deepCursor(b, s, uid, 90_000)
			b.Run("first", func(b *testing.B) { benchPage(b, c, base, "/messages", "verification code") })
			b.Run("deep", func(b *testing.B) { benchPage(b, c, base, "/messages?before="+deep, "verification code") })
			b.Run("service-first", func(b *testing.B) { benchPage(b, c, base, "/messages?service=Uber", "Uber") })
			b.Run("service-deep", func(b *testing.B) { benchPage(b, c, base, "/messages?service=Uber&before="+deep, "Uber") })
			b.Run("number-deep", func(b *testing.B) { benchPage(b, c, base, "/messages?mdn=12125550007&before="+deep, "12125550007") })
		})
	}
}

// BenchmarkRequestsPage renders the request history of an account with
// 10,000 requests (and 100,000 messages): the first page and one 9,000
// requests deep.
func BenchmarkRequestsPage(b *testing.B) {
	for _, driver := range []string{"sqlite", "postgres"} {
		b.Run(driver, func(b *testing.B) {
			s, c, uid := bigAccount(b, driver)
			var deep int64
			if err := s.e.DB.R.QueryRowContext(ctx, `SELECT id FROM requests WHERE user_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 9000`, uid).Scan(&deep); err != nil {
				b.Fatal(err)
			}
			b.Run("first", func(b *testing.B) { benchPage(b, c, s.srv.URL, "/requests", "Completed") })
			b.Run("deep", func(b *testing.B) { benchPage(b, c, s.srv.URL, fmt.Sprintf("/requests?before=%d", deep), "Completed") })
		})
	}
}
