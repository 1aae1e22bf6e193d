package app

import (
	"context"
	"errors"

	"mdnhub/internal/gateway"
	"mdnhub/internal/mail"
	"mdnhub/internal/web"
)

// errNoMail is the answer of the mailer when no mail server is configured.
var errNoMail = errors.New("no mail server is configured (mail.smtp_host)")

// noMail refuses to send: the site then says sign-up and resets are off.
type noMail struct{}

func (noMail) Send(context.Context, mail.Message) error { return errNoMail }

// buildWeb builds the web site with its mailer: the operator's SMTP server,
// the in-process mailbox (mail.mailbox, the demo), or none.
func (a *App) buildWeb() error {
	c := a.Config
	var mailer web.Mailer = noMail{}
	switch {
	case c.Mail.Mailbox:
		a.Mailbox = mail.NewMailbox(200)
		mailer = a.Mailbox
	case c.Mail.SMTPHost != "":
		smtp, err := mail.NewSMTP(mail.SMTPConfig{Host: c.Mail.SMTPHost, Port: c.Mail.SMTPPort, User: c.Mail.SMTPUser,
			Password: c.Mail.SMTPPassword, From: c.Mail.From, TLS: c.Mail.TLS})
		if err != nil {
			return err
		}
		mailer = smtp
	}
	var err error
	a.Web, err = web.New(web.Deps{
		Accounts: a.Accounts, Catalog: a.Catalog, Inventory: a.Inventory, Requests: a.Requests, Rentals: a.Rentals,
		Messages: a.Messages, Proxies: a.Proxies, Callbacks: a.Callbacks, Clock: a.Clock, Log: a.Log.With("component", "web"),
		Mailer: mailer, Mailbox: a.Mailbox, Gateways: a.gatewayStatus,
	}, web.Options{BaseURL: c.Web.BaseURL, SessionTTL: c.Web.SessionTTL, SecureCookies: c.Web.SecureCookies, TrustProxy: c.Web.TrustProxy})
	return err
}

// gatewayStatus lists the registered gateways with their kind (from the
// configuration; the simulator's is sim) and health, for the operator pages.
func (a *App) gatewayStatus() []web.GatewayStatus {
	var out []web.GatewayStatus
	for _, g := range a.Gateways.All() {
		kind := a.Config.Gateways[g.Name()]["kind"]
		if g == gateway.Gateway(a.Sim) {
			kind = "sim"
		}
		c := g.Capabilities()
		out = append(out, web.GatewayStatus{Name: g.Name(), Kind: kind, Healthy: g.Healthy(),
			Sending: c.Sending, Parking: c.Parking, Forwarding: c.Forwarding})
	}
	return out
}
