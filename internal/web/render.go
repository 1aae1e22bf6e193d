package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/clock"
	"mdnhub/internal/money"
)

// pages holds one template per page, each made of the layout and the page.
type pages struct {
	byName map[string]*template.Template
}

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	"money": money.Text,
	"time": func(unix int64) string {
		if unix == 0 {
			return ""
		}
		return clock.HumanTime(time.Unix(unix, 0))
	},
	"add":     func(a, b int) int { return a + b },
	"linkify": linkify,
}

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify escapes text and makes its http(s) links clickable (the demo's
// mailbox).
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, loc := range urlRE.FindAllStringIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:loc[0]]))
		u := template.HTMLEscapeString(text[loc[0]:loc[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = loc[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

// parsePages reads templates/: layout.html wraps every other page; files
// whose names start with "_" are partials available to all.
func parsePages(fsys fs.FS) (*pages, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	base := template.New("layout").Funcs(funcs)
	var partials []string
	for _, n := range names {
		if b := path.Base(n); b == "layout.html" || strings.HasPrefix(b, "_") {
			partials = append(partials, n)
		}
	}
	if base, err = base.ParseFS(fsys, partials...); err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		b := path.Base(n)
		if b == "layout.html" || strings.HasPrefix(b, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", b, err)
		}
		p.byName[strings.TrimSuffix(b, ".html")] = t
	}
	return p, nil
}

// view is what every page gets: who is looking, the form token, a notice,
// and the page's own data.
type view struct {
	Title   string
	User    *account.User // nil when nobody is logged in
	CSRF    string
	Notice  string
	Error   string
	Mailbox bool // the demo's mailbox is there to link to
	Data    any
}

// render writes page name with data, inside the layout. Templates are
// rendered into a buffer first, so a failure never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	s.renderView(w, r, status, name, view{Title: title, Data: data})
}

func (s *Server) renderView(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.Log.Error("web: no such page", "page", name)
		http.Error(w, "page missing", http.StatusInternalServerError)
		return
	}
	if sess, ok := sessionFrom(r); ok {
		v.User, v.CSRF = &sess.User, sess.CSRF
	}
	if v.Notice == "" {
		v.Notice = r.URL.Query().Get("notice")
	}
	v.Mailbox = s.Mailbox != nil
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("web: rendering failed", "page", name, "err", err)
		http.Error(w, "The page could not be shown; please try again.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows a page with an error and status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, text string) {
	s.renderView(w, r, status, "notice", view{Title: http.StatusText(status), Error: text})
}

// notice shows a page with a notice.
func (s *Server) notice(w http.ResponseWriter, r *http.Request, title, text string) {
	s.renderView(w, r, http.StatusOK, "notice", view{Title: title, Notice: text})
}
