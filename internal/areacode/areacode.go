// Package areacode maps US area codes (NPAs) to the two-letter abbreviation
// of their state, DC or US territory (PR, GU, VI, AS, MP).
//
// The table is generated from the github.com/nyaruka/phonenumbers metadata by
// gen/main.go; run `go generate ./internal/areacode/` to refresh it.
package areacode

//go:generate go run ./gen

import (
	"sort"
	"strings"
)

// byState indexes the sorted area codes of each state; stateList is the
// sorted list of its keys. Both are derived from states once at init.
var (
	byState   map[string][]string
	stateList []string
)

func init() {
	byState = make(map[string][]string)
	for code, st := range states {
		byState[st] = append(byState[st], code)
	}
	stateList = make([]string, 0, len(byState))
	for st, codes := range byState {
		sort.Strings(codes)
		stateList = append(stateList, st)
	}
	sort.Strings(stateList)
}

// State returns the two-letter state abbreviation of a 3-digit US area code, and false when the code is not a known US geographic area code.
func State(areaCode string) (string, bool) {
	st, ok := states[areaCode]
	return st, ok
}

// ValidState reports whether s (case-insensitive) is a two-letter state abbreviation that has at least one area code in the table.
func ValidState(s string) bool {
	if len(s) != 2 {
		return false
	}
	_, ok := byState[strings.ToUpper(s)]
	return ok
}

// CodesOf returns the area codes of state s (case-insensitive), sorted.
// It returns nil when the state has no area code in the table. The returned
// slice is a copy and may be modified by the caller.
func CodesOf(state string) []string {
	codes := byState[strings.ToUpper(state)]
	if codes == nil {
		return nil
	}
	return append([]string(nil), codes...)
}

// States returns every state abbreviation in the table, sorted.
// The returned slice is a copy and may be modified by the caller.
func States() []string {
	return append([]string(nil), stateList...)
}
