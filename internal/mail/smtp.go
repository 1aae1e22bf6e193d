package mail

import (
	"context"
	"fmt"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is the operator's mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	User     string
	Password string
	From     string
	// TLS is "starttls" (required), "tls" (implicit, port 465) or "none"
	// (a local relay on a trusted network only).
	TLS string
}

// SMTP sends through the operator's mail server, one connection per message
// (the site sends few: sign-ups, resets, key links).
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP checks the settings and returns the sender.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, fmt.Errorf("mail: host and from are required")
	}
	switch cfg.TLS {
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("mail: tls must be starttls, tls or none")
	}
	return &SMTP{cfg: cfg}, nil
}

// Send delivers m to the mail server.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port)}
	switch s.cfg.TLS {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.User != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if s.cfg.TLS == "none" {
			// A local relay on a trusted network: the operator chose to
			// send credentials without encryption.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail send: %w", err)
	}
	return nil
}
