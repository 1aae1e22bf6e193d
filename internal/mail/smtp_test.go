package mail_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mdnhub/internal/mail"
)

// received is what the test SMTP server got.
type received struct {
	mu       sync.Mutex
	from, to string
	data     string
	user     string
}

type session struct{ r *received }

func (s session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "mailer" || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.r.mu.Lock()
		s.r.user = user
		s.r.mu.Unlock()
		return nil
	}), nil
}
func (s session) Reset()        {}
func (s session) Logout() error { return nil }
func (s session) Mail(from string, _ *smtp.MailOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.from = from
	return nil
}
func (s session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.to = to
	return nil
}
func (s session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.data = string(b)
	return err
}

// server runs an SMTP server on loopback (no TLS) and returns its port.
func server(t *testing.T) (*received, int) {
	t.Helper()
	r := &received{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return session{r}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().(*net.TCPAddr).Port
}

// The real sender delivers through an SMTP server, authenticated.
func TestSMTPSends(t *testing.T) {
	r, port := server(t)
	s, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: port, User: "mailer", Password: "secret",
		From: "mdnhub <noreply@example.com>", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: "alice@example.com", Subject: "Confirm your e-mail address",
		Text: "open https://sms.example.com/confirm?token=abc"})
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.from != "noreply@example.com" || r.to != "alice@example.com" || r.user != "mailer" ||
		!strings.Contains(r.data, "Subject: Confirm your e-mail address") || !strings.Contains(r.data, "sms.example.com/confirm?token=") {
		t.Fatalf("server got from %q to %q user %q:\n%s", r.from, r.to, r.user, r.data)
	}
}

// STARTTLS required against a server without it: a clear error, nothing
// sent in the clear.
func TestSMTPRequiresTLS(t *testing.T) {
	r, port := server(t)
	s, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: port, From: "noreply@example.com", TLS: "starttls"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "bob@example.com", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("sent without TLS")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.data != "" {
		t.Fatalf("data sent in the clear: %q", r.data)
	}
	if _, err := mail.NewSMTP(mail.SMTPConfig{Host: "h", From: "f@example.com", TLS: "maybe"}); err == nil {
		t.Fatal("tls maybe accepted")
	}
}
