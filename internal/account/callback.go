package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"mdnhub/internal/db"
)

// CallbackSettings are an account's callback URL and signing secret.
type CallbackSettings struct {
	URL    string
	Secret string
}

// ValidateCallbackURL checks a callback URL: http or https with a host, no
// credentials, no fragment, at most 2048 characters. "" is valid (off).
func ValidateCallbackURL(raw string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > 2048 {
		return fmt.Errorf("%w: callback URL longer than 2048 characters", ErrInvalid)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%w: callback URL is not a URL", ErrInvalid)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: callback URL must start with http:// or https://", ErrInvalid)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%w: callback URL has no host", ErrInvalid)
	case u.User != nil:
		return fmt.Errorf("%w: callback URL must not carry a user name or password", ErrInvalid)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("%w: callback URL must not have a #fragment", ErrInvalid)
	}
	return nil
}

// SetCallback sets an account's callback URL ("" turns callbacks off) and
// secret. An empty secret keeps the current one, or generates one when the
// account has none; the secret in use is returned.
func (s *Service) SetCallback(ctx context.Context, userID int64, rawURL, secret string) (CallbackSettings, error) {
	rawURL = strings.TrimSpace(rawURL)
	if err := ValidateCallbackURL(rawURL); err != nil {
		return CallbackSettings{}, err
	}
	if secret != "" && (len(secret) < 16 || len(secret) > 128) {
		return CallbackSettings{}, fmt.Errorf("%w: callback secret must be 16 to 128 characters", ErrInvalid)
	}
	out := CallbackSettings{URL: rawURL}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT callback_secret FROM users WHERE id = $1`, userID).Scan(&current); err != nil {
			return db.NoRows(err)
		}
		out.Secret = secret
		if out.Secret == "" {
			out.Secret = current
		}
		if out.Secret == "" {
			b := make([]byte, 24)
			rand.Read(b)
			out.Secret = hex.EncodeToString(b)
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET callback_url = $1, callback_secret = $2 WHERE id = $3`, out.URL, out.Secret, userID)
		return err
	})
	return out, err
}

// Callback returns an account's callback settings.
func (s *Service) Callback(ctx context.Context, userID int64) (CallbackSettings, error) {
	var c CallbackSettings
	err := s.db.R.QueryRowContext(ctx, `SELECT callback_url, callback_secret FROM users WHERE id = $1`, userID).Scan(&c.URL, &c.Secret)
	return c, db.NoRows(err)
}
