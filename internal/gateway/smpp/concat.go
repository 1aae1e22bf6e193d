package smpp

import (
	"strings"
	"time"
)

// whole is a complete inbound SMS: a single one, or all parts of a
// concatenated one in order.
type whole struct {
	src, dst string
	text     string
	err      error  // the text could not be decoded
	concat   concat // seq unused; zero for a single SMS
	acks     []ack  // responses still owed, sent once the SMS is stored
}

// pieceKey identifies a concatenated SMS: the reference is chosen by the
// sender per recipient, so it is only unique with both addresses.
type pieceKey struct {
	src, dst string
	kind     byte
	ref      uint16
	total    int
}

type heldAck struct {
	ack   ack
	since time.Time
	sent  bool
}

type pending struct {
	parts map[int]*part
	acks  []heldAck
	last  time.Time // arrival of the latest part
}

// assembler reassembles concatenated SMS. It is owned by one goroutine.
type assembler struct {
	timeout time.Duration // give up on a message this long after its latest part
	hold    time.Duration // respond to a held part after this long; 0: never early
	m       map[pieceKey]*pending
}

func newAssembler(timeout, hold time.Duration) *assembler {
	return &assembler{timeout: timeout, hold: hold, m: map[pieceKey]*pending{}}
}

// add takes a part; it returns the whole SMS once every part is there. A
// repeated part (an SMSC's resend) is kept once but answered too.
func (a *assembler) add(p *part, now time.Time) (whole, bool) {
	if p.concat.kind == 0 {
		return assemble([]*part{p}, concat{}, []ack{p.ack}), true
	}
	k := pieceKey{src: p.src, dst: p.dst, kind: p.concat.kind, ref: p.concat.ref, total: p.concat.total}
	pe := a.m[k]
	if pe == nil {
		pe = &pending{parts: map[int]*part{}}
		a.m[k] = pe
	}
	pe.last = now
	pe.acks = append(pe.acks, heldAck{ack: p.ack, since: now})
	if _, dup := pe.parts[p.concat.seq]; !dup {
		pe.parts[p.concat.seq] = p
	}
	if len(pe.parts) < k.total {
		return whole{}, false
	}
	delete(a.m, k)
	ordered := make([]*part, k.total)
	for seq, q := range pe.parts {
		ordered[seq-1] = q
	}
	var owed []ack
	for _, h := range pe.acks {
		if !h.sent {
			owed = append(owed, h.ack)
		}
	}
	return assemble(ordered, concat{kind: k.kind, ref: k.ref, total: k.total}, owed), true
}

// assemble decodes the parts' user data together when they share a
// coding, so that a character split across parts (a surrogate pair, a GSM
// escape) survives.
func assemble(parts []*part, c concat, acks []ack) whole {
	w := whole{src: parts[0].src, dst: parts[0].dst, concat: c, acks: acks}
	same := true
	for _, p := range parts {
		same = same && p.coding == parts[0].coding
	}
	if same {
		var joined []byte
		for _, p := range parts {
			joined = append(joined, p.payload...)
		}
		w.text, w.err = decodeText(parts[0].coding, joined)
		return w
	}
	var b strings.Builder
	for _, p := range parts {
		s, err := decodeText(p.coding, p.payload)
		if err != nil {
			w.err = err
			return w
		}
		b.WriteString(s)
	}
	w.text = b.String()
	return w
}

// abandoned describes a concatenated SMS given up for missing parts.
type abandoned struct {
	key  pieceKey
	have int
	owed []ack // responses never sent: refused, so that the SMSC retries
}

// sweep gives up on SMS whose parts stopped coming and picks the held
// responses that have waited hold; they are answered at once.
func (a *assembler) sweep(now time.Time) (release []ack, gone []abandoned) {
	for k, pe := range a.m {
		if now.Sub(pe.last) >= a.timeout {
			ab := abandoned{key: k, have: len(pe.parts)}
			for _, h := range pe.acks {
				if !h.sent {
					ab.owed = append(ab.owed, h.ack)
				}
			}
			gone = append(gone, ab)
			delete(a.m, k)
			continue
		}
		if a.hold <= 0 {
			continue
		}
		for i := range pe.acks {
			if h := &pe.acks[i]; !h.sent && now.Sub(h.since) >= a.hold {
				h.sent = true
				release = append(release, h.ack)
			}
		}
	}
	return release, gone
}

// size is how many concatenated SMS are incomplete.
func (a *assembler) size() int { return len(a.m) }
