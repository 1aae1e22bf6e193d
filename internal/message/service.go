// Package message routes inbound SMS to the user holding the number, stores
// them with their recognised PIN, and answers read_sms queries.
package message

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mdnhub/internal/callback"
	"mdnhub/internal/clock"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message/pin"
	"mdnhub/internal/money"
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
	sender   Sender
	logger   *slog.Logger
	events   Events
}

// Events records callback events inside a transaction (callback.Outbox).
type Events interface {
	Record(ctx context.Context, tx *sql.Tx, userID int64, event string, now int64, fields ...callback.Field) error
}

func (s *Service) log() *slog.Logger {
	if s.logger == nil {
		return slog.Default()
	}
	return s.logger
}

// SetLogger sets where the service logs gateway failures.
func (s *Service) SetLogger(l *slog.Logger) { s.logger = l }

// NewService returns the message service. A message goes to the active
// rental of its number, else to the open request holding it.
func NewService(d *db.DB, c clock.Clock, rentals RentalClaimer, requests Claimer, events Events) *Service {
	return &Service{db: d, clock: c, rentals: rentals, requests: requests, events: events}
}

// Delivery tells where a stored message went.
type Delivery struct {
	Message   Message
	Duplicate bool // the gateway sent this message id before; nothing changed
	Unowned   bool // no one held the number: kept for the operator only
}

// Deliver is the one entry point for inbound SMS from every gateway. In one
// transaction it routes the message to the active rental of its number, else
// to the open request holding it (completing it on the first message),
// extracts the PIN and stores it; a message to a number nobody holds is
// stored as unowned. It returns only after the commit, so a gateway may
// acknowledge the message then.
func (s *Service) Deliver(ctx context.Context, in Inbound) (Delivery, error) {
	rs, err := s.DeliverBatch(ctx, []Inbound{in})
	if err != nil {
		return Delivery{}, err
	}
	return rs[0].Delivery, rs[0].Err
}

// Result is the outcome of one message of a batch: Err is set (and nothing
// stored) when the message itself is invalid.
type Result struct {
	Delivery
	Err error
}

