package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/config"
)

var ctx = context.Background()

// site is a whole app with its mail kept in a mailbox, served over HTTP.
type site struct {
	e   *apptest.Env
	srv *httptest.Server
}

// forEachDB runs fn on a site over SQLite and over PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Helper()
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			e := apptest.New(t, driver, func(c *config.Config) { c.Mail.Mailbox = true })
			fn(t, &site{e: e, srv: e.Server(t)})
		})
	}
}

// browser is one visitor with its cookies; it does not follow redirects,
// so tests see them.
type browser struct {
	t    *testing.T
	s    *site
	c    *http.Client
	csrf string // the form token of the last page seen
}

func (s *site) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is one answer.
type page struct {
	code     int
	body     string
	location string
}

var csrfRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := page{code: resp.StatusCode, body: string(body), location: resp.Header.Get("Location")}
	if m := csrfRE.FindStringSubmatch(p.body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form as a browser on the same site does (Sec-Fetch-Site:
// same-origin), with the last page's form token unless the form has one.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if _, ok := form["csrf"]; !ok && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// want fails unless the page has the status and contains every text.
func (p page) want(t *testing.T, code int, texts ...string) page {
	t.Helper()
	if p.code != code {
		t.Fatalf("HTTP %d (want %d), location %q:\n%s", p.code, code, p.location, p.body)
	}
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Fatalf("page lacks %q:\n%s", s, p.body)
		}
	}
	return p
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// mailLink returns the path and query of the link in the newest mail to
// address.
func (s *site) mailLink(t *testing.T, to string) string {
	t.Helper()
	m, ok := s.e.Mailbox.Last(to)
	if !ok {
		t.Fatalf("no mail to %s", to)
	}
	l := linkRE.FindString(m.Text)
	u, err := url.Parse(l)
	if err != nil || l == "" {
		t.Fatalf("no link in %q", m.Text)
	}
	return u.RequestURI()
}

// signUp signs a user up and confirms the address through the mailbox; the
// browser is not logged in.
func (s *site) signUp(t *testing.T, b *browser, name, password string) {
	t.Helper()
	b.post("/signup", url.Values{"username": {name}, "email": {name + "@example.com"}, "password": {password}, "password2": {password}}).
		want(t, http.StatusOK, "Check your mail")
	b.get(s.mailLink(t, name+"@example.com")).want(t, http.StatusOK, "Address confirmed")
}

// logIn logs the browser in.
func (b *browser) logIn(name, password string) {
	b.t.Helper()
	p := b.post("/login", url.Values{"login": {name}, "password": {password}})
	if p.code != http.StatusSeeOther {
		b.t.Fatalf("login: HTTP %d\n%s", p.code, p.body)
	}
	b.get("/account").want(b.t, http.StatusOK, "Your account")
}

// apiWant calls the API as user with key and requires the exact answer.
func apiWant(t *testing.T, s *site, cmd, user, key, want string) {
	t.Helper()
	resp, err := http.Get(s.srv.URL + "/api_command.php?" + url.Values{"cmd": {cmd}, "user": {user}, "api_key": {key}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if got := strings.TrimSpace(string(body)); got != want {
		t.Fatalf("%s as %s: %s, want %s", cmd, user, got, want)
	}
}
