// Package account holds users, their API keys and the prepaid balance with its
// append-only ledger.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"mdnhub/internal/clock"
	"mdnhub/internal/db"
)

// Errors of this package.
var (
	ErrInvalid      = errors.New("invalid")
	ErrUnauthorized = errors.New("invalid user name or API key")
	ErrSuspended    = errors.New("account suspended")
)

// User is an account.
type User struct {
	ID           int64
	Username     string
	Email        string
	Role         string
	Suspended    bool
	BalanceCents int64
	HasAPIKey    bool
	CreatedAt    int64
	// RequestStatusFormat is FormatArray, FormatObject, or "" for the
	// operator's default.
	RequestStatusFormat string
	// EmailConfirmed tells whether the address was confirmed by a link.
	EmailConfirmed bool
	// HasPassword tells whether the user can log in to the web site.
	HasPassword bool
}

// Principal is an authenticated API caller, with the account settings that
// shape its answers (cached with it, so they cost nothing per call). A column
// of users that feeds it must be among those whose change the triggers of
// migration 00011 count (auth_epoch), or cached callers would keep its old
// value; a later migration that rebuilds users on SQLite must create those
// triggers again.
type Principal struct {
	UserID   int64
	Username string
	// RequestStatusFormat is how request_status answers: FormatArray,
	// FormatObject, or "" for the operator's default.
	RequestStatusFormat string
}

// Shapes of request_status's answer.
const (
	FormatArray  = "array"
	FormatObject = "object"
)

// Service manages accounts.
type Service struct {
	db    *db.DB
	clock clock.Clock
	cache *authCache
	// balances keeps balances for the balance command (see db.View).
	balances *db.View[int64, int64]

	epochMu   sync.Mutex
	epochStmt *sql.Stmt // reads auth_epoch, prepared on first use
	// The auth_epoch last read and the database's commit mark before that
	// read: while the mark stands, no commit happened anywhere and the
	// count is still the same (see authEpoch).
	epochMark  db.CommitMark
	epochKnown bool
	epochLast  int64

	pingEvery time.Duration // the auth listener's quiet time before a ping (Watch)
}

// NewService returns the account service. Verified API keys are cached for
// cacheTTL (at most cacheSize of them). A cached key is trusted only while no
// change of keys, suspensions or account settings happened since, made by
// this process or any other: the database's change count is read on each
// cached call, or on PostgreSQL changes are heard by notification while
// Watch runs.
func NewService(d *db.DB, c clock.Clock, cacheTTL time.Duration, cacheSize int) *Service {
	return &Service{db: d, clock: c, cache: newAuthCache(cacheTTL, cacheSize), pingEvery: listenPingEvery,
		balances: db.NewView[int64, int64](d, viewSize)}
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$`)

// Create adds a user with no API key and a zero balance.
func (s *Service) Create(ctx context.Context, username, email string) (User, error) {
	var u User
	err := s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		u, err = s.create(ctx, tx, username, email)
		return err
	})
	return u, err
}

// create checks and inserts a user inside tx.
func (s *Service) create(ctx context.Context, tx *sql.Tx, username, email string) (User, error) {
	if !usernameRE.MatchString(username) {
		return User{}, fmt.Errorf("%w: user name must be 3 to 32 letters, digits, '.', '_' or '-'", ErrInvalid)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return User{}, fmt.Errorf("%w: %q is not an e-mail address", ErrInvalid, email)
	}
	u := User{Username: username, Email: strings.ToLower(email), Role: "user", CreatedAt: s.clock.Now().Unix()}
	err = tx.QueryRowContext(ctx,
		`INSERT INTO users (username, login, email, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		username, strings.ToLower(username), u.Email, u.CreatedAt).Scan(&u.ID)
	if db.IsUniqueViolation(err) {
		return User{}, fmt.Errorf("%w: user name or e-mail already taken", db.ErrConflict)
	}
	return u, err
}

