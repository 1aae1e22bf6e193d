package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

var olderRE = regexp.MustCompile(`<a href="([^"]+)" rel="next">Older`)
var newerRE = regexp.MustCompile(`<a href="([^"]+)" rel="prev">`)

// link returns the unescaped href matched by re, or "".
func link(re *regexp.Regexp, body string) string {
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// The message log pages by keyset through every message and back, keeps
// its filters in the links, and filters by number and service; a message's
// own page is its owner's only.
func TestMessageLogPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		google := e.Service(t, "Google", 100, time.Hour)
		amazon := e.Service(t, "Amazon", 100, time.Hour)
		e.Numbers(t, apptest.Seq("212", 2)...)
		b, u := s.customer(t, 10000)
		g, _ := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{google}})
		a, _ := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{amazon}})
		for i := 0; i < 120; i++ {
			to := g[0].MDN
			if i%3 == 0 {
				to = a[0].MDN
			}
			if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: to, From: "22000", Text: fmt.Sprintf("message number %03d", i)}); err != nil {
				t.Fatal(err)
			}
			if i%4 == 0 {
				e.Clock.Advance(time.Second)
			}
		}
		seen := map[string]bool{}
		path, pages := "/messages", 0
		for path != "" {
			p := b.get(path).want(t, http.StatusOK)
			pages++
			for _, m := range regexp.MustCompile(`message number (\d{3})`).FindAllStringSubmatch(p.body, -1) {
				if seen[m[1]] {
					t.Fatalf("message %s shown twice", m[1])
				}
				seen[m[1]] = true
			}
			if pages == 1 && (!strings.Contains(p.body, "message number 119") || newerRE.MatchString(p.body)) {
				t.Fatal("the first page is not the newest")
			}
			if pages == 2 {
				// The way back leads to the first page.
				back := b.get(link(newerRE, p.body)).want(t, http.StatusOK, "message number 119")
				if link(olderRE, back.body) != path {
					t.Fatalf("back and forth differ: %q vs %q", link(olderRE, back.body), path)
				}
			}
			path = link(olderRE, p.body)
		}
		if pages != 3 || len(seen) != 120 {
			t.Fatalf("%d pages, %d messages", pages, len(seen))
		}

		// Filters, kept in the page links.
		p := b.get("/messages?service=Amazon").want(t, http.StatusOK, "message number 117").lacks(t, "message number 118")
		if l := link(olderRE, p.body); l != "" {
			t.Fatalf("40 Amazon messages fit on one page, yet %q", l)
		}
		p = b.get("/messages?mdn="+url.QueryEscape("("+g[0].MDN[1:4]+") "+g[0].MDN[4:7]+"-"+g[0].MDN[7:])).want(t, http.StatusOK, "message number 118").lacks(t, "message number 117")
		if l := link(olderRE, p.body); !strings.Contains(l, "mdn=") || !strings.Contains(l, "before=") {
			t.Fatalf("older link without the filter: %q", l)
		}
		b.get("/messages?mdn=12").want(t, http.StatusBadRequest, "Invalid mdn: must be an 11-digit US number")
		b.get("/messages?before=garbage").want(t, http.StatusOK, "message number 119")

		// One message.
		m, _ := e.Messages.Log(ctx, message.LogFilter{UserID: u.ID, Limit: 1})
		id := fmt.Sprint(m.Entries[0].ID)
		b.get("/messages/"+id).want(t, http.StatusOK, "message number 119", "22000", "Request")
		other, _ := s.customer(t, 0)
		other.get("/messages/"+id).want(t, http.StatusNotFound).lacks(t, "message number")
		other.get("/messages").want(t, http.StatusOK, "No messages yet").lacks(t, "message number")
	})
}

// The request history and the ledger page by id through everything.
func TestHistoryAndLedgerPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		e := s.e
		svc := e.Service(t, "Google", 10, time.Minute)
		e.Numbers(t, apptest.Seq("212", 3)...)
		b, u := s.customer(t, 100000)
		for i := 0; i < 60; i++ {
			if _, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}}); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(2 * time.Minute)
			if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		count := func(start, re string) (n, pages int) {
			for path := start; path != ""; {
				p := b.get(path).want(t, http.StatusOK)
				n += len(regexp.MustCompile(re).FindAllString(p.body, -1))
				pages++
				path = link(olderRE, p.body)
			}
			return n, pages
		}
		if n, pages := count("/requests", `Timed Out`); n != 60 || pages != 2 {
			t.Fatalf("history: %d requests on %d pages", n, pages)
		}
		b.get("/requests").want(t, http.StatusOK, "10000060", "refunded $0.10")
		// 1 credit, 60 charges, 60 refunds.
		if n, pages := count("/balance", `<td data-label="Kind">`); n != 121 || pages != 3 {
			t.Fatalf("ledger: %d entries on %d pages", n, pages)
		}
	})
}
