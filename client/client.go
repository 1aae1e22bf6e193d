package client

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one mdnhub server as one account. It is safe for concurrent
// use. Change its fields before the first call, or use the options of New.
type Client struct {
	// BaseURL is the server's address, such as https://mdnhub.example;
	// calls go to BaseURL + "/api_command.php".
	BaseURL string
	// User is the account's user name or e-mail address.
	User string
	// Key is the account's API key.
	Key string
	// HTTPClient sends the calls (default: a client without a total timeout;
	// Timeout bounds each attempt instead).
	HTTPClient *http.Client
	// Timeout bounds one attempt of one call (default 30 s); a long-poll
	// gets its wait on top.
	Timeout time.Duration
	// Retry says how calls that are safe to repeat are retried.
	Retry Retry
	// PollInterval is how often WaitForNumber asks again (default 2 s).
	PollInterval time.Duration
	// UserAgent is sent with every call.
	UserAgent string
}

// Retry is the retry policy. A call is retried after a network error, an
// HTTP 5xx from a proxy in front of the server, or the server's
// "temporarily unavailable" answer, only when repeating it cannot change
// anything twice: reads, and the keyed writes (Request, RentLTR, SendSMS,
// RentProxy). A rate-limited call (HTTP 429) is retried whatever it is,
// after the server's Retry-After, since the server refused it unread.
type Retry struct {
	// Attempts is the most attempts of one call (default 4; 1: no retry).
	Attempts int
	// MinBackoff is the first wait (default 250 ms); each next one doubles,
	// up to MaxBackoff (default 5 s), with jitter.
	MinBackoff, MaxBackoff time.Duration
	// NoWriteRetries stops the retries of keyed writes: for a server of the
	// API family that ignores idempotency_key (mdnhub honours it).
	NoWriteRetries bool
}

// Option configures a Client in New.
type Option func(*Client)

// WithHTTPClient sets the HTTP client.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTPClient = h } }

// WithRetry sets the retry policy.
func WithRetry(r Retry) Option { return func(c *Client) { c.Retry = r } }

// WithTimeout sets the time limit of one attempt.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.Timeout = d } }

// New returns a client of the server at baseURL for the account user with
// its API key.
func New(baseURL, user, key string, opts ...Option) *Client {
	c := &Client{BaseURL: strings.TrimRight(baseURL, "/"), User: user, Key: key}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Version is the SDK's version, sent in the User-Agent.
const Version = "1.0.0"

// safety says whether a call may be sent again.
type safety int

const (
	once  safety = iota // a write without a key: sent once (429 aside)
	read                // changes nothing
	keyed               // a write with an idempotency key
)

// NewIdempotencyKey returns a random key for one intended change.
func NewIdempotencyKey() string {
	var b [16]byte
	if _, err := crand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported systems; a time-based key
		// still tells changes apart.
		return "t" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return hex.EncodeToString(b[:])
}

// envelope is every answer of the API.
type envelope struct {
	Status  string          `json:"status"`
	Message json.RawMessage `json:"message"`
}

// maxAnswer bounds the size of an answer read.
const maxAnswer = 32 << 20

// call runs cmd with params and decodes the answer's message into out (nil:
// ignore it). wait is the server-side wait of a long-poll, added to the
// attempt's time limit.
func (c *Client) call(ctx context.Context, cmd string, params url.Values, s safety, wait time.Duration, out any) error {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("cmd", cmd)
	form.Set("user", c.User)
	form.Set("api_key", c.Key)
	body := form.Encode()

	attempts := c.Retry.Attempts
	if attempts <= 0 {
		attempts = 4
	}
	var err error
	for attempt := 1; ; attempt++ {
		var raw json.RawMessage
		var retryAfter time.Duration
		raw, retryAfter, err = c.attempt(ctx, body, wait)
		if err == nil {
			if out == nil {
				return nil
			}
			if derr := json.Unmarshal(raw, out); derr != nil {
				return fmt.Errorf("mdnhub %s: unexpected answer %s: %w", cmd, truncate(raw), derr)
			}
			return nil
		}
		if attempt >= attempts || !c.retryable(err, s) || ctx.Err() != nil {
			break
		}
		pause := c.backoff(attempt)
		if retryAfter > pause {
			pause = retryAfter
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < pause {
			break
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
	return err
}

// attempt sends one call and returns the message of an ok answer, or the
// error: *APIError for an answer of the server, another error for the
// transport.
func (c *Client) attempt(ctx context.Context, body string, wait time.Duration) (json.RawMessage, time.Duration, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/api_command.php", strings.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	ua := c.UserAgent
	if ua == "" {
		ua = "mdnhub-go-client/" + Version
	}
	req.Header.Set("User-Agent", ua)
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, &TransportError{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, 0, &TransportError{Err: err}
	}
	var env envelope
	if jerr := json.Unmarshal(b, &env); jerr != nil || (env.Status != "ok" && env.Status != "error") {
		return nil, 0, &TransportError{Status: resp.StatusCode, Err: fmt.Errorf("HTTP %d, not an API answer: %s", resp.StatusCode, truncate(b))}
	}
	if env.Status == "ok" {
		return env.Message, 0, nil
	}
	ae := &APIError{HTTPStatus: resp.StatusCode}
	if err := json.Unmarshal(env.Message, &ae.Message); err != nil {
		ae.Message = string(env.Message)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		ae.RetryAfter = time.Duration(s) * time.Second
	}
	return nil, ae.RetryAfter, ae
}

// retryable says whether err may be retried for a call of safety s.
func (c *Client) retryable(err error, s safety) bool {
	var ae *APIError
	if errors.As(err, &ae) && ae.HTTPStatus == http.StatusTooManyRequests {
		return true // refused before it ran
	}
	switch {
	case s == once:
		return false
	case s == keyed && c.Retry.NoWriteRetries:
		return false
	}
	var te *TransportError
	if errors.As(err, &te) {
		return te.Status == 0 || te.Status >= 500
	}
	return errors.Is(err, ErrUnavailable) || (s == keyed && errors.Is(err, ErrKeyInFlight))
}

func (c *Client) backoff(attempt int) time.Duration {
	lo, hi := c.Retry.MinBackoff, c.Retry.MaxBackoff
	if lo <= 0 {
		lo = 250 * time.Millisecond
	}
	if hi <= 0 {
		hi = 5 * time.Second
	}
	d := lo << (attempt - 1)
	if d > hi || d <= 0 {
		d = hi
	}
	return d/2 + rand.N(d/2+1)
}

func truncate(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