// DeliverBatch delivers several inbound SMS in one transaction (one commit,
// which is what bounds the inbound rate of a busy link). Invalid messages get
// an error in their Result and are skipped; the error return is for a failed
// transaction, in which case nothing was stored.
func (s *Service) DeliverBatch(ctx context.Context, ins []Inbound) ([]Result, error) {
	out := make([]Result, len(ins))
	prepared := make([]Message, len(ins))
	for i, in := range ins {
		prepared[i], out[i].Err = s.prepare(in)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for i, in := range ins {
			if out[i].Err != nil {
				continue
			}
			d, err := s.deliver(ctx, tx, in, prepared[i])
			if err != nil {
				return err
			}
			out[i].Delivery = d
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prepare validates an inbound SMS and recognises its PIN, outside any transaction.
func (s *Service) prepare(in Inbound) (Message, error) {
	mdn, err := inventory.NormalizeMDN(in.To)
	if err != nil {
		return Message{}, fmt.Errorf("%w: recipient %q: %v", ErrInvalid, in.To, err)
	}
	from := strings.TrimSpace(in.From)
	if from == "" || len(from) > 32 {
		return Message{}, fmt.Errorf("%w: sender must be 1 to 32 characters", ErrInvalid)
	}
	if !utf8.ValidString(in.Text) || len(in.Text) > 4096 {
		return Message{}, fmt.Errorf("%w: text must be valid UTF-8 of at most 4096 bytes", ErrInvalid)
	}
	at := in.ReceivedAt
	if at.IsZero() {
		at = s.clock.Now()
	}
	return Message{MDN: mdn, From: from, Text: in.Text, PIN: pin.Extract(in.Text), ReceivedAt: at.Unix()}, nil
}

func (s *Service) deliver(ctx context.Context, tx *sql.Tx, in Inbound, m Message) (Delivery, error) {
	var gatewayID any
	if in.GatewayID != "" {
		gatewayID = in.GatewayID
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE gateway = $1 AND gateway_msg_id = $2`, in.Gateway, gatewayID).Scan(&id)
		if err == nil {
			m.ID = id
			return Delivery{Message: m, Duplicate: true}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Delivery{}, err
		}
	}
	var (
		d                                     Delivery
		numberID, userID, requestID, rentalID sql.NullInt64
		nid                                   int64
	)
	err := tx.QueryRowContext(ctx, `SELECT id FROM numbers WHERE mdn = $1`, m.MDN).Scan(&nid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		d.Unowned = true
	case err != nil:
		return Delivery{}, err
	default:
		numberID = sql.NullInt64{Int64: nid, Valid: true}
		c, rented, err := s.rentals.ClaimMessage(ctx, tx, nid, m.From, m.Text, m.ReceivedAt)
		if err != nil {
			return Delivery{}, err
		}
		if rented {
			userID = sql.NullInt64{Int64: c.UserID, Valid: true}
			rentalID = sql.NullInt64{Int64: c.RentalID, Valid: true}
			m.UserID, m.RentalID, m.FirstID, m.Service = c.UserID, c.RentalID, c.FirstID, c.Service
			break
		}
		r, ok, err := s.requests.ClaimMessage(ctx, tx, nid, m.From, m.Text, m.ReceivedAt)
		if err != nil {
			return Delivery{}, err
		}
		if ok {
			userID = sql.NullInt64{Int64: r.UserID, Valid: true}
			requestID = sql.NullInt64{Int64: r.ID, Valid: true}
			m.UserID, m.RequestID, m.Service, m.PriceCents = r.UserID, r.ID, r.Service, r.PriceCents
		} else {
			d.Unowned = true
		}
	}
	err = tx.QueryRowContext(ctx,
		`INSERT INTO messages (user_id, request_id, rental_id, number_id, kind, mdn, sender, body, pin, service, price_cents, received_at, gateway, gateway_msg_id)
		 VALUES ($1, $2, $3, $4, 'sms', $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		userID, requestID, rentalID, numberID, m.MDN, m.From, m.Text, m.PIN, m.Service, m.PriceCents, m.ReceivedAt,
		in.Gateway, gatewayID).Scan(&m.ID)
	if err != nil {
		return Delivery{}, err
	}
	d.Message = m
	if m.UserID == 0 {
		return d, nil
	}
	uid := m.UserID
	s.db.AfterCommit(tx, func() { s.waiters.wake(uid) })
	return d, s.events.Record(ctx, tx, m.UserID, callback.EventIncomingMessage, m.ReceivedAt, incomingFields(m)...)
}

// incomingFields are the incoming_message callback's fields, in the
// reference's order: id for a one-time request, ltr_id and first_ltr_id for
// a rental.
func incomingFields(m Message) []callback.Field {
	var f []callback.Field
	if m.RentalID != 0 {
		f = append(f, callback.Field{Name: "ltr_id", Value: strconv.FormatInt(m.RentalID, 10)},
			callback.Field{Name: "first_ltr_id", Value: strconv.FormatInt(m.FirstID, 10)})
	} else {
		f = append(f, callback.Field{Name: "id", Value: strconv.FormatInt(m.RequestID, 10)})
	}
	return append(f,
		callback.Field{Name: "timestamp", Value: strconv.FormatInt(m.ReceivedAt, 10)},
		callback.Field{Name: "date_time", Value: clock.HumanTime(time.Unix(m.ReceivedAt, 0))},
		callback.Field{Name: "from", Value: m.From},
		callback.Field{Name: "to", Value: m.MDN},
		callback.Field{Name: "service", Value: m.Service},
		callback.Field{Name: "reply", Value: m.Text},
		callback.Field{Name: "pin", Value: m.PIN},
		callback.Field{Name: "price", Value: money.Text(m.PriceCents)},
	)
}
