package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

// customer makes a user with a balance and a browser logged in as them. The
// session is made directly (no password to hash: the login itself is
// tested in auth_test.go).
func (s *site) customer(t *testing.T, balanceCents int64) (*browser, account.User) {
	t.Helper()
	u, _ := s.e.User(t, balanceCents)
	sess, err := s.e.Accounts.NewSession(ctx, u.ID, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	su, _ := url.Parse(s.srv.URL)
	b.c.Jar.SetCookies(su, []*http.Cookie{{Name: "mdnhub_session", Value: sess.Token, Path: "/"}})
	b.csrf = sess.CSRF
	return b, u
}

// redirected fails unless p is a 303 to a path starting with prefix, and
// returns the location.
func (p page) redirected(t *testing.T, prefix string) string {
	t.Helper()
	if p.code != http.StatusSeeOther || !strings.HasPrefix(p.location, prefix) {
		t.Fatalf("HTTP %d to %q, want a redirect to %s…:\n%s", p.code, p.location, prefix, p.body)
	}
	return p.location
}

// lacks fails if the page contains any of the texts.
func (p page) lacks(t *testing.T, texts ...string) page {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.body, s) {
			t.Fatalf("page has %q:\n%s", s, p.body)
		}
	}
	return p
}

// forEachDBWith is forEachDB with a change of the configuration.
func forEachDBWith(t *testing.T, adjust func(*config.Config), fn func(t *testing.T, s *site)) {
	t.Helper()
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			e := apptest.New(t, driver, func(c *config.Config) {
				c.Mail.Mailbox = true
				adjust(c)
			})
			fn(t, &site{e: e, srv: e.Server(t)})
		})
	}
}
