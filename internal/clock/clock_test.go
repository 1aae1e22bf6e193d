package clock

import (
	"testing"
	"time"
)

func TestHumanTime(t *testing.T) {
	cases := []struct {
		unix int64
		want string
	}{
		{1600108956, "2020-09-14 14:42:36 EDT"},
		{1609459200, "2020-12-31 19:00:00 EST"},
	}
	for _, c := range cases {
		if got := HumanTime(time.Unix(c.unix, 0)); got != c.want {
			t.Errorf("HumanTime(%d) = %q, want %q", c.unix, got, c.want)
		}
	}
	if got := HumanTimePlain(time.Unix(1600108956, 0)); got != "2020-09-14 14:42:36" {
		t.Errorf("HumanTimePlain = %q", got)
	}
}

func TestFake(t *testing.T) {
	f := NewFake(time.Unix(100, 0))
	f.Advance(5 * time.Second)
	if f.Now().Unix() != 105 {
		t.Fatalf("got %d", f.Now().Unix())
	}
}
