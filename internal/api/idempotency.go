package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"

	"mdnhub/internal/idempotency"
)

// keyParam is the optional parameter that makes request, ltr_rent, send_sms
// and proxy_rent safe to retry (docs/api.md, Idempotency keys).
const keyParam = "idempotency_key"

// unkeyed are the parameters that do not take part in a keyed call's
// fingerprint: who calls (the account is the key's owner whatever name,
// e-mail or key spelling it uses), the command (stored apart), and the key.
var unkeyed = map[string]bool{"user": true, "api_key": true, "pass": true, "cmd": true, keyParam: true}

// keyed returns the idempotency.Call of a call that carries an
// idempotency_key, or nil when it carries none. command is the canonical
// command name (a legacy alias shares its command's keys); render shapes the
// domain's result into the answer's message, as the command would without a
// key. The stored answer is that message's JSON, written by the same encoder
// as every answer, so the first call and every retry give the same bytes; it
// is sealed with the API key the call was authenticated with, as sent.
func keyed[T any](c *call, command string, render func(T) (any, error)) (*idempotency.Call[T], error) {
	key := c.p.raw(keyParam)
	if key == "" {
		return nil, nil
	}
	if !idempotency.ValidKey(key) {
		return nil, errorf("Invalid idempotency_key: must be 1 to %d printable ASCII characters", idempotency.MaxKeyLen)
	}
	return &idempotency.Call[T]{
		UserID: c.user.UserID, Key: key, Command: command, Fingerprint: fingerprint(c.p.v), Now: c.now.Unix(),
		Secret: c.p.first("api_key", "pass"),
		Render: func(v T) ([]byte, error) {
			msg, err := render(v)
			if err != nil {
				return nil, err
			}
			return marshalMessage(msg)
		},
	}, nil
}

// answer is what a keyed command answers: the stored answer when the key had
// one (a retry), the answer just stored (the first call), else the rendered
// result (no key).
func answer[T any](once *idempotency.Call[T], v T, err error, render func(T) (any, error)) (any, error) {
	var replay *idempotency.Replay
	switch {
	case errors.As(err, &replay):
		return json.RawMessage(replay.Answer), nil
	case err != nil:
		return nil, err
	case once != nil && once.Answer != nil:
		return json.RawMessage(once.Answer), nil
	}
	return render(v)
}

// fingerprint identifies a call's parameters, except unkeyed ones: a retry
// with the same key must send the same.
func fingerprint(v url.Values) string {
	kept := url.Values{}
	for k, vs := range v {
		if !unkeyed[k] {
			kept[k] = vs
		}
	}
	sum := sha256.Sum256([]byte(kept.Encode()))
	return hex.EncodeToString(sum[:])
}

// marshalMessage encodes an answer's message as writeJSON does, without the
// trailing newline.
func marshalMessage(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
