package proxy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mdnhub/internal/account"
	"mdnhub/internal/db"
	"mdnhub/internal/idempotency"
)

// MinMinutes and MaxMinutes bound a rental's duration.
const (
	MinMinutes = 60
	MaxMinutes = 90 * 24 * 60
)

// Price is the price of a rental: the hourly rate pro rata, less the
// discount of the longest threshold the duration reaches, rounded half up.
func (s *Service) Price(minutes int64, exclusive bool) int64 {
	rate := s.opt.SharedHourlyCents
	if exclusive {
		rate = s.opt.ExclusiveHourlyCents
	}
	var pct int64
	for _, d := range s.opt.Discounts {
		if minutes >= d.Minutes {
			pct = d.Percent
		}
	}
	return (minutes*rate*(100-pct) + 3000) / 6000
}

// RentAsk is a proxy_rent call.
type RentAsk struct {
	UserID    int64
	Username  string
	Port      string // "" for a random port with room
	Service   string // shown to other users
	Minutes   int64
	Exclusive bool
	// Once, when not nil, makes the call idempotent: its answer is stored
	// with the charge, and a retry with its key changes nothing.
	Once *idempotency.Call[Rental]
}

func validService(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", ErrServiceRequired
	case utf8.RuneCountInString(s) > 64 || strings.ContainsAny(s, ",\r\n\t"):
		return "", ErrServiceTooLong
	}
	return s, nil
}

// Rent rents a port for minutes, shared or exclusive, with the charge and
// its ledger entry and the expiry job in one transaction. The credentials
// work at once.
func (s *Service) Rent(ctx context.Context, a RentAsk) (Rental, error) {
	service, err := validService(a.Service)
	if err != nil {
		return Rental{}, err
	}
	switch {
	case a.Minutes < MinMinutes:
		return Rental{}, ErrMinDuration
	case a.Minutes > MaxMinutes:
		return Rental{}, ErrDurationTooLong
	}
	var r Rental
	err = s.txNamed(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = idempotency.Run(ctx, tx, a.Once, func() (Rental, error) { return s.rent(ctx, tx, a, service) })
		return err
	})
	return r, err
}

// rent makes a rental inside tx: port, credentials, charge and expiry job.
func (s *Service) rent(ctx context.Context, tx *sql.Tx, a RentAsk, service string) (Rental, error) {
	now := s.clock.Now()
	port, err := s.pickPort(ctx, tx, a.UserID, a.Port, a.Exclusive, 0, "")
	if err != nil {
		return Rental{}, err
	}
	pass, err := password()
	if err != nil {
		return Rental{}, err
	}
	name, err := s.proxyUserName(ctx, tx, a.Username, port, 0)
	if err != nil {
		return Rental{}, err
	}
	r := Rental{UserID: a.UserID, Port: port, Service: service, Exclusive: a.Exclusive,
		ProxyUser: name, Minutes: a.Minutes,
		PriceCents: s.Price(a.Minutes, a.Exclusive), Status: "active", CreatedAt: now.Unix(),
		ExpiresAt: now.Add(time.Duration(a.Minutes) * time.Minute).Unix(), Password: pass}
	if err := tx.QueryRowContext(ctx, `INSERT INTO proxy_rentals (user_id, port_id, service, exclusive, proxy_user, pass_hash,
		minutes, price_cents, status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10) RETURNING id`,
		r.UserID, r.Port, r.Service, r.Exclusive, r.ProxyUser, hashPass(pass), r.Minutes, r.PriceCents, r.CreatedAt, r.ExpiresAt).
		Scan(&r.ID); err != nil {
		return Rental{}, err
	}
	kind := "shared"
	if r.Exclusive {
		kind = "exclusive"
	}
	reason := fmt.Sprintf("Proxy %d: port %s, %s, %d minutes", r.ID, r.Port, kind, r.Minutes)
	if r.PriceCents > 0 {
		if _, err := account.Post(ctx, tx, r.UserID, -r.PriceCents, account.KindProxy, reason, r.ID, now.Unix()); err != nil {
			return Rental{}, err
		}
	}
	return r, s.sched.ScheduleProxyExpiry(ctx, tx, r.ID, time.Unix(r.ExpiresAt, 0))
}

