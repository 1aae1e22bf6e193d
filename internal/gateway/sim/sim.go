// Package sim is the simulator gateway for demos and tests: a few seconds
// after one of its numbers is reserved it delivers a realistic verification
// SMS for the reserved service, through the same Deliver path as real
// gateways.
package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"mdnhub/internal/gateway"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// Name is the gateway name of simulator numbers.
const Name = "sim"

// Deliverer stores an inbound SMS durably and routes it to its owner (the
// message service).
type Deliverer interface {
	Deliver(ctx context.Context, in message.Inbound) (message.Delivery, error)
}

// Simulator delivers simulated verification messages. As a gateway it parks
// rented numbers, activates them after ActivationDelay, and accepts call
// forwarding (recorded with the rental).
type Simulator struct {
	deliver  Deliverer
	minDelay time.Duration
	maxDelay time.Duration
	log      *slog.Logger
	// ActivationDelay is how long an activation takes.
	ActivationDelay time.Duration

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	pending sync.WaitGroup
}

// New returns a simulator that delivers through d after a random delay in
// [minDelay, maxDelay].
func New(d Deliverer, minDelay, maxDelay time.Duration, log *slog.Logger) *Simulator {
	ctx, cancel := context.WithCancel(context.Background())
	return &Simulator{deliver: d, minDelay: minDelay, maxDelay: maxDelay, log: log, ctx: ctx, cancel: cancel}
}

// Name is the simulator's gateway name.
func (s *Simulator) Name() string { return Name }

// Capabilities: the simulator parks numbers, forwards calls and sends SMS.
func (s *Simulator) Capabilities() gateway.Capabilities {
	return gateway.Capabilities{Parking: true, Forwarding: true, Sending: true}
}

// Send accepts every message; there is no network to carry it.
func (s *Simulator) Send(ctx context.Context, m gateway.Outbound) (gateway.SendResult, error) {
	s.log.Info("simulated outbound SMS", "from", m.From, "to", m.To, "id", m.ID)
	return gateway.SendResult{Accepted: true, GatewayID: fmt.Sprintf("sim-out-%d", m.ID)}, nil
}

// Run does nothing: the simulator needs no connection.
func (s *Simulator) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Healthy is always true.
func (s *Simulator) Healthy() bool { return true }

// Activate brings a parked number online after ActivationDelay.
func (s *Simulator) Activate(ctx context.Context, mdn string) (time.Duration, error) {
	return s.ActivationDelay, nil
}

// Forward accepts any forwarding; there are no calls to forward.
func (s *Simulator) Forward(ctx context.Context, mdn, destination string) error {
	s.log.Info("simulated call forwarding", "mdn", mdn, "to", destination)
	return nil
}

// Reserved is called after a request reserved a number; only simulator
// numbers get a message.
func (s *Simulator) Reserved(r request.Request) {
	if r.Gateway != Name || r.MDN == "" {
		return
	}
	delay := s.minDelay
	if span := s.maxDelay - s.minDelay; span > 0 {
		delay += rand.N(span)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	s.pending.Add(1)
	go func() {
		defer s.pending.Done()
		select {
		case <-time.After(delay):
		case <-s.ctx.Done():
			return
		}
		from, text := Message(r.Service)
		in := message.Inbound{To: r.MDN, From: from, Text: text, Gateway: Name,
			GatewayID: fmt.Sprintf("sim-%d", r.ID)}
		if _, err := s.deliver.Deliver(s.ctx, in); err != nil && s.ctx.Err() == nil {
			s.log.Warn("simulator delivery failed", "mdn", r.MDN, "err", err)
		}
	}()
}

// Stop cancels pending deliveries and waits for running ones.
func (s *Simulator) Stop() {
	s.mu.Lock()
	s.cancel()
	s.mu.Unlock()
	s.pending.Wait()
}

// templates are verification texts as the services send them: a sender and
// a format with %s for the code.
var templates = map[string]struct{ from, text string }{
	"google":    {"22000", "G-%s is your Google verification code."},
	"amazon":    {"23383", "%s is your Amazon OTP. Do not share it with anyone."},
	"whatsapp":  {"15557340001", "Your WhatsApp code: %s\nDon't share this code with others"},
	"telegram":  {"42777", "Telegram code: %s\n\nYou can also tap on this link to log in:\nhttps://t.me/login/%s"},
	"microsoft": {"16503343766", "Use %s as Microsoft account security code"},
	"facebook":  {"32665", "%s is your Facebook confirmation code"},
	"uber":      {"89203", "Your Uber code: %s. Never share this code. Reply STOP ALL to 89203 to unsubscribe."},
	"discord":   {"12403060027", "Your Discord security code is: %s"},
	"tiktok":    {"19196", "[TikTok] %s is your verification code, valid for 5 minutes."},
	"apple":     {"12345", "Your Apple ID Code is: %s. Don't share it with anyone."},
}

// Message returns a sender and a realistic verification text for service.
func Message(service string) (from, text string) {
	code := fmt.Sprintf("%06d", rand.N(1000000))
	t, ok := templates[strings.ToLower(service)]
	if !ok {
		return "32665", fmt.Sprintf("Your %s verification code is %s", service, code)
	}
	if strings.EqualFold(service, "whatsapp") {
		code = code[:3] + "-" + code[3:]
	}
	if strings.Count(t.text, "%s") == 2 {
		return t.from, fmt.Sprintf(t.text, code, code)
	}
	return t.from, fmt.Sprintf(t.text, code)
}
