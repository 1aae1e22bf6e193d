// Package web is mdnhub's web site: customers sign up, get their API key,
// buy numbers and watch codes arrive; operators run the platform. Pages are
// rendered on the server with html/template (which escapes everything), use
// htmx where it helps and work without JavaScript where they can, and call
// the same domain services as the API; the site never speaks SQL.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/callback"
	"mdnhub/internal/catalog"
	"mdnhub/internal/clock"
	"mdnhub/internal/inventory"
	"mdnhub/internal/mail"
	"mdnhub/internal/message"
	"mdnhub/internal/proxy"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Mailer sends the site's e-mails (mail.SMTP, or a mail.Mailbox in the demo
// and in tests).
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// Deps are the domain services the site calls.
type Deps struct {
	Accounts  *account.Service
	Catalog   *catalog.Catalog
	Inventory *inventory.Store
	Requests  *request.Service
	Rentals   *rental.Service
	Messages  *message.Service
	Proxies   *proxy.Service
	Callbacks *callback.Dispatcher
	Clock     clock.Clock
	Log       *slog.Logger
	Mailer    Mailer
	// Mailbox, when set, is shown at /mailbox (the demo's mail server).
	Mailbox *mail.Mailbox
	// Gateways lists the attached gateways with their kind and health, for
	// the operator pages.
	Gateways func() []GatewayStatus
}

// Options are the operator's settings of the site.
type Options struct {
	// BaseURL is the site's address as customers reach it, for the links
	// in e-mails, e.g. https://sms.example.com.
	BaseURL string
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
	// SecureCookies: "auto" marks cookies Secure over TLS or when a trusted
	// proxy says the request was HTTPS; "always"; "never".
	SecureCookies string
	// TrustProxy trusts X-Forwarded-Proto from the proxy in front.
	TrustProxy bool
}

// Server serves the site.
type Server struct {
	Deps
	opt   Options
	pages *pages
	mux   *http.ServeMux
	// limits of logins and password resets, per address and per account.
	limits *limits
}

// New builds the site.
func New(d Deps, o Options) (*Server, error) {
	if o.SessionTTL <= 0 {
		o.SessionTTL = 30 * 24 * time.Hour
	}
	if o.SecureCookies == "" {
		o.SecureCookies = "auto"
	}
	p, err := parsePages(templateFS)
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, opt: o, pages: p, mux: http.NewServeMux(), limits: newLimits()}
	s.routes()
	return s, nil
}

// Handler is the site with its protection against cross-site requests:
// state-changing requests from another origin are refused before any form is
// read (Sec-Fetch-Site / Origin), and every form of a logged-in page also
// carries the session's token.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "This form was sent from another site. Reload the page and try again.")
	}))
	return cop.Handler(s.withSession(s.mux))
}

// staticFiles serves /static/ from the binary.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.StripPrefix("/static/", files).ServeHTTP(w, r)
	})
}