// pickPort returns the port asked for, checked, or a random one with room,
// for a new or moved rental of userID (moving is the id of the rental being
// moved, whose own lease does not count; a random pick avoids its port). The port row stays locked for the
// rest of the transaction, so concurrent rentals cannot overfill it.
func (s *Service) pickPort(ctx context.Context, tx *sql.Tx, userID int64, want string, exclusive bool, moving int64, avoid string) (string, error) {
	if want != "" {
		return want, s.checkPort(ctx, tx, userID, want, exclusive, moving)
	}
	now := s.clock.Now().Unix()
	for tries := 0; tries < 5; tries++ {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT p.id FROM proxy_ports p WHERE p.enabled AND p.id <> $4 AND (`+roomSQL(exclusive)+`)
			ORDER BY random() LIMIT 1`, now, moving, userID, avoid).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", ErrNoPorts
		}
		if err != nil {
			return "", err
		}
		// Re-checked under the port's lock: the pick above may race.
		err = s.checkPort(ctx, tx, userID, id, exclusive, moving)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, ErrPortFull) && !errors.Is(err, ErrNotExclusive) && !errors.Is(err, ErrAlreadyRenting) {
			return "", err
		}
	}
	return "", ErrNoPorts
}

// roomSQL is the condition that port p has room for one more lease of user
// $3 at time $1, not counting rental $2.
func roomSQL(exclusive bool) string {
	active := `x.port_id = p.id AND x.status = 'active' AND x.expires_at > $1 AND x.id <> $2`
	cond := `NOT EXISTS (SELECT 1 FROM proxy_rentals x WHERE ` + active + ` AND x.exclusive)
		AND NOT EXISTS (SELECT 1 FROM proxy_rentals x WHERE ` + active + ` AND x.user_id = $3)
		AND (SELECT COUNT(*) FROM proxy_rentals x WHERE ` + active + `) < `
	if exclusive {
		return cond + `1 AND p.exclusive_allowed`
	}
	return cond + `p.capacity`
}

// checkPort locks a port and tells whether the user may add a lease to it.
func (s *Service) checkPort(ctx context.Context, tx *sql.Tx, userID int64, id string, exclusive bool, moving int64) error {
	now := s.clock.Now().Unix()
	var enabled bool
	err := tx.QueryRowContext(ctx, `SELECT enabled FROM proxy_ports WHERE id = $1`+s.db.ForUpdate(), id).Scan(&enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
		return ErrNoPort
	}
	if err != nil {
		return err
	}
	var mine, room bool
	if err := tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM proxy_rentals WHERE port_id = $1 AND user_id = $2 AND status = 'active' AND expires_at > $3 AND id <> $4)`,
		id, userID, now, moving).Scan(&mine); err != nil {
		return err
	}
	if mine {
		return ErrAlreadyRenting
	}
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM proxy_ports p WHERE p.id = $4 AND (`+roomSQL(exclusive)+`))`,
		now, moving, userID, id).Scan(&room); err != nil {
		return err
	}
	switch {
	case room:
		return nil
	case exclusive:
		return ErrNotExclusive
	}
	return ErrPortFull
}

// Swap moves an active rental to another port (the one asked for, or a
// random one with room) with new credentials and the same expiry; the old
// credentials stop working and their tunnels are closed.
func (s *Service) Swap(ctx context.Context, userID int64, username string, ref Ref, port string) (Rental, error) {
	var r Rental
	err := s.txNamed(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = s.find(ctx, tx, userID, ref, true); err != nil {
			return err
		}
		if port == r.Port {
			return ErrSamePort
		}
		if r.Port, err = s.pickPort(ctx, tx, userID, port, r.Exclusive, r.ID, r.Port); err != nil {
			return err
		}
		if r.Password, err = password(); err != nil {
			return err
		}
		if r.ProxyUser, err = s.proxyUserName(ctx, tx, username, r.Port, r.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proxy_rentals SET port_id = $1, proxy_user = $2, pass_hash = $3 WHERE id = $4`,
			r.Port, r.ProxyUser, hashPass(r.Password), r.ID); err != nil {
			return err
		}
		s.revokeAfterCommit(tx, r.ID)
		return nil
	})
	return r, err
}

// Ref names a proxy rental: by id, or by its proxy user.
type Ref struct {
	ID        int64
	ProxyUser string
}

const rentalColumns = `id, user_id, port_id, service, exclusive, proxy_user, minutes, price_cents, status, created_at, expires_at`

func scanRental(row interface{ Scan(...any) error }) (Rental, error) {
	var r Rental
	err := row.Scan(&r.ID, &r.UserID, &r.Port, &r.Service, &r.Exclusive, &r.ProxyUser, &r.Minutes, &r.PriceCents,
		&r.Status, &r.CreatedAt, &r.ExpiresAt)
	return r, err
}

// find returns the user's active rental named by ref.
func (s *Service) find(ctx context.Context, q db.Querier, userID int64, ref Ref, lock bool) (Rental, error) {
	suffix := ""
	if lock {
		suffix = s.db.ForUpdate()
	}
	var (
		r   Rental
		err error
	)
	if ref.ID != 0 {
		r, err = scanRental(q.QueryRowContext(ctx, `SELECT `+rentalColumns+` FROM proxy_rentals WHERE id = $1 AND user_id = $2`+suffix, ref.ID, userID))
	} else {
		r, err = scanRental(q.QueryRowContext(ctx, `SELECT `+rentalColumns+` FROM proxy_rentals
			WHERE proxy_user = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1`+suffix, strings.ToLower(ref.ProxyUser), userID))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Rental{}, ErrNotFound
	}
	if err != nil {
		return Rental{}, err
	}
	if r.Status != "active" || r.ExpiresAt <= s.clock.Now().Unix() {
		return Rental{}, ErrEnded
	}
	return r, nil
}

// Rentals returns the user's proxy rentals, newest first.
func (s *Service) Rentals(ctx context.Context, userID int64, limit int) ([]Rental, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+rentalColumns+` FROM proxy_rentals WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanRental)
}

const passAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// password makes a random 15-character proxy password.
func password() (string, error) {
	b := make([]byte, 15)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passAlphabet))))
		if err != nil {
			return "", err
		}
		b[i] = passAlphabet[n.Int64()]
	}
	return string(b), nil
}

func hashPass(p string) string {
	sum := sha256.Sum256([]byte(p))
	return hex.EncodeToString(sum[:])
}

// Auth is the proxy_auth text shown to the customer.
func (s *Service) Auth(r Rental) string {
	opt := s.Options()
	return "IP: " + opt.PublicIP + "\nSOCKS5 Port: " + strconv.Itoa(opt.SOCKSPort) + " / HTTPS Port: " + strconv.Itoa(opt.HTTPPort) +
		"\nUser: " + r.ProxyUser + "\nPass: " + r.Password
}
