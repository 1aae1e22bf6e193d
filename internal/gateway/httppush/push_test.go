package httppush_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/config"
	"mdnhub/internal/gateway/httppush"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

var ctx = context.Background()

const token = "device-token-0123456789"
const secret = "hmac-secret"

func post(t *testing.T, target, contentType, body string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer %q is not JSON", b)
	}
	return resp.StatusCode, out
}

func sign(body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func TestPushInbound(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			var (
				mu   sync.Mutex
				sent []map[string]string
			)
			device := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var m map[string]string
				json.NewDecoder(r.Body).Decode(&m)
				mu.Lock()
				sent = append(sent, m)
				mu.Unlock()
				if r.Header.Get("Authorization") != "Bearer out-token" {
					w.WriteHeader(http.StatusForbidden)
					return
				}
				io.WriteString(w, `{"id":"dev-77"}`)
			}))
			defer device.Close()
			e := apptest.New(t, driver, func(c *config.Config) {
				c.Gateways = config.Gateways{"android1": {"kind": "httppush", "token": token, "secret": secret,
					"send_url": device.URL + "/send", "send_token": "out-token"}}
			})
			srv := e.Server(t)
			svc := e.Service(t, "Google", 100, 0)
			if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550000", Gateway: "android1"}}); err != nil {
				t.Fatal(err)
			}
			u, _ := e.User(t, 1000)
			rs, err := e.Requests.Create(ctx, request.Ask{UserID: u.ID, Services: []catalog.Service{svc}})
			if err != nil {
				t.Fatal(err)
			}
			inbound := srv.URL + "/gateway/android1/inbound"
			bearer := map[string]string{"Authorization": "Bearer " + token}
			// The device received it 4 s before pushing it, after the
			// request took the number.
			e.Clock.Advance(10 * time.Second)
			body := `{"id":"m-1","to":"2125550000","from":"22000","text":"G-804036 is your Google verification code.","timestamp":1600108962}`
			code, out := post(t, inbound, "application/json", body, bearer)
			if code != 200 || out["status"] != "ok" || out["duplicate"] != false {
				t.Fatalf("json push: %d %v", code, out)
			}
			// A retry of the same id is stored once.
			code, out = post(t, inbound, "application/json", body, bearer)
			if code != 200 || out["duplicate"] != true {
				t.Fatalf("retry: %d %v", code, out)
			}
			// A form body signed with the secret.
			form := url.Values{"id": {"m-2"}, "to": {"12125550000"}, "from": {"22000"}, "text": {"Your code is 5566"}}.Encode()
			code, out = post(t, inbound, "application/x-www-form-urlencoded", form, map[string]string{"X-Mdnhub-Signature": sign(form)})
			if code != 200 {
				t.Fatalf("form push: %d %v", code, out)
			}
			ms, _ := e.Messages.Read(ctx, message.Filter{UserID: u.ID, RequestID: rs[0].ID, Limit: 10})
			if len(ms) != 2 || ms[1].PIN != "G-804036" || ms[1].ReceivedAt != 1600108962 {
				t.Fatalf("stored %+v", ms)
			}
			if got, _ := e.Requests.Get(ctx, u.ID, rs[0].ID); got.Status != request.StatusCompleted || got.Messages != 2 {
				t.Fatalf("request %+v", got)
			}
			// Refusals.
			for _, c := range []struct {
				name, ct, body string
				header         map[string]string
				code           int
			}{
				{"no auth", "application/json", body, nil, 401},
				{"wrong token", "application/json", body, map[string]string{"Authorization": "Bearer nope"}, 401},
				{"bad signature", "application/json", body, map[string]string{"X-Mdnhub-Signature": sign(body + "x")}, 401},
				{"bad json", "application/json", `{"to":`, bearer, 400},
				{"missing text", "application/json", `{"to":"12125550000","from":"1"}`, bearer, 400},
				{"bad recipient", "application/json", `{"to":"12","from":"1","text":"x"}`, bearer, 400},
				{"bad timestamp", "application/json", `{"to":"12125550000","from":"1","text":"x","timestamp":"soon"}`, bearer, 400},
				{"xml", "text/xml", `<sms/>`, bearer, 400},
			} {
				if code, out := post(t, inbound, c.ct, c.body, c.header); code != c.code || out["status"] != "error" {
					t.Errorf("%s: %d %v", c.name, code, out)
				}
			}
			if code, _ := post(t, srv.URL+"/gateway/nope/inbound", "application/json", body, bearer); code != 404 {
				t.Errorf("unknown gateway: %d", code)
			}
			// Outbound through send_url, then its receipt.
			m, err := e.Messages.Send(ctx, message.SendAsk{UserID: u.ID, MDN: "12125550000", To: "22000", Text: "STOP"})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			got := sent[len(sent)-1]
			mu.Unlock()
			if got["from"] != "12125550000" || got["to"] != "22000" || got["text"] != "STOP" {
				t.Fatalf("device got %v", got)
			}
			code, out = post(t, srv.URL+"/gateway/android1/receipt", "application/json", `{"id":"dev-77","status":"delivered"}`, bearer)
			if code != 200 || out["matched"] != true {
				t.Fatalf("receipt: %d %v", code, out)
			}
			if st, _ := e.Messages.OutboundStatus(ctx, m.ID); st != "delivered" {
				t.Fatalf("outbound status %q", st)
			}
			e.CheckLedger(t)
		})
	}
}

func TestFromSettings(t *testing.T) {
	bad := []map[string]string{
		{"kind": "httppush"},
		{"kind": "httppush", "token": "short"},
		{"kind": "httppush", "token": token, "send_url": "ftp://x"},
		{"kind": "httppush", "token": token, "timeout": "soon"},
		{"kind": "httppush", "token": token, "colour": "blue"},
	}
	for _, kv := range bad {
		if _, err := httppush.FromSettings("g", kv); err == nil {
			t.Errorf("%v accepted", kv)
		}
	}
	if _, err := httppush.FromSettings("g", map[string]string{"kind": "httppush", "secret": "s"}); err != nil {
		t.Fatal(err)
	}
}