// SetRole sets a user's role ("user" or "admin").
func (s *Service) SetRole(ctx context.Context, userID int64, role string) error {
	if role != "user" && role != "admin" {
		return fmt.Errorf("%w: role must be user or admin", ErrInvalid)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET role = $1 WHERE id = $2`, role, userID)
		return err
	})
}

// SetRequestStatusFormat sets how request_status answers a user:
// FormatArray, FormatObject, or "" (also "default") for the operator's
// default. It takes effect at once, in every process on the database.
func (s *Service) SetRequestStatusFormat(ctx context.Context, userID int64, format string) error {
	format = strings.ToLower(strings.TrimSpace(format))
	switch format {
	case "default":
		format = ""
	case "", FormatArray, FormatObject:
	default:
		return fmt.Errorf("%w: request_status_format must be array, object or default", ErrInvalid)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET request_status_format = $1 WHERE id = $2`, format, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
	if err == nil {
		s.cache.dropUser(userID)
	}
	return err
}

// SetSuspended suspends a user (every API call answers Account suspended)
// or lifts the suspension. Like every change of what authenticates a caller,
// it takes effect at once in every process on the database.
func (s *Service) SetSuspended(ctx context.Context, userID int64, suspended bool) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET suspended = $1 WHERE id = $2`, suspended, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		if suspended {
			// A suspended account is logged out of the web site too.
			_, err = tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE user_id = $1`, userID)
		}
		return err
	})
	if err == nil {
		s.cache.dropUser(userID)
	}
	return err
}

// userColumns are read into a User by fields.
const userColumns = `id, username, email, role, suspended, balance_cents, api_key_hash IS NOT NULL, created_at,
	request_status_format, email_confirmed_at IS NOT NULL, password_hash <> ''`

func (u *User) fields() []any {
	return []any{&u.ID, &u.Username, &u.Email, &u.Role, &u.Suspended, &u.BalanceCents, &u.HasAPIKey, &u.CreatedAt,
		&u.RequestStatusFormat, &u.EmailConfirmed, &u.HasPassword}
}

// Find looks a user up by user name or e-mail, case-insensitively.
func (s *Service) Find(ctx context.Context, login string) (User, error) {
	return s.find(ctx, `login = $1 OR email = $1`, strings.ToLower(login))
}

// Get returns a user by id.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	return s.find(ctx, `id = $1`, id)
}

