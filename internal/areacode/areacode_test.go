package areacode

import (
	"slices"
	"testing"
)

func TestState(t *testing.T) {
	tests := []struct {
		code   string
		want   string
		wantOK bool
	}{
		{"201", "NJ", true},
		{"202", "DC", true},
		{"212", "NY", true},
		{"213", "CA", true},
		{"305", "FL", true},
		{"312", "IL", true},
		{"415", "CA", true},
		{"512", "TX", true},
		{"617", "MA", true},
		{"702", "NV", true},
		{"787", "PR", true},
		{"808", "HI", true},
		{"907", "AK", true},
		// unknown / non-geographic / malformed
		{"000", "", false},
		{"800", "", false},
		{"888", "", false},
		{"900", "", false},
		{"416", "", false}, // Canada
		{"876", "", false}, // Jamaica
		{"abc", "", false},
		{"12", "", false},
		{"", "", false},
		{"2012", "", false},
	}
	for _, tt := range tests {
		got, ok := State(tt.code)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("State(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestValidState(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"ca", true},
		{"CA", true},
		{"Ny", true},
		{"dc", true},
		{"PR", true},
		{"ZZ", false},
		{"", false},
		{"C", false},
		{"CAL", false},
	}
	for _, tt := range tests {
		if got := ValidState(tt.s); got != tt.want {
			t.Errorf("ValidState(%q) = %v; want %v", tt.s, got, tt.want)
		}
	}
}

func TestCodesOf(t *testing.T) {
	nj := CodesOf("NJ")
	if !slices.Contains(nj, "201") {
		t.Errorf("CodesOf(NJ) = %v; want it to contain 201", nj)
	}
	if !slices.IsSorted(nj) {
		t.Errorf("CodesOf(NJ) = %v; not sorted", nj)
	}
	if got := CodesOf("nj"); !slices.Equal(got, nj) {
		t.Errorf("CodesOf(nj) = %v; want %v", got, nj)
	}
	if got := CodesOf("ZZ"); len(got) != 0 {
		t.Errorf("CodesOf(ZZ) = %v; want empty", got)
	}
	// The result must be a copy.
	nj[0] = "xxx"
	if CodesOf("NJ")[0] == "xxx" {
		t.Error("CodesOf returned the internal slice")
	}
}

func TestTableConsistency(t *testing.T) {
	if n := len(states); n < 300 || n > 400 {
		t.Errorf("table has %d area codes; want roughly 330-370", n)
	}
	all := States()
	if !slices.IsSorted(all) {
		t.Errorf("States() not sorted: %v", all)
	}
	total := 0
	for _, s := range all {
		if !ValidState(s) {
			t.Errorf("ValidState(%q) = false for a listed state", s)
		}
		total += len(CodesOf(s))
	}
	if total != len(states) {
		t.Errorf("sum of CodesOf over States() = %d; want %d", total, len(states))
	}
	for code, st := range states {
		if len(code) != 3 || code[0] < '2' || code[0] > '9' {
			t.Errorf("malformed area code %q", code)
		}
		if _, found := slices.BinarySearch(all, st); !found {
			t.Errorf("state %q of %s not in States()", st, code)
		}
		if !slices.Contains(CodesOf(st), code) {
			t.Errorf("CodesOf(%q) lacks %s", st, code)
		}
	}
}
