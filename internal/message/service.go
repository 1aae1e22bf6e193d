// Package message routes inbound SMS to the user holding the number, stores
// them with their recognised PIN, and answers read_sms queries.
package message

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mdnhub/internal/callback"
	"mdnhub/internal/clock"
	"mdnhub/internal/coalesce"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message/pin"
	"mdnhub/internal/money"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrInvalid is returned for an inbound message that cannot be stored.
var ErrInvalid = errors.New("invalid message")

// ErrForeignNumber is returned for an inbound message a gateway delivers to
// a number of another gateway: a gateway speaks only for its own numbers.
var ErrForeignNumber = errors.New("the number is not attached to this gateway")

// Inbound is an SMS as a gateway hands it over.
type Inbound struct {
	To   string // the receiving number, any US notation
	From string // the sender: a number or a short code
	Text string // decoded text
	// ReceivedAt is when the gateway received it (zero: now). It is shown
	// as the message's time, never later than now, and it never moves a
	// message to a holder who took the number after it.
	ReceivedAt time.Time
	Gateway    string // the gateway's name; it delivers only to its own numbers
	GatewayID  string // the gateway's message id; repeats are stored once
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

// Claimer attributes SMS to the open requests holding their numbers; the
// request package implements it.
type Claimer interface {
	ClaimMessages(ctx context.Context, tx *sql.Tx, arrivals []inventory.Arrival) ([]request.Request, []bool, error)
}

// RentalClaimer attributes SMS to the active rentals of their numbers; the
// rental package implements it.
type RentalClaimer interface {
	ClaimMessages(ctx context.Context, tx *sql.Tx, arrivals []inventory.Arrival) ([]rental.Claim, []bool, error)
}

// Service stores and reads messages.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	rentals  RentalClaimer
	requests Claimer
	waiters  waiters
	sender   Sender
	sched    Scheduler
	// sendTimeout is how long a gateway has to answer a send.
	sendTimeout time.Duration
	logger      *slog.Logger
	events      Events
	refusals    *prometheus.CounterVec
	// reads keeps read_sms answers (see Read).
	reads *db.View[Filter, readResult]
	// apart holds a place per long-poll read running (see readApart).
	apart chan struct{}
	// inbound gathers the messages of concurrent Deliver calls into one
	// DeliverBatch.
	inbound coalesce.Coalescer[Inbound, Result]
}

// Events records callback events inside a transaction (callback.Outbox).
type Events interface {
	Record(ctx context.Context, tx *sql.Tx, userID int64, event string, now int64, fields ...callback.Field) error
	// Subscribed tells which of the users have a callback URL.
	Subscribed(ctx context.Context, q db.Querier, userIDs []int64) (map[int64]bool, error)
}

func (s *Service) log() *slog.Logger {
	if s.logger == nil {
		return slog.Default()
	}
	return s.logger
}

// Options are the message service's collaborators at the edges.
type Options struct {
	Sender    Sender       // hands outbound SMS to the numbers' gateways
	Scheduler Scheduler    // inserts outbound reconciliation jobs
	Log       *slog.Logger // where gateway failures are logged
	// SendTimeout is how long a gateway has to answer a send (0:
	// SendTimeout).
	SendTimeout time.Duration
}

// NewService returns the message service. A message goes to the active
// rental of its number, else to the open request holding it.
func NewService(d *db.DB, c clock.Clock, rentals RentalClaimer, requests Claimer, events Events, o Options) *Service {
	s := &Service{db: d, clock: c, rentals: rentals, requests: requests, events: events,
		sender: o.Sender, sched: o.Scheduler, logger: o.Log, sendTimeout: o.SendTimeout,
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mdnhub_inbound_refused_total",
			Help: "Inbound SMS refused by gateway and reason (foreign_number: a gateway delivered to another gateway's number).",
		}, []string{"gateway", "reason"}),
		reads: db.NewView[Filter, readResult](d, readViewSize), apart: make(chan struct{}, maxApart)}
	s.waiters.hearing = d.Hearing
	d.OnChange(s.waiters.changed)
	s.inbound.Run, s.inbound.Max = s.DeliverBatch, maxBatch
	return s
}

// Metrics is the service's Prometheus collector, for the process registry.
func (s *Service) Metrics() prometheus.Collector { return s.refusals }

