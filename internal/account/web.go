package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"mdnhub/internal/db"
)

// Errors of the web site's accounts.
var (
	ErrBadLogin     = errors.New("wrong user name or password")
	ErrUnconfirmed  = errors.New("e-mail address not confirmed")
	ErrTokenInvalid = errors.New("this link is not valid: it was used already, has expired, or was never sent")
	ErrNoSession    = errors.New("not logged in")
)

// TokenPurpose names what a one-use e-mail token does.
type TokenPurpose string

// Token purposes and how long each link stays valid.
const (
	TokenConfirm TokenPurpose = "confirm" // confirm the e-mail address
	TokenReset   TokenPurpose = "reset"   // set a new password
	TokenAPIKey  TokenPurpose = "apikey"  // generate a new API key
)

// tokenTTL is how long each kind of link stays valid.
var tokenTTL = map[TokenPurpose]time.Duration{
	TokenConfirm: 48 * time.Hour,
	TokenReset:   time.Hour,
	TokenAPIKey:  time.Hour,
}

// TokenTTL is how long a link of purpose p stays valid.
func TokenTTL(p TokenPurpose) time.Duration { return tokenTTL[p] }

// randomToken is 32 random bytes, URL-safe.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenHash(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// SignUp creates a user with a password, not yet confirmed, and returns the
// token of the confirmation link, in one transaction.
func (s *Service) SignUp(ctx context.Context, username, email, password string) (User, string, error) {
	hash, err := hashPassword(password)
	if err != nil {
		return User{}, "", err
	}
	var (
		u     User
		token string
	)
	err = s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		if u, err = s.create(ctx, tx, username, email); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, u.ID); err != nil {
			return err
		}
		token, err = s.issueToken(ctx, tx, u.ID, TokenConfirm)
		return err
	})
	u.HasPassword = err == nil
	return u, token, err
}

// IssueToken makes a one-use token for the user, to be sent by e-mail.
func (s *Service) IssueToken(ctx context.Context, userID int64, p TokenPurpose) (string, error) {
	var token string
	err := s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		token, err = s.issueToken(ctx, tx, userID, p)
		return err
	})
	return token, err
}

func (s *Service) issueToken(ctx context.Context, tx *sql.Tx, userID int64, p TokenPurpose) (string, error) {
	token, err := randomToken()
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	_, err = tx.ExecContext(ctx, `INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, tokenHash(token), userID, string(p), now.Unix(), now.Add(tokenTTL[p]).Unix())
	return token, err
}

// useToken marks a token of purpose p used inside tx and returns its user:
// ErrTokenInvalid when it is unknown, used, expired, or another purpose's.
func (s *Service) useToken(ctx context.Context, tx *sql.Tx, token string, p TokenPurpose) (int64, error) {
	var userID int64
	err := tx.QueryRowContext(ctx, `UPDATE account_tokens SET used_at = $1
		WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id`,
		s.clock.Now().Unix(), tokenHash(token), string(p)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrTokenInvalid
	}
	return userID, err
}

// ConfirmEmail uses a confirmation token: the user's address is confirmed.
func (s *Service) ConfirmEmail(ctx context.Context, token string) (User, error) {
	var userID int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		if userID, err = s.useToken(ctx, tx, token, TokenConfirm); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, $1) WHERE id = $2`,
			s.clock.Now().Unix(), userID)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, userID)
}

// StartPasswordReset returns the user with this e-mail address (or user
// name) and a reset token; db.ErrNotFound when there is none, which a page
// must not reveal.
func (s *Service) StartPasswordReset(ctx context.Context, login string) (User, string, error) {
	u, err := s.Find(ctx, login)
	if err != nil {
		return User{}, "", err
	}
	token, err := s.IssueToken(ctx, u.ID, TokenReset)
	return u, token, err
}

// ResetPassword uses a reset token to set a new password. Having the link
// proves the address, so it is confirmed too; every session of the user ends.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (User, error) {
	hash, err := hashPassword(password)
	if err != nil {
		return User{}, err
	}
	var userID int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		if userID, err = s.useToken(ctx, tx, token, TokenReset); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, email_confirmed_at = COALESCE(email_confirmed_at, $2)
			WHERE id = $3`, hash, s.clock.Now().Unix(), userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE user_id = $1`, userID)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, userID)
}

