package message

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mdnhub/internal/account"
	"mdnhub/internal/db"
	"mdnhub/internal/idempotency"
)

// Errors of send_sms.
var (
	ErrNotHolder     = errors.New("the MDN is not held by you")
	ErrNoRecentSMS   = errors.New("no incoming messages within past 30 minutes")
	ErrOffline       = errors.New("MDN is offline")
	ErrTooLong       = errors.New("message too long")
	ErrNotAccepted   = errors.New("message was not accepted for delivery")
	ErrCannotSend    = errors.New("sending SMS is not supported for this MDN")
	ErrEmptyText     = errors.New("empty message")
	ErrBadRecipient  = errors.New("invalid recipient")
	ErrRequestClosed = errors.New("the request no longer holds a number")
)

// SendFee is the flat price of one outbound SMS, in cents.
const SendFee = 10

// ReplyWindow is how recent the recipient's last message must be.
const ReplyWindow = 30 * time.Minute

// MaxSendLength is the longest outbound text, in characters.
const MaxSendLength = 160

// SendTimeout bounds one outbound send: the gateway has this long to accept
// or refuse a message. A message still unsettled SendGrace later (the
// process died, or the gateway hung past its deadline) is settled by its
// reconciliation job: refunded, since nothing shows the gateway took it.
const (
	SendTimeout = 30 * time.Second
	SendGrace   = 30 * time.Second
)

// Sender hands outbound SMS to the number's gateway. A gateway that cannot
// send answers ErrUnsupported (or an error that matches it).
type Sender interface {
	Send(ctx context.Context, gatewayName string, m Outbound) (SendResult, error)
}

// ErrUnsupported is the Sender's answer for a gateway that cannot send.
var ErrUnsupported = errors.New("sending is not supported by this gateway")

// Outbound is an SMS to send from one of our numbers.
type Outbound struct {
	ID   int64  // our message id, unique per send: the gateway's reference to it
	From string // our MDN, 11 digits
	To   string // the destination as the customer gave it
	Text string
}

// SendResult is the gateway's answer to a send.
type SendResult struct {
	Accepted  bool
	GatewayID string // the gateway's id for the message, matched by delivery receipts
	Reason    string // why it was refused
}

// Receipt states, as stored with outbound messages.
const (
	ReceiptDelivered = "delivered"
	ReceiptFailed    = "failed"
)

// Scheduler inserts the durable job that settles an outbound message left
// 'sending', in the transaction that creates it.
type Scheduler interface {
	ScheduleOutboundCheck(ctx context.Context, tx *sql.Tx, messageID int64, at time.Time) error
}

// SetSendTimeout changes how long a gateway has to answer a send
// (SendTimeout by default).
func (s *Service) SetSendTimeout(d time.Duration) { s.sendTimeout = d }

func (s *Service) timeout() time.Duration {
	if s.sendTimeout > 0 {
		return s.sendTimeout
	}
	return SendTimeout
}

// SendAsk is a send_sms call.
type SendAsk struct {
	UserID    int64
	MDN       string // normalized; or RequestID
	RequestID int64
	To        string // "": the most recent sender to the number
	Text      string
	// Once, when not nil, makes the call idempotent: the key is claimed with
	// the fee, its answer stored when the gateway accepts the message, and
	// the key freed again when the message is refused and refunded.
	Once *idempotency.Call[Message]
}

// outboundRef names an outbound message as the settlement of a pending
// idempotency key.
func outboundRef(id int64) string { return fmt.Sprintf("outbound:%d", id) }

