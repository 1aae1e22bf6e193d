package apptest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CheckGolden compares body with the golden file at path. Tests run on both
// engines (ForEachDB) and both must answer byte for byte alike: with update
// set, the SQLite run writes the file and the PostgreSQL run checks it.
func CheckGolden(t *testing.T, path string, body []byte, update bool) {
	t.Helper()
	if update && strings.Contains(t.Name(), "/sqlite") {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update)", path, err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("golden %s differs\n got: %s\nwant: %s", path, body, want)
	}
}

// Snapshot is every row of the customer-facing state that a call could
// change (requests, balances and keys, the ledger, numbers, messages,
// rejections, burns, retries, service codes, callback events), as text:
// bad-input tests take one before and after a call that must change
// nothing.
func (e *Env) Snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	dump := func(query string, n int) {
		rows, err := e.DB.R.QueryContext(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	dump(`SELECT id, user_id, status, messages, COALESCE(closed_at, 0), expires_at FROM requests ORDER BY id`, 6)
	dump(`SELECT id, balance_cents, suspended, COALESCE(api_key_hash, '') FROM users ORDER BY id`, 4)
	dump(`SELECT id, amount_cents FROM ledger ORDER BY id`, 2)
	dump(`SELECT id, COALESCE(held_by, 0), last_used_at, enabled, online FROM numbers ORDER BY id`, 5)
	dump(`SELECT id, COALESCE(user_id, 0), COALESCE(request_id, 0) FROM messages ORDER BY id`, 3)
	dump(`SELECT number_id, user_id FROM rejections ORDER BY number_id, user_id`, 2)
	dump(`SELECT number_id, service_id, user_id FROM burns ORDER BY number_id, service_id`, 3)
	dump(`SELECT request_id, messages, asked_at FROM request_retries ORDER BY request_id`, 3)
	dump(`SELECT code, COALESCE(service_id, 0) FROM service_codes ORDER BY code`, 2)
	dump(`SELECT COUNT(*) FROM callback_events`, 1)
	return b.String()
}

// Response is one HTTP answer of a test server, read whole.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// Do sends one request to the test server and reads its answer; a
// contentType of "" sends none.
func Do(t testing.TB, srv *httptest.Server, method, target, contentType string, body io.Reader) Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+target, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	r, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Code: r.StatusCode, Header: r.Header, Body: b}
}
