package smpp

import "testing"

func TestDestination(t *testing.T) {
	g := &Gateway{cfg: Defaults("x")}
	for in, want := range map[string]struct {
		addr string
		ton  byte
		ok   bool
	}{
		"+1 (212) 555-1234": {"12125551234", 1, true},
		"2125551234":        {"12125551234", 1, true},
		"447700900123":      {"447700900123", 1, true},
		"22395":             {"22395", 3, true},
		"Google":            {"", 0, false},
		"":                  {"", 0, false},
	} {
		addr, ton, _, ok := g.destination(in)
		if addr != want.addr || ton != want.ton || ok != want.ok {
			t.Errorf("%q: got %q ton %d ok %v", in, addr, ton, ok)
		}
	}
}
