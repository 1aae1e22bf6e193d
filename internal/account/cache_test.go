package account

import (
	"testing"
	"time"
)

func TestAuthCache(t *testing.T) {
	now := time.Unix(1000, 0)
	alice := Principal{UserID: 1, Username: "alice"}
	bob := Principal{UserID: 2, Username: "bob"}
	c := newAuthCache(time.Minute, 10)
	has := func(login string) bool { _, ok := c.get(login, "h", now); return ok }

	gen := c.sync(5)
	c.put("alice", "h", alice, now, gen)
	c.put("bob", "h", bob, now, gen)
	if !has("alice") || !has("bob") {
		t.Fatal("put and get")
	}
	if _, ok := c.get("alice", "h", now.Add(time.Minute+time.Second)); ok {
		t.Fatal("an entry outlived the TTL")
	}
	if c.sync(5) != gen || !has("alice") {
		t.Fatal("the same change count dropped the cache")
	}

	// A verification that read the database before a change was heard
	// stores nothing after it.
	c.dropUser(1)
	if has("alice") || !has("bob") {
		t.Fatal("dropUser")
	}
	c.put("alice", "h", alice, now, gen)
	if has("alice") {
		t.Fatal("a verification from before the drop was stored")
	}

	// Another change count drops everything, and verifications made under
	// the old one are not stored.
	gen = c.sync(5)
	c.put("alice", "h", alice, now, gen)
	gen2 := c.sync(6)
	if has("alice") || has("bob") || gen2 == gen {
		t.Fatal("a new change count kept entries")
	}
	c.put("alice", "h", alice, now, gen)
	if has("alice") {
		t.Fatal("a verification under the old count was stored")
	}

	// Switching between checked and notified starts afresh, and the next
	// sync (whatever the count) drops again.
	c.put("alice", "h", alice, now, gen2)
	c.setNotified(true)
	if has("alice") || !c.isNotified() {
		t.Fatal("setNotified(true)")
	}
	c.put("alice", "h", alice, now, gen2)
	if has("alice") {
		t.Fatal("a verification from checked mode was stored in notified mode")
	}
	g, notified := c.state()
	c.put("alice", "h", alice, now, g)
	c.setNotified(false)
	if has("alice") || notified != true {
		t.Fatal("setNotified(false)")
	}
	if g := c.sync(6); g == gen2 {
		t.Fatal("the count is forgotten after a switch")
	}

	// Bounded.
	g = c.sync(7)
	for i := range 30 {
		c.put(string(rune('a'+i)), "h", alice, now, g)
	}
	if n := len(c.entries); n > 10 {
		t.Fatalf("%d entries, max 10", n)
	}
}
