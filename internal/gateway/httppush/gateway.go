package httppush

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/gateway"
	"mdnhub/internal/message"
)

// Deliverer stores inbound SMS and receipts (the message service).
type Deliverer interface {
	Deliver(ctx context.Context, in message.Inbound) (message.Delivery, error)
	RecordReceipt(ctx context.Context, gatewayName, gatewayID, state string) (bool, error)
}

// Gateway is one HTTP-push gateway.
type Gateway struct {
	cfg     Config
	deliver Deliverer
	client  *http.Client
	log     *slog.Logger
}

// New returns the gateway; it serves devices through ServeHTTP.
func New(cfg Config, d Deliverer, log *slog.Logger) *Gateway {
	return &Gateway{cfg: cfg, deliver: d, log: log,
		client: &http.Client{Timeout: cfg.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Name is the gateway's configured name.
func (g *Gateway) Name() string { return g.cfg.Name }

// Capabilities: sending when a send_url is configured; no parking, no forwarding.
func (g *Gateway) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{Sending: g.cfg.SendURL != ""}
}

// Activate is not supported: pushed numbers are always online.
func (g *Gateway) Activate(ctx context.Context, mdn string) (time.Duration, error) {
	return 0, gateway.ErrUnsupported
}

// Forward is not supported.
func (g *Gateway) Forward(ctx context.Context, mdn, destination string) error {
	return gateway.ErrUnsupported
}

// Run has nothing to connect: devices come to us.
func (g *Gateway) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Healthy is always true; a silent device is not detectable from here.
func (g *Gateway) Healthy() bool { return true }

// Send POSTs the message as JSON {id, from, to, text} to send_url; a 2xx
// answer is acceptance, and an "id" in a JSON answer is kept for receipts.
func (g *Gateway) Send(ctx context.Context, m gateway.Outbound) (gateway.SendResult, error) {
	if g.cfg.SendURL == "" {
		return gateway.SendResult{}, gateway.ErrUnsupported
	}
	body, _ := json.Marshal(map[string]any{"id": strconv.FormatInt(m.ID, 10), "from": m.From, "to": m.To, "text": m.Text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.SendURL, bytes.NewReader(body))
	if err != nil {
		return gateway.SendResult{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.cfg.SendToken != "" {
		req.Header.Set("Authorization", "Bearer "+g.cfg.SendToken)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return gateway.SendResult{}, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return gateway.SendResult{Reason: fmt.Sprintf("HTTP %d", resp.StatusCode)}, nil
	}
	var ack struct {
		ID any `json:"id"`
	}
	_ = json.Unmarshal(answer, &ack)
	id := ""
	if ack.ID != nil {
		id = fmt.Sprint(ack.ID)
	}
	return gateway.SendResult{Accepted: true, GatewayID: id}, nil
}

// maxBody bounds a pushed request.
const maxBody = 64 << 10

// ServeHTTP takes POST .../inbound (an SMS) and POST .../receipt (a
// delivery receipt of an outbound SMS). It answers 200 only after the
// message is committed, so a device that retries on anything else loses
// nothing, and its message id makes the retry harmless.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request, action string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		reply(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		reply(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if !g.authorized(r, body) {
		reply(w, http.StatusUnauthorized, "invalid token or signature")
		return
	}
	f, err := fields(r.Header.Get("Content-Type"), body)
	if err != nil {
		reply(w, http.StatusBadRequest, err.Error())
		return
	}
	switch action {
	case "inbound":
		g.inbound(w, r, f)
	case "receipt":
		g.receipt(w, r, f)
	default:
		reply(w, http.StatusNotFound, "unknown action")
	}
}

func (g *Gateway) inbound(w http.ResponseWriter, r *http.Request, f map[string]string) {
	for _, k := range []string{"to", "from", "text"} {
		if f[k] == "" {
			reply(w, http.StatusBadRequest, "missing field: "+k)
			return
		}
	}
	in := message.Inbound{To: f["to"], From: f["from"], Text: f["text"], Gateway: g.cfg.Name, GatewayID: f["id"]}
	if ts := f["timestamp"]; ts != "" {
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || sec <= 0 {
			reply(w, http.StatusBadRequest, "timestamp must be unix seconds")
			return
		}
		in.ReceivedAt = time.Unix(sec, 0)
	}
	d, err := g.deliver.Deliver(r.Context(), in)
	switch {
	case errors.Is(err, message.ErrInvalid):
		reply(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, message.ErrForeignNumber):
		g.log.Warn("push gateway: refused a message to another gateway's number", "gateway", g.cfg.Name, "to", in.To)
		reply(w, http.StatusForbidden, err.Error())
	case err != nil:
		g.log.Error("push gateway: storing a message failed", "gateway", g.cfg.Name, "err", err)
		reply(w, http.StatusServiceUnavailable, "temporarily unable to store the message; retry")
	default:
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "message_id": d.Message.ID, "duplicate": d.Duplicate})
	}
}

func (g *Gateway) receipt(w http.ResponseWriter, r *http.Request, f map[string]string) {
	state := strings.ToLower(f["status"])
	if f["id"] == "" || (state != gateway.ReceiptDelivered && state != gateway.ReceiptFailed) {
		reply(w, http.StatusBadRequest, "need id and status delivered or failed")
		return
	}
	matched, err := g.deliver.RecordReceipt(r.Context(), g.cfg.Name, f["id"], state)
	if err != nil {
		g.log.Error("push gateway: storing a receipt failed", "gateway", g.cfg.Name, "err", err)
		reply(w, http.StatusServiceUnavailable, "temporarily unable to store the receipt; retry")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "matched": matched})
}

// authorized accepts the bearer token or the body's HMAC signature,
// compared in constant time.
func (g *Gateway) authorized(r *http.Request, body []byte) bool {
	if g.cfg.Token != "" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(tok), []byte(g.cfg.Token)) == 1 {
			return true
		}
	}
	if g.cfg.Secret != "" {
		sig, ok := strings.CutPrefix(r.Header.Get("X-Mdnhub-Signature"), "sha256=")
		got, err := hex.DecodeString(sig)
		if ok && err == nil {
			mac := hmac.New(sha256.New, []byte(g.cfg.Secret))
			mac.Write(body)
			return hmac.Equal(got, mac.Sum(nil))
		}
	}
	return false
}

// fields reads a JSON object (strings or numbers) or a form body.
func fields(contentType string, body []byte) (map[string]string, error) {
	ct, _, _ := mime.ParseMediaType(contentType)
	out := map[string]string{}
	switch ct {
	case "application/json":
		var raw map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return nil, errors.New("body is not a JSON object")
		}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				out[k] = v
			case json.Number:
				out[k] = v.String()
			case nil:
			default:
				return nil, fmt.Errorf("field %s must be a string or a number", k)
			}
		}
	case "application/x-www-form-urlencoded", "":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errors.New("malformed form body")
		}
		for k := range vals {
			out[k] = vals.Get(k)
		}
	default:
		return nil, fmt.Errorf("unsupported content type %q: send JSON or a form", ct)
	}
	return out, nil
}

func reply(w http.ResponseWriter, code int, text string) {
	writeJSON(w, code, map[string]any{"status": "error", "message": text})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