func (s *Service) find(ctx context.Context, where string, arg any) (User, error) {
	var u User
	err := s.db.R.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE `+where+` ORDER BY id LIMIT 1`, arg).
		Scan(u.fields()...)
	return u, db.NoRows(err)
}

// viewSize bounds the balances kept in memory.
const viewSize = 100_000

// Balance returns a user's balance in cents. Clients poll it: it is kept in
// memory until a transaction changes it (Post touches the user).
func (s *Service) Balance(ctx context.Context, userID int64) (int64, error) {
	return s.balances.Get(userID, userID, func() (int64, error) {
		var b int64
		err := s.db.R.QueryRowContext(ctx, `SELECT balance_cents FROM users WHERE id = $1`, userID).Scan(&b)
		return b, db.NoRows(err)
	})
}

// GenerateKey gives a user a new random API key and returns it; the old key
// stops working at once, in every process on the database. Only a hash of
// the key is stored.
func (s *Service) GenerateKey(ctx context.Context, userID int64) (string, error) {
	var key string
	err := s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		key, err = s.generateKey(ctx, tx, userID)
		return err
	})
	if err != nil {
		return "", err
	}
	s.cache.dropUser(userID)
	return key, nil
}

// generateKey stores a new random API key's hash inside tx and returns the
// key.
func (s *Service) generateKey(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	key := hex.EncodeToString(raw)
	res, err := tx.ExecContext(ctx, `UPDATE users SET api_key_hash = $1 WHERE id = $2`, hashKey(key), userID)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", db.ErrNotFound
	}
	return key, nil
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Authenticate checks a user name (or e-mail) and API key. The stored hash
// is compared in constant time; successful checks are cached because clients
// poll several times a second. A cached check is trusted only while the
// database reports no change of keys, suspensions or account settings since
// (see authCache and cached), so a change made anywhere takes effect at once.
func (s *Service) Authenticate(ctx context.Context, login, key string) (Principal, error) {
	if login == "" || key == "" || len(login) > 254 || len(key) > 256 {
		return Principal{}, ErrUnauthorized
	}
	login = strings.ToLower(login)
	keyHash := hashKey(key)
	return s.cached(ctx, login, keyHash, func() (Principal, error) {
		var (
			p         Principal
			stored    sql.NullString
			suspended bool
		)
		err := s.db.R.QueryRowContext(ctx,
			`SELECT id, username, api_key_hash, suspended, request_status_format FROM users WHERE login = $1 OR email = $1 ORDER BY id LIMIT 1`, login).
			Scan(&p.UserID, &p.Username, &stored, &suspended, &p.RequestStatusFormat)
		if errors.Is(err, sql.ErrNoRows) {
			return Principal{}, ErrUnauthorized
		}
		if err != nil {
			return Principal{}, err
		}
		if !stored.Valid || subtle.ConstantTimeCompare([]byte(stored.String), []byte(keyHash)) != 1 {
			return Principal{}, ErrUnauthorized
		}
		if suspended {
			return Principal{}, ErrSuspended
		}
		return p, nil
	})
}

// cached is the one way through the cache for both kinds of
// authentication (Authenticate, AuthenticateKey): it answers what an
// earlier check of (login, keyHash) verified while the database reports no
// change since, and otherwise runs lookup and keeps what it verified. Only
// successes are kept: a refusal is looked up again, and the failed
// authentication budget (package ratelimit) bounds how often.
func (s *Service) cached(ctx context.Context, login, keyHash string, lookup func() (Principal, error)) (Principal, error) {
	if !s.cache.enabled() {
		return lookup()
	}
	now := s.clock.Now()
	gen, notified := s.cache.state()
	if !notified {
		epoch, err := s.authEpoch(ctx)
		if err != nil {
			return Principal{}, err
		}
		gen = s.cache.sync(epoch)
	}
	if p, ok := s.cache.get(login, keyHash, now); ok {
		return p, nil
	}
	p, err := lookup()
	if err == nil {
		s.cache.put(login, keyHash, p, now, gen)
	}
	return p, err
}

// authEpoch reads the database's count of changes that affect authentication
// (the auth_epoch row, bumped by triggers on users): one row of one integer,
// through a prepared statement since it runs on every cached call. Where the
// database offers a commit mark (SQLite), the count is read again only
// after some transaction committed, in this process or another: the mark
// costs one small read of shared memory instead of a query, and the answer
// is as fresh as the query's.
func (s *Service) authEpoch(ctx context.Context) (int64, error) {
	mark, marked := s.db.CommitMark()
	s.epochMu.Lock()
	if marked && s.epochKnown && mark == s.epochMark {
		n := s.epochLast
		s.epochMu.Unlock()
		return n, nil
	}
	st := s.epochStmt
	if st == nil {
		var err error
		if st, err = s.db.R.PrepareContext(ctx, `SELECT n FROM auth_epoch WHERE id = 1`); err != nil {
			s.epochMu.Unlock()
			return 0, err
		}
		s.epochStmt = st
	}
	s.epochMu.Unlock()
	var n int64
	if err := st.QueryRowContext(ctx).Scan(&n); err != nil {
		return 0, err
	}
	if marked {
		// The mark taken before the read: a commit after it moves the
		// mark, and the next call reads again.
		s.epochMu.Lock()
		s.epochMark, s.epochKnown, s.epochLast = mark, true, n
		s.epochMu.Unlock()
	}
	return n, nil
}