// SetPassword sets a user's password (the operator's command).
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
}

// ConfirmAddress marks a user's e-mail address confirmed (the operator's
// command, and the demo's user).
func (s *Service) ConfirmAddress(ctx context.Context, userID int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, $1) WHERE id = $2`,
			s.clock.Now().Unix(), userID)
		return err
	})
}

// RedeemKeyToken uses an API-key token of this user and generates the new
// key in the same transaction: the old key stops working at once.
func (s *Service) RedeemKeyToken(ctx context.Context, userID int64, token string) (string, error) {
	var key string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		owner, err := s.useToken(ctx, tx, token, TokenAPIKey)
		if err != nil {
			return err
		}
		if owner != userID {
			// Another user's link: refused like an unknown one, and the
			// rollback leaves it unused for its owner.
			return ErrTokenInvalid
		}
		key, err = s.generateKey(ctx, tx, userID)
		return err
	})
	if err != nil {
		return "", err
	}
	s.cache.dropUser(userID)
	return key, nil
}

// dummyHash keeps a failed login for an unknown user as slow as one for a
// known user, so the time does not tell which names exist. It is made at the
// first such login, not when the program starts: argon2id's 64 MB of work
// memory and 0.4 s at start-up weighed on every process, the API server's
// resident memory and each command of the command line alike.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword("an unused password, only ever compared")
	return h
})

// Login checks a user name (or e-mail) and password: ErrBadLogin for either
// wrong, ErrUnconfirmed before the address is confirmed, ErrSuspended.
func (s *Service) Login(ctx context.Context, login, password string) (User, error) {
	if len(login) > 254 || len(password) > 4*MaxPasswordLength {
		return User{}, ErrBadLogin
	}
	var (
		u    User
		hash string
	)
	err := s.db.R.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE login = $1 OR email = $1 ORDER BY id LIMIT 1`, strings.ToLower(strings.TrimSpace(login))).
		Scan(append(u.fields(), &hash)...)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && hash == "") {
		checkPassword(dummyHash(), password)
		return User{}, ErrBadLogin
	}
	if err != nil {
		return User{}, err
	}
	ok, err := checkPassword(hash, password)
	switch {
	case err != nil:
		return User{}, err
	case !ok:
		return User{}, ErrBadLogin
	case u.Suspended:
		return User{}, ErrSuspended
	case !u.EmailConfirmed:
		return u, ErrUnconfirmed
	}
	return u, nil
}

// Session is a logged-in browser.
type Session struct {
	Token     string // the cookie's value (only when created)
	CSRF      string // every form of the session carries it
	User      User
	ExpiresAt time.Time
}

// NewSession logs a user in for ttl and returns the session with its token.
func (s *Service) NewSession(ctx context.Context, userID int64, ttl time.Duration) (Session, error) {
	token, err := randomToken()
	if err != nil {
		return Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return Session{}, err
	}
	now := s.clock.Now()
	sess := Session{Token: token, CSRF: csrf, ExpiresAt: now.Add(ttl)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Expired sessions of the user go as a new one comes.
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE user_id = $1 AND expires_at <= $2`, userID, now.Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			tokenHash(token), userID, csrf, now.Unix(), sess.ExpiresAt.Unix())
		return err
	})
	if err != nil {
		return Session{}, err
	}
	sess.User, err = s.Get(ctx, userID)
	return sess, err
}

// SessionOf returns the live session of a cookie's token with its user:
// ErrNoSession when it is unknown or expired, or its user suspended.
func (s *Service) SessionOf(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 128 {
		return Session{}, ErrNoSession
	}
	var (
		sess    Session
		expires int64
	)
	u := &sess.User
	err := s.db.R.QueryRowContext(ctx, `SELECT `+prefixed("u.", userColumns)+`, w.csrf, w.expires_at
		FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.token_hash = $1`, tokenHash(token)).
		Scan(append(u.fields(), &sess.CSRF, &expires)...)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (expires <= s.clock.Now().Unix() || u.Suspended)) {
		return Session{}, ErrNoSession
	}
	sess.ExpiresAt = time.Unix(expires, 0)
	return sess, err
}

// EndSession logs a browser out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE token_hash = $1`, tokenHash(token))
		return err
	})
}

// prefixed qualifies every column of a comma-separated list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