// Send sends an SMS from a number the user holds now (an open request or an
// active rental) to a number that texted it within the past 30 minutes. The
// 0.10 fee is held in one transaction with the outbound message and its
// reconciliation job, then kept if the gateway accepted the message or
// refunded in the transaction that records the refusal: a refused message
// costs nothing. The send runs detached from the caller's context, with its
// own deadline, so a client that hangs up cannot leave a message charged and
// unsettled; whatever happens to this process, the reconciliation job
// settles the message after its deadline.
func (s *Service) Send(ctx context.Context, a SendAsk) (Message, error) {
	text := a.Text
	if text == "" {
		return Message{}, ErrEmptyText
	}
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxSendLength {
		return Message{}, ErrTooLong
	}
	to := strings.TrimSpace(a.To)
	if len(to) > 32 {
		return Message{}, ErrBadRecipient
	}
	ctx = context.WithoutCancel(ctx)
	now := s.clock.Now()
	deadline := now.Add(s.timeout())
	var (
		m       Message
		gw      string
		numerID int64
	)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := a.Once.Begin(ctx, tx); err != nil {
			return err
		}
		var err error
		if m.MDN, numerID, gw, err = s.holder(ctx, tx, a, now); err != nil {
			return err
		}
		if to, err = s.recentSender(ctx, tx, a.UserID, m.MDN, to, now); err != nil {
			return err
		}
		m.UserID, m.From, m.Text, m.PriceCents, m.ReceivedAt = a.UserID, m.MDN, text, SendFee, now.Unix()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO messages (user_id, number_id, kind, mdn, sender, recipient, body, price_cents, received_at, gateway, status, send_deadline)
			 VALUES ($1, $2, 'outbound', $3, $3, $4, $5, $6, $7, $8, 'sending', $9) RETURNING id`,
			a.UserID, numerID, m.MDN, to, text, SendFee, m.ReceivedAt, gw, deadline.Unix()).Scan(&m.ID); err != nil {
			return err
		}
		if _, err := account.Post(ctx, tx, a.UserID, -SendFee, account.KindSMS, fmt.Sprintf("SMS %d from %s to %s", m.ID, m.MDN, to), m.ID, now.Unix()); err != nil {
			return err
		}
		if err := a.Once.Pending(ctx, tx, outboundRef(m.ID)); err != nil {
			return err
		}
		return s.sched.ScheduleOutboundCheck(ctx, tx, m.ID, deadline.Add(SendGrace))
	})
	if err != nil {
		return Message{}, err
	}
	sendCtx, cancel := context.WithTimeout(ctx, s.timeout())
	res, sendErr := s.sender.Send(sendCtx, gw, Outbound{ID: m.ID, From: m.MDN, To: to, Text: text})
	cancel()
	accepted := sendErr == nil && res.Accepted
	settled, err := s.settle(ctx, m.ID, accepted, res.GatewayID, "not accepted", func(tx *sql.Tx) error {
		return a.Once.Finish(ctx, tx, m)
	})
	if err != nil {
		return Message{}, err
	}
	switch {
	case errors.Is(sendErr, ErrUnsupported):
		return Message{}, ErrCannotSend
	case !accepted:
		if sendErr != nil {
			s.log().Warn("send_sms failed", "gateway", gw, "err", sendErr)
		}
		return Message{}, ErrNotAccepted
	case !settled:
		// Accepted after its reconciliation refunded it: it went out free.
		s.log().Warn("send_sms accepted after its deadline; it was refunded", "gateway", gw, "message", m.ID)
	}
	return m, nil
}

// settle records the gateway's answer for an outbound message still
// 'sending': accepted (the fee is kept; accept then runs in the same
// transaction, when not nil) or not (refunded, with why in the ledger, and
// a pending idempotency key freed). It reports false when the message was
// settled already.
func (s *Service) settle(ctx context.Context, id int64, accepted bool, gatewayRef, why string, accept func(*sql.Tx) error) (bool, error) {
	settled := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM messages WHERE id = $1 AND kind = 'outbound' AND status = 'sending'`+s.db.ForUpdate(), id).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		settled = true
		if accepted {
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'accepted', gateway_ref = $1 WHERE id = $2`, nullText(gatewayRef), id); err != nil {
				return err
			}
			if accept != nil {
				return accept(tx)
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'refused' WHERE id = $1`, id); err != nil {
			return err
		}
		if err := idempotency.Abandon(ctx, tx, outboundRef(id)); err != nil {
			return err
		}
		_, err = account.Post(ctx, tx, userID, SendFee, account.KindRefund, fmt.Sprintf("Refund of SMS %d: %s", id, why), id, s.clock.Now().Unix())
		return err
	})
	return settled, err
}

