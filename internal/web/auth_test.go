package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mdnhub/internal/account"
)

const pw = "correct horse battery"

// Sign up, confirm by the mailed link, log in; the link works once; a
// wrong password, an unconfirmed address and a suspended account are refused.
func TestSignUpConfirmLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		b := s.browser(t)
		b.get("/signup").want(t, http.StatusOK, "Sign up")
		b.post("/signup", url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "password": {pw}, "password2": {pw}}).
			want(t, http.StatusOK, "Check your mail")
		link := s.mailLink(t, "alice@example.com")
		// Before confirming, no login.
		b.post("/login", url.Values{"login": {"alice"}, "password": {pw}}).want(t, http.StatusForbidden, "Confirm your e-mail address")
		b.get(link).want(t, http.StatusOK, "Address confirmed")
		b.get(link).want(t, http.StatusBadRequest, "not valid")
		b.post("/login", url.Values{"login": {"alice"}, "password": {"wrong password"}}).want(t, http.StatusUnauthorized, "Wrong user name or password")
		b.post("/login", url.Values{"login": {"nobody"}, "password": {pw}}).want(t, http.StatusUnauthorized, "Wrong user name or password")
		b.logIn("ALICE@example.com", pw)
		b.get("/account").want(t, http.StatusOK, "alice", "$0.00")

		// Taken names, bad input: the form again with the reason.
		other := s.browser(t)
		other.post("/signup", url.Values{"username": {"alice"}, "email": {"a2@example.com"}, "password": {pw}, "password2": {pw}}).
			want(t, http.StatusConflict, "taken")
		other.post("/signup", url.Values{"username": {"bob"}, "email": {"bob@example.com"}, "password": {"short"}, "password2": {"short"}}).
			want(t, http.StatusBadRequest, "10 to 200 characters")
		other.post("/signup", url.Values{"username": {"bob"}, "email": {"bob@example.com"}, "password": {pw}, "password2": {pw + "x"}}).
			want(t, http.StatusBadRequest, "differ")

		// Suspension ends the session at once and refuses logins.
		u, _ := s.e.Accounts.Find(ctx, "alice")
		if err := s.e.Accounts.SetSuspended(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if p := b.get("/account"); p.code != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Fatalf("suspended user still logged in: %d %s", p.code, p.location)
		}
		b.post("/login", url.Values{"login": {"alice"}, "password": {pw}}).want(t, http.StatusForbidden, "suspended")
	})
}

// A reset link sets a new password once, ends old sessions, and says the
// same thing for unknown addresses.
func TestPasswordReset(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		b := s.browser(t)
		s.signUp(t, b, "carol", pw)
		b.logIn("carol", pw)
		anon := s.browser(t)
		anon.post("/reset", url.Values{"login": {"nobody@example.com"}}).want(t, http.StatusOK, "If an account has that name")
		anon.post("/reset", url.Values{"login": {"carol@example.com"}}).want(t, http.StatusOK, "If an account has that name")
		link := s.mailLink(t, "carol@example.com")
		if !strings.HasPrefix(link, "/reset/confirm?token=") {
			t.Fatalf("reset link %q", link)
		}
		anon.get(link).want(t, http.StatusOK, "Set a new password")
		token, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		const npw = "another long password"
		anon.post("/reset/confirm", url.Values{"token": token["token"], "password": {npw}, "password2": {npw}}).want(t, http.StatusOK, "Password changed")
		anon.post("/reset/confirm", url.Values{"token": token["token"], "password": {npw}, "password2": {npw}}).want(t, http.StatusBadRequest, "not valid")
		// The old session is over; the old password too.
		if p := b.get("/account"); p.code != http.StatusSeeOther {
			t.Fatalf("session survived the reset: %d", p.code)
		}
		anon.post("/login", url.Values{"login": {"carol"}, "password": {pw}}).want(t, http.StatusUnauthorized)
		anon.logIn("carol", npw)
	})
}

// An expired link is refused.
func TestExpiredLink(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		b := s.browser(t)
		b.post("/signup", url.Values{"username": {"dave"}, "email": {"dave@example.com"}, "password": {pw}, "password2": {pw}}).
			want(t, http.StatusOK, "Check your mail")
		s.e.Clock.Advance(account.TokenTTL(account.TokenConfirm) + time.Second)
		b.get(s.mailLink(t, "dave@example.com")).want(t, http.StatusBadRequest, "expired")
	})
}

// The API key comes through a mailed link and a click; it works on the API
// at once and the old one stops at once.
func TestAPIKeyThroughMail(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		b := s.browser(t)
		s.signUp(t, b, "erin", pw)
		b.logIn("erin", pw)
		key := func() string {
			t.Helper()
			b.get("/account")
			b.post("/account/key", url.Values{}).want(t, http.StatusOK, "Check your mail")
			link := s.mailLink(t, "erin@example.com")
			token, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
			b.get(link).want(t, http.StatusOK, "Generate my new key")
			p := b.post("/account/key/confirm", url.Values{"token": token["token"]}).want(t, http.StatusOK, "Your new API key")
			k := between(p.body, `<code id="api-key">`, `</code>`)
			// The link is used up.
			b.post("/account/key/confirm", url.Values{"token": token["token"]}).want(t, http.StatusBadRequest, "not valid")
			return k
		}
		first := key()
		apiWant(t, s, "balance", "erin", first, `{"status":"ok","message":"0.00"}`)
		second := key()
		apiWant(t, s, "balance", "erin", first, `{"status":"error","message":"Invalid user name or API key"}`)
		apiWant(t, s, "balance", "erin", second, `{"status":"ok","message":"0.00"}`)
	})
}

// State-changing forms need the session's token, and come from this site.
func TestCSRF(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *site) {
		b := s.browser(t)
		s.signUp(t, b, "frank", pw)
		b.logIn("frank", pw)
		b.post("/account/format", url.Values{"format": {"object"}, "csrf": {"forged"}}).want(t, http.StatusForbidden, "expired")
		// A form posted from another site is refused before it is read.
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/account/format", strings.NewReader("format=object&csrf="+b.csrf))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		b.do(req).want(t, http.StatusForbidden, "another site")
		u, _ := s.e.Accounts.Find(ctx, "frank")
		if u.RequestStatusFormat != "" {
			t.Fatalf("a refused form changed the format to %q", u.RequestStatusFormat)
		}
		if p := b.post("/account/format", url.Values{"format": {"object"}}); p.code != http.StatusSeeOther {
			t.Fatalf("the real form: %d %s", p.code, p.body)
		}
		if u, _ = s.e.Accounts.Find(ctx, "frank"); u.RequestStatusFormat != "object" {
			t.Fatalf("format %q", u.RequestStatusFormat)
		}
	})
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return ""
}
