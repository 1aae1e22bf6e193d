package money

import "testing"

func TestText(t *testing.T) {
	for c, want := range map[int64]string{0: "0.00", 5: "0.05", 1050: "10.50", -5: "-0.05", 123456: "1234.56"} {
		if got := Text(c); got != want {
			t.Errorf("Text(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	good := map[string]int64{"10": 1000, "10.5": 1050, "$3.25": 325, "-2.25": -225, "0.07": 7}
	for in, want := range good {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "abc", "1.234", "1.2.3", "--1", "9999999999"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}