// ReconcileOutbound settles an outbound message its sender left 'sending'
// past its deadline: the process died during the send, or the gateway never
// answered. Nothing shows the gateway took it, so it is refunded. A message
// settled already is left alone; one not yet past its deadline and grace
// gives the time to look again.
func (s *Service) ReconcileOutbound(ctx context.Context, id int64) (retryAt time.Time, err error) {
	var deadline sql.NullInt64
	var status string
	err = s.db.R.QueryRowContext(ctx, `SELECT status, send_deadline FROM messages WHERE id = $1 AND kind = 'outbound'`, id).Scan(&status, &deadline)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "sending") {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	if due := time.Unix(deadline.Int64, 0).Add(SendGrace); s.clock.Now().Before(due) {
		return due, nil
	}
	if _, err := s.settle(ctx, id, false, "", "no answer from the gateway", nil); err != nil {
		return time.Time{}, err
	}
	s.log().Warn("send_sms left unsettled past its deadline; refunded", "message", id)
	return time.Time{}, nil
}

// recentSender checks that to texted mdn (held by the user) within the reply
// window and returns it; with to empty it is the most recent such sender,
// the one a reply goes to.
func (s *Service) recentSender(ctx context.Context, tx *sql.Tx, userID int64, mdn, to string, now time.Time) (string, error) {
	since := now.Add(-ReplyWindow).Unix()
	var sender string
	var err error
	if to == "" {
		err = tx.QueryRowContext(ctx, `SELECT sender FROM messages
			WHERE user_id = $1 AND mdn = $2 AND kind = 'sms' AND received_at >= $3
			ORDER BY received_at DESC, id DESC LIMIT 1`, userID, mdn, since).Scan(&sender)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT sender FROM messages
			WHERE user_id = $1 AND mdn = $2 AND kind = 'sms' AND received_at >= $3 AND sender IN ($4, $5, $6)
			LIMIT 1`, userID, mdn, since, to, digits(to), "1"+digits(to)).Scan(&sender)
		sender = to
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNoRecentSMS
	}
	return sender, err
}

// holder finds the number the user holds now, by MDN or by request id, and
// checks that it can send: a rented number must be online.
func (s *Service) holder(ctx context.Context, tx *sql.Tx, a SendAsk, now time.Time) (mdn string, numberID int64, gw string, err error) {
	if a.RequestID != 0 {
		err := tx.QueryRowContext(ctx, `SELECT mdn FROM requests WHERE id = $1 AND user_id = $2 AND closed_at IS NULL AND number_id IS NOT NULL AND expires_at > $3`,
			a.RequestID, a.UserID, now.Unix()).Scan(&a.MDN)
		if errors.Is(err, sql.ErrNoRows) {
			return "", 0, "", ErrRequestClosed
		}
		if err != nil {
			return "", 0, "", err
		}
	}
	var (
		online, rented, requested bool
	)
	err = tx.QueryRowContext(ctx, `SELECT n.id, n.gateway, n.online,
		  EXISTS (SELECT 1 FROM rentals r WHERE r.number_id = n.id AND r.user_id = $2 AND r.status = 'active' AND r.expires_at > $3),
		  EXISTS (SELECT 1 FROM requests q WHERE q.number_id = n.id AND q.user_id = $2 AND q.closed_at IS NULL AND q.expires_at > $3)
		FROM numbers n WHERE n.mdn = $1 AND n.held_by = $2`, a.MDN, a.UserID, now.Unix()).
		Scan(&numberID, &gw, &online, &rented, &requested)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !rented && !requested) {
		return "", 0, "", ErrNotHolder
	}
	if err != nil {
		return "", 0, "", err
	}
	if !online {
		return "", 0, "", ErrOffline
	}
	return a.MDN, numberID, gw, nil
}

// RecordReceipt applies a gateway's delivery receipt to the outbound message
// it sent under gatewayID. An unknown id is ignored (receipts may outlive
// their messages); it reports whether a message matched.
func (s *Service) RecordReceipt(ctx context.Context, gatewayName, gatewayID, state string) (bool, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = $1 WHERE gateway = $2 AND gateway_ref = $3 AND kind = 'outbound'`,
			state, gatewayName, gatewayID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// OutboundStatus returns the status of an outbound message by id, for tests
// and the web log.
func (s *Service) OutboundStatus(ctx context.Context, id int64) (string, error) {
	var st string
	err := s.db.R.QueryRowContext(ctx, `SELECT status FROM messages WHERE id = $1 AND kind = 'outbound'`, id).Scan(&st)
	return st, db.NoRows(err)
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
