// Package mail sends the web site's e-mails: over SMTP to the operator's
// server, or into an in-process Mailbox (the demo and tests), which a page
// can show.
package mail

import (
	"context"
	"sync"
	"time"
)

// Message is one plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Text    string
	Sent    time.Time
}

// Mailbox keeps every message sent to it, newest last, bounded: the demo's
// and the tests' mail server.
type Mailbox struct {
	mu   sync.Mutex
	msgs []Message
	max  int
}

// NewMailbox returns an empty mailbox that keeps the last max messages.
func NewMailbox(max int) *Mailbox { return &Mailbox{max: max} }

// Send keeps m.
func (b *Mailbox) Send(_ context.Context, m Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m.Sent.IsZero() {
		m.Sent = time.Now()
	}
	b.msgs = append(b.msgs, m)
	if len(b.msgs) > b.max {
		b.msgs = b.msgs[len(b.msgs)-b.max:]
	}
	return nil
}

// Messages returns the messages kept, newest first.
func (b *Mailbox) Messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Message, len(b.msgs))
	for i, m := range b.msgs {
		out[len(b.msgs)-1-i] = m
	}
	return out
}

// Last returns the newest message to address, if any.
func (b *Mailbox) Last(to string) (Message, bool) {
	for _, m := range b.Messages() {
		if m.To == to {
			return m, true
		}
	}
	return Message{}, false
}
