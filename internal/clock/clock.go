// Package clock abstracts the current time so that tests can drive expiry and
// windows with a fake clock, and formats times the way the API shows them.
package clock

import (
	"sync"
	"time"

	// The API shows human times in America/New_York; embedding the zone data
	// keeps that working on machines without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns the current wall-clock time.
func (Real) Now() time.Time { return time.Now() }

// Fake is a settable clock for tests. The zero value starts at the Unix epoch.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the fake clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// Set moves the fake clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

var newYork = mustLoad("America/New_York")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Unreachable: time/tzdata is embedded above.
		panic(err)
	}
	return loc
}

// NewYork returns the America/New_York location, the server time zone of the API.
func NewYork() *time.Location { return newYork }

// HumanTime formats t as the API's date_time: New York time with the zone
// abbreviation, e.g. "2020-09-14 14:42:36 EDT".
func HumanTime(t time.Time) string {
	return t.In(newYork).Format("2006-01-02 15:04:05 MST")
}

// HumanTimePlain formats t in New York time without a zone, as ltr_rent's
// "expires" field: "2006-01-02 15:04:05".
func HumanTimePlain(t time.Time) string {
	return t.In(newYork).Format("2006-01-02 15:04:05")
}
