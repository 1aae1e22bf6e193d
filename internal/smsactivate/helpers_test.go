package smsactivate_test

// Test helpers: calls through the real HTTP handler of a whole app on a
// fresh database of each engine with a fake clock (apptest), and golden
// files holding the exact answers. The golden files are engine-independent
// (request ids start at 10000001 on both engines, the clock at
// apptest.Start, numbers come from apptest.Seq), so one file is checked on
// both. Rewrite them from the SQLite run with:
//
//	go test ./internal/smsactivate/ -update

import (
	"bytes"
	"context"
	"flag"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/message"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the SQLite run")

var ctx = context.Background()

const goldenDir = "testdata/golden"

// checkGolden compares body with testdata/golden/<name>.txt; with -update
// the SQLite run writes the file and the PostgreSQL run checks it.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	apptest.CheckGolden(t, filepath.Join(goldenDir, name+".txt"), body, *update)
}

// resp is one HTTP answer.
type resp struct {
	code   int
	header http.Header
	body   []byte
}

func do(t testing.TB, srv *httptest.Server, method, target, contentType string, body io.Reader) resp {
	t.Helper()
	r := apptest.Do(t, srv, method, target, contentType, body)
	return resp{code: r.Code, header: r.Header, body: r.Body}
}

const path = "/stubs/handler_api.php"

func get(t testing.TB, srv *httptest.Server, v url.Values) resp {
	t.Helper()
	return do(t, srv, http.MethodGet, path+"?"+v.Encode(), "", nil)
}

func postForm(t testing.TB, srv *httptest.Server, v url.Values) resp {
	t.Helper()
	return do(t, srv, http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

func postMultipart(t testing.TB, srv *httptest.Server, v url.Values) resp {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, s := range vs {
			if err := w.WriteField(k, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return do(t, srv, http.MethodPost, path, w.FormDataContentType(), &buf)
}

// postQuery is a POST whose parameters are all in the query string and
// whose body is empty, as some clients send it.
func postQuery(t testing.TB, srv *httptest.Server, v url.Values) resp {
	t.Helper()
	return do(t, srv, http.MethodPost, path+"?"+v.Encode(), "", nil)
}

// client calls handler_api.php with one API key.
type client struct {
	srv *httptest.Server
	key string
}

func newClient(t *testing.T, e *apptest.Env, srv *httptest.Server, balanceCents int64) (client, int64) {
	t.Helper()
	u, key := e.User(t, balanceCents)
	return client{srv: srv, key: key}, u.ID
}

// call sends action with the key/value pairs kv by GET, checks HTTP 200
// and returns the body.
func (c client) call(t *testing.T, action string, kv ...string) string {
	t.Helper()
	v := url.Values{"api_key": {c.key}, "action": {action}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	r := get(t, c.srv, v)
	if r.code != http.StatusOK {
		t.Fatalf("%s %v: HTTP %d %s", action, kv, r.code, r.body)
	}
	return string(r.body)
}

// want calls and requires the exact body.
func (c client) want(t *testing.T, want, action string, kv ...string) {
	t.Helper()
	if got := c.call(t, action, kv...); got != want {
		t.Fatalf("%s %v: %q, want %q", action, kv, got, want)
	}
}

// golden calls and compares the body with a golden file.
func (c client) golden(t *testing.T, name, action string, kv ...string) string {
	t.Helper()
	body := c.call(t, action, kv...)
	checkGolden(t, name, []byte(body))
	return body
}

func deliver(t *testing.T, e *apptest.Env, to, from, text string) {
	t.Helper()
	d, err := e.Messages.Deliver(ctx, message.Inbound{To: to, From: from, Text: text, Gateway: "sim"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Unowned {
		t.Fatalf("message to %s was not routed to a request", to)
	}
}

// catalogService is a hidden service with a one-time price.
func catalogService(name string, priceCents int64) catalog.Service {
	return catalog.Service{Name: name, PriceCents: priceCents}
}
