// Package message routes inbound SMS to the user holding the number, stores
// them with their recognised PIN, and answers read_sms queries.
package message

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message/pin"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

// ErrInvalid is returned for an inbound message that cannot be stored.
var ErrInvalid = errors.New("invalid message")

// Inbound is an SMS as a gateway hands it over.
type Inbound struct {
	To         string    // the receiving number, any US notation
	From       string    // the sender: a number or a short code
	Text       string    // decoded text
	ReceivedAt time.Time // zero: now
	Gateway    string    // the gateway's name
	GatewayID  string    // the gateway's message id; repeats are stored once
}

// Message is a stored SMS.
type Message struct {
	ID         int64
	UserID     int64
	RequestID  int64
	RentalID   int64
	FirstID    int64 // the first rental of the chain, for rental messages
	MDN        string
	From       string
	Text       string
	PIN        string
	Service    string
	PriceCents int64
	ReceivedAt int64
}

// Claimer attributes an SMS to the open request holding a number; the request
// package implements it.
type Claimer interface {
	ClaimMessage(ctx context.Context, tx *sql.Tx, numberID int64, from, text string, now int64) (request.Request, bool, error)
}

// RentalClaimer attributes an SMS to the active rental of a number; the
// rental package implements it.
type RentalClaimer interface {
	ClaimMessage(ctx context.Context, tx *sql.Tx, numberID int64, from, text string, now int64) (rental.Claim, bool, error)
}

// Service stores and reads messages.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	rentals  RentalClaimer
	requests Claimer
	waiters  waiters
}

// NewService returns the message service. A message goes to the active
// rental of its number, else to the open request holding it.
func NewService(d *db.DB, c clock.Clock, rentals RentalClaimer, requests Claimer) *Service {
	return &Service{db: d, clock: c, rentals: rentals, requests: requests}
}

// Delivery tells where a stored message went.
type Delivery struct {
	Message   Message
	Duplicate bool // the gateway sent this message id before; nothing changed
	Unowned   bool // no one held the number: kept for the operator only
}

// Deliver is the one entry point for inbound SMS from every gateway. In one
// transaction it routes the message to the open request holding the number
// (completing it on the first message), extracts the PIN and stores it;
// a message to a number nobody holds is stored as unowned. It returns only
// after the commit, so a gateway may acknowledge the message then.
func (s *Service) Deliver(ctx context.Context, in Inbound) (Delivery, error) {
	mdn, err := inventory.NormalizeMDN(in.To)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: recipient %q: %v", ErrInvalid, in.To, err)
	}
	from := strings.TrimSpace(in.From)
	if from == "" || len(from) > 32 {
		return Delivery{}, fmt.Errorf("%w: sender must be 1 to 32 characters", ErrInvalid)
	}
	if !utf8.ValidString(in.Text) || len(in.Text) > 4096 {
		return Delivery{}, fmt.Errorf("%w: text must be valid UTF-8 of at most 4096 bytes", ErrInvalid)
	}
	at := in.ReceivedAt
	if at.IsZero() {
		at = s.clock.Now()
	}
	m := Message{MDN: mdn, From: from, Text: in.Text, PIN: pin.Extract(in.Text), ReceivedAt: at.Unix()}
	var gatewayID any
	if in.GatewayID != "" {
		gatewayID = in.GatewayID
	}
	var d Delivery
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		d = Delivery{}
		if gatewayID != nil {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE gateway = $1 AND gateway_msg_id = $2`, in.Gateway, gatewayID).Scan(&id)
			if err == nil {
				d.Duplicate, d.Message = true, m
				d.Message.ID = id
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var numberID, userID, requestID, rentalID sql.NullInt64
		var nid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM numbers WHERE mdn = $1`, mdn).Scan(&nid)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			d.Unowned = true
		case err != nil:
			return err
		default:
			numberID = sql.NullInt64{Int64: nid, Valid: true}
			c, rented, err := s.rentals.ClaimMessage(ctx, tx, nid, m.From, m.Text, m.ReceivedAt)
			if err != nil {
				return err
			}
			if rented {
				userID = sql.NullInt64{Int64: c.UserID, Valid: true}
				rentalID = sql.NullInt64{Int64: c.RentalID, Valid: true}
				m.UserID, m.RentalID, m.FirstID, m.Service = c.UserID, c.RentalID, c.FirstID, c.Service
				break
			}
			r, ok, err := s.requests.ClaimMessage(ctx, tx, nid, m.From, m.Text, m.ReceivedAt)
			if err != nil {
				return err
			}
			if ok {
				userID = sql.NullInt64{Int64: r.UserID, Valid: true}
				requestID = sql.NullInt64{Int64: r.ID, Valid: true}
				m.UserID, m.RequestID, m.Service, m.PriceCents = r.UserID, r.ID, r.Service, r.PriceCents
			} else {
				d.Unowned = true
			}
		}
		d.Message = m
		if m.UserID != 0 {
			s.db.AfterCommit(tx, func() { s.waiters.wake(m.UserID) })
		}
		return tx.QueryRowContext(ctx,
			`INSERT INTO messages (user_id, request_id, rental_id, number_id, kind, mdn, sender, body, pin, service, price_cents, received_at, gateway, gateway_msg_id)
			 VALUES ($1, $2, $3, $4, 'sms', $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			userID, requestID, rentalID, numberID, m.MDN, m.From, m.Text, m.PIN, m.Service, m.PriceCents, m.ReceivedAt,
			in.Gateway, gatewayID).Scan(&d.Message.ID)
	})
	return d, err
}