// refused counts an inbound SMS refused for reason.
func (s *Service) refused(gateway, reason string) {
	s.refusals.WithLabelValues(gateway, reason).Inc()
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
// acknowledge the message then. Messages delivered at the same time (a busy
// HTTP-push gateway, several links) share one DeliverBatch: one
// transaction and one multi-row INSERT for all of them.
func (s *Service) Deliver(ctx context.Context, in Inbound) (Delivery, error) {
	r, err := s.inbound.Do(ctx, in)
	if err != nil {
		return Delivery{}, err
	}
	return r.Delivery, r.Err
}

// Result is the outcome of one message of a batch: Err is set (and nothing
// stored) when the message itself is invalid.
type Result struct {
	Delivery
	Err error
	dup int // 1 + the index of the earlier message of the batch this one repeats
}

// dupOf is the message a repeat within the batch stands for.
func (r Result) dupOf(all []Result) Message { return all[r.dup-1].Message }

// DeliverBatch delivers several inbound SMS in one transaction (one commit,
// which is what bounds the inbound rate of a busy link), with set-based
// reads and writes so its cost grows slowly with the batch. Invalid messages
// get an error in their Result and are skipped; the error return is for a
// failed transaction, in which case nothing was stored.
func (s *Service) DeliverBatch(ctx context.Context, ins []Inbound) ([]Result, error) {
	out := make([]Result, len(ins))
	prepared := make([]Message, len(ins))
	var valid []int
	for i, in := range ins {
		if prepared[i], out[i].Err = s.prepare(in); out[i].Err == nil {
			valid = append(valid, i)
		}
	}
	for start := 0; start < len(valid); start += maxBatch {
		chunk := valid[start:min(start+maxBatch, len(valid))]
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, i := range chunk {
				out[i].Delivery, out[i].Err = Delivery{}, nil
			}
			return s.deliver(ctx, tx, ins, prepared, chunk, out)
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxBatch bounds one transaction (and one multi-row INSERT).
const maxBatch = 500

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
	if in.Gateway == "" {
		return Message{}, fmt.Errorf("%w: no gateway named", ErrInvalid)
	}
	// A gateway's clock may run ahead; a message is never from the future.
	at, now := in.ReceivedAt, s.clock.Now()
	if at.IsZero() || at.After(now) {
		at = now
	}
	return Message{MDN: mdn, From: from, Text: in.Text, PIN: pin.Extract(in.Text), ReceivedAt: at.Unix()}, nil
}

// deliver stores the messages ins[i], i in idx, inside tx: duplicates of a
// gateway id already stored (or earlier in the batch) are reported, the
// others are claimed by rentals, then requests, and inserted.
func (s *Service) deliver(ctx context.Context, tx *sql.Tx, ins []Inbound, ms []Message, idx []int, out []Result) error {
	fresh, err := s.skipDuplicates(ctx, tx, ins, idx, out)
	if err != nil || len(fresh) == 0 {
		return err
	}
	numbers, err := s.ourNumbers(ctx, tx, ms, fresh)
	if err != nil {
		return err
	}
	// A gateway delivers only to its own numbers: anything else is refused
	// and stored nowhere. A number that is not ours at all is kept as
	// unowned, for the operator.
	kept := fresh[:0]
	for _, i := range fresh {
		if n, ok := numbers[ms[i].MDN]; ok && n.gateway != ins[i].Gateway {
			out[i].Err = fmt.Errorf("%w: %s", ErrForeignNumber, ms[i].MDN)
			s.refused(ins[i].Gateway, "foreign_number")
			continue
		}
		kept = append(kept, i)
	}
	if fresh = kept; len(fresh) == 0 {
		return nil
	}
	// Rentals first, then the requests of the numbers no rental took. A
	// message belongs to whoever held the number when it was received: one
	// the gateway received before the holder took the number was sent to
	// the previous holder, whose holding is settled, and stays unowned.
	var arrivals []inventory.Arrival
	var owned []int
	for _, i := range fresh {
		if n, ok := numbers[ms[i].MDN]; ok && ms[i].ReceivedAt >= n.heldSince {
			arrivals = append(arrivals, inventory.Arrival{NumberID: n.id, From: ms[i].From, Text: ms[i].Text, At: ms[i].ReceivedAt})
			owned = append(owned, i)
		}
	}
	if len(arrivals) > 0 {
		claims, rented, err := s.rentals.ClaimMessages(ctx, tx, arrivals)
		if err != nil {
			return err
		}
		var rest []inventory.Arrival
		var restIdx []int
		for k, i := range owned {
			if rented[k] {
				c := claims[k]
				ms[i].UserID, ms[i].RentalID, ms[i].FirstID, ms[i].Service = c.UserID, c.RentalID, c.FirstID, c.Service
			} else {
				rest, restIdx = append(rest, arrivals[k]), append(restIdx, i)
			}
		}
		if len(rest) > 0 {
			rs, held, err := s.requests.ClaimMessages(ctx, tx, rest)
			if err != nil {
				return err
			}
			for k, i := range restIdx {
				if held[k] {
					r := rs[k]
					ms[i].UserID, ms[i].RequestID, ms[i].Service, ms[i].PriceCents = r.UserID, r.ID, r.Service, r.PriceCents
				}
			}
		}
	}
	if err := s.insert(ctx, tx, ins, ms, fresh, numbers); err != nil {
		return err
	}
	users := map[int64]bool{}
	for _, i := range fresh {
		out[i].Message, out[i].Unowned = ms[i], ms[i].UserID == 0
		if ms[i].UserID != 0 {
			users[ms[i].UserID] = true
		}
	}
	for _, i := range idx {
		if out[i].Duplicate && out[i].Message.ID == 0 {
			out[i].Message = out[i].dupOf(out)
		}
	}
	return s.notify(ctx, tx, ms, fresh, users)
}

// skipDuplicates marks messages whose gateway id is stored already, or
// repeated earlier in the batch, and returns the others.
func (s *Service) skipDuplicates(ctx context.Context, tx *sql.Tx, ins []Inbound, idx []int, out []Result) ([]int, error) {
	byGateway := map[string][]string{}
	first := map[[2]string]int{}
	var fresh []int
	for _, i := range idx {
		in := ins[i]
		if in.GatewayID == "" {
			fresh = append(fresh, i)
			continue
		}
		key := [2]string{in.Gateway, in.GatewayID}
		if j, seen := first[key]; seen {
			out[i].Duplicate, out[i].dup = true, j+1
			continue
		}
		first[key] = i
		byGateway[in.Gateway] = append(byGateway[in.Gateway], in.GatewayID)
	}
	stored := map[[2]string]int64{}
	for gw, ids := range byGateway {
		in, args := s.db.In([]any{gw}, db.Anys(ids)...)
		rows, err := tx.QueryContext(ctx, `SELECT gateway_msg_id, id FROM messages WHERE gateway = `+s.db.Arg(1)+` AND gateway_msg_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var gid string
			var id int64
			if err := rows.Scan(&gid, &id); err != nil {
				rows.Close()
				return nil, err
			}
			stored[[2]string{gw, gid}] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for key, i := range first {
		if id, dup := stored[key]; dup {
			out[i].Duplicate = true
			out[i].Message.ID = id
		} else {
			fresh = append(fresh, i)
		}
	}
	slices.Sort(fresh)
	return fresh, nil
}

// ourNumber is what delivery needs of one of our numbers.
type ourNumber struct {
	id        int64
	gateway   string
	heldSince int64 // when its holder took it; 0 when free
}

// ourNumbers maps the messages' MDNs to our numbers (absent: not ours).
func (s *Service) ourNumbers(ctx context.Context, tx *sql.Tx, ms []Message, idx []int) (map[string]ourNumber, error) {
	mdns := make([]any, len(idx))
	for k, i := range idx {
		mdns[k] = ms[i].MDN
	}
	in, args := s.db.In(nil, mdns...)
	rows, err := tx.QueryContext(ctx, `SELECT mdn, id, gateway, COALESCE(held_since, 0) FROM numbers WHERE mdn IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]ourNumber{}
	for rows.Next() {
		var mdn string
		var n ourNumber
		if err := rows.Scan(&mdn, &n.id, &n.gateway, &n.heldSince); err != nil {
			return nil, err
		}
		out[mdn] = n
	}
	return out, rows.Err()
}

// insert stores the messages in one multi-row INSERT and sets their ids.
// Both engines number the rows of one INSERT in VALUES order (SQLite's rowid
// and PostgreSQL's identity are drawn row by row), so the returned ids,
// sorted, belong to the rows in order whatever order RETURNING uses.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, ins []Inbound, ms []Message, idx []int, numbers map[string]ourNumber) error {
	var b strings.Builder
	args := make([]any, 0, len(idx)*14)
	for k, i := range idx {
		m := ms[i]
		if k > 0 {
			b.WriteString(", ")
		}
		var numberID any
		if n, ok := numbers[m.MDN]; ok {
			numberID = n.id
		}
		var row string
		row, args = s.db.In(args, nullID(m.UserID), nullID(m.RequestID), nullID(m.RentalID), numberID, "sms", m.MDN, m.From, m.Text,
			m.PIN, m.Service, m.PriceCents, m.ReceivedAt, ins[i].Gateway, nullText(ins[i].GatewayID))
		b.WriteString("(" + row + ")")
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO messages (user_id, request_id, rental_id, number_id, kind, mdn, sender, body, pin,
		service, price_cents, received_at, gateway, gateway_msg_id) VALUES `+b.String()+` RETURNING id`, args...)
	if err != nil {
		return err
	}
	ids, err := db.Int64s(rows)
	if err != nil {
		return err
	}
	if len(ids) != len(idx) {
		return fmt.Errorf("stored %d messages of %d", len(ids), len(idx))
	}
	slices.Sort(ids)
	for k, i := range idx {
		ms[i].ID = ids[k]
	}
	return nil
}

// notify records the incoming_message events of subscribed users and wakes
// long-polls after commit.
func (s *Service) notify(ctx context.Context, tx *sql.Tx, ms []Message, idx []int, users map[int64]bool) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(users))
	for id := range users {
		ids = append(ids, id)
	}
	// read_sms views of these users are stale from the commit on; the
	// change feed also wakes their long-polls (see waiters).
	s.db.Touch(tx, ids...)
	subscribed, err := s.events.Subscribed(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, i := range idx {
		if m := ms[i]; subscribed[m.UserID] {
			if err := s.events.Record(ctx, tx, m.UserID, callback.EventIncomingMessage, m.ReceivedAt, incomingFields(m)...); err != nil {
				return err
			}
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
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

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
