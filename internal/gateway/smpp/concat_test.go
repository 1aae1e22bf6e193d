package smpp

import (
	"testing"
	"time"
)

func textPart(t *testing.T, text string, c concat, seq int32) *part {
	t.Helper()
	b, ok := gsmEncode(text)
	if !ok {
		t.Fatalf("%q is not GSM", text)
	}
	return &part{src: "15550001111", dst: "12125550000", coding: 0, payload: b, concat: c, ack: ack{seq: seq}}
}

func TestReassembleOutOfOrderWithRepeats(t *testing.T) {
	a := newAssembler(time.Minute, 0)
	now := time.Unix(1000, 0)
	c := func(seq int) concat { return concat{kind: 8, ref: 7, total: 3, seq: seq} }
	for _, p := range []*part{textPart(t, "three", c(3), 1), textPart(t, "one ", c(1), 2), textPart(t, "three", c(3), 3)} {
		if _, ok := a.add(p, now); ok {
			t.Fatal("complete too early")
		}
	}
	// Another SMS with the same reference from another sender stays apart.
	other := textPart(t, "x", c(2), 9)
	other.src = "15550002222"
	if _, ok := a.add(other, now); ok {
		t.Fatal("parts of different senders mixed")
	}
	w, ok := a.add(textPart(t, "two ", c(2), 4), now)
	if !ok || w.text != "one two three" || w.err != nil {
		t.Fatalf("got %q %v %v", w.text, ok, w.err)
	}
	if len(w.acks) != 4 {
		t.Fatalf("every received PDU, repeats included, is owed a response: %d", len(w.acks))
	}
	if a.size() != 1 {
		t.Fatalf("%d pending", a.size())
	}
}

func TestReassembleAcrossPartBoundaries(t *testing.T) {
	// A surrogate pair split between two UCS-2 parts, and a GSM escape split
	// between two GSM parts, both survive because parts are joined before
	// decoding.
	a := newAssembler(time.Minute, 0)
	c := func(seq int) concat { return concat{kind: 16, ref: 0xBEEF, total: 2, seq: seq} }
	p1 := &part{src: "1", dst: "2", coding: 8, payload: []byte{0x00, 0x41, 0xD8, 0x3D}, concat: c(1)}
	p2 := &part{src: "1", dst: "2", coding: 8, payload: []byte{0xDE, 0x00}, concat: c(2)}
	a.add(p2, time.Now())
	if w, ok := a.add(p1, time.Now()); !ok || w.text != "A😀" {
		t.Fatalf("got %q", w.text)
	}
	g1 := &part{src: "1", dst: "2", coding: 0, payload: []byte{0x41, 0x1B}, concat: c(1)}
	g2 := &part{src: "1", dst: "2", coding: 0, payload: []byte{0x65}, concat: c(2)}
	a.add(g1, time.Now())
	if w, ok := a.add(g2, time.Now()); !ok || w.text != "A€" {
		t.Fatalf("got %q", w.text)
	}
	// Parts in different codings are decoded one by one.
	m1 := &part{src: "1", dst: "2", coding: 3, payload: []byte("caf\xe9 "), concat: concat{kind: 'S', ref: 1, total: 2, seq: 1}}
	m2 := &part{src: "1", dst: "2", coding: 8, payload: []byte{0x04, 0x1A}, concat: concat{kind: 'S', ref: 1, total: 2, seq: 2}}
	a.add(m1, time.Now())
	if w, ok := a.add(m2, time.Now()); !ok || w.text != "café К" {
		t.Fatalf("got %q", w.text)
	}
}

func TestReassemblyTimeoutAndHold(t *testing.T) {
	start := time.Unix(1000, 0)
	a := newAssembler(time.Minute, 3*time.Second)
	c := func(seq int) concat { return concat{kind: 8, ref: 1, total: 3, seq: seq} }
	a.add(textPart(t, "a", c(1), 1), start)
	if rel, gone := a.sweep(start.Add(2 * time.Second)); len(rel) != 0 || len(gone) != 0 {
		t.Fatal("released before part_hold")
	}
	a.add(textPart(t, "b", c(2), 2), start.Add(2*time.Second))
	rel, _ := a.sweep(start.Add(3 * time.Second))
	if len(rel) != 1 || rel[0].seq != 1 {
		t.Fatalf("part 1 should be answered after part_hold: %v", rel)
	}
	// Completed now: only the response still held is owed.
	w, ok := a.add(textPart(t, "c", c(3), 3), start.Add(4*time.Second))
	if !ok || w.text != "abc" || len(w.acks) != 2 || w.acks[0].seq != 2 {
		t.Fatalf("got %q, acks %v", w.text, w.acks)
	}

	// Missing parts: the message is dropped concat_timeout after its latest
	// part, and the responses never sent are handed back to be refused.
	a = newAssembler(time.Minute, 0)
	a.add(textPart(t, "a", c(1), 7), start)
	a.add(textPart(t, "c", c(3), 8), start.Add(30*time.Second))
	if _, gone := a.sweep(start.Add(80 * time.Second)); len(gone) != 0 {
		t.Fatal("timed out from the first part, not the latest")
	}
	_, gone := a.sweep(start.Add(91 * time.Second))
	if len(gone) != 1 || gone[0].have != 2 || len(gone[0].owed) != 2 || a.size() != 0 {
		t.Fatalf("gone %+v", gone)
	}
}

func TestIdempotencyKey(t *testing.T) {
	w := whole{src: "15550001111", dst: "12125550000", text: "Your code is 1234"}
	at := time.Unix(1_600_000_000, 0)
	k := idempotencyKey(w, at, 10*time.Minute)
	if k != idempotencyKey(w, at.Add(time.Minute), 10*time.Minute) {
		t.Fatal("a resend within the window must have the same key")
	}
	if k == idempotencyKey(w, at.Add(11*time.Minute), 10*time.Minute) {
		t.Fatal("the same text in a later window is a new SMS")
	}
	w2 := w
	w2.concat = concat{kind: 8, ref: 3, total: 2}
	if k == idempotencyKey(w2, at, 10*time.Minute) {
		t.Fatal("the concatenation reference belongs to the key")
	}
	w3 := w
	w3.src = "15550002222"
	if k == idempotencyKey(w3, at, 10*time.Minute) {
		t.Fatal("the sender belongs to the key")
	}
}
