// Command gen derives the US area code (NPA) to state table from the
// github.com/nyaruka/phonenumbers metadata and writes ../table.go.
//
// It is run by `go generate` from the areacode package directory:
//
//	go generate ./internal/areacode/
//
// For every NPA 200..999 it probes a range of sample numbers
// (+1 NPA NXX 4567 for many exchanges NXX). An NPA is kept when most valid
// samples belong to region US (or a US territory: PR, GU, VI, AS, MP) and are
// geographic (fixed line / mobile), which drops Canadian and Caribbean NANP
// codes as well as toll-free, premium-rate and personal (5XX) codes. The
// state is the majority of the states derived from the geocoder
// descriptions ("New Jersey", "Los Angeles, CA", ...); territories map to
// their region code.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"sort"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// territories are the US territories that have their own region code in the
// NANP metadata; their area codes map to that code.
var territories = map[string]bool{"PR": true, "GU": true, "VI": true, "AS": true, "MP": true}

// stateNames maps full state (and DC / territory) names, as the geocoder
// spells them, to their abbreviation.
var stateNames = map[string]string{
	"Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR",
	"California": "CA", "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE",
	"District of Columbia": "DC", "Washington D.C.": "DC", "Washington DC": "DC", "Washington, D.C.": "DC",
	"Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
	"Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
	"Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
	"Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
	"Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
	"New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
	"North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
	"Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
	"South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT",
	"Vermont": "VT", "Virginia": "VA", "Washington": "WA", "Washington State": "WA", "West Virginia": "WV",
	"Wisconsin": "WI", "Wyoming": "WY",
	"Puerto Rico": "PR", "Guam": "GU", "U.S. Virgin Islands": "VI",
	"American Samoa": "AS", "Northern Mariana Islands": "MP",
}

// validAbbr is the set of abbreviations accepted from a trailing ", XX".
var validAbbr = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range stateNames {
		m[a] = true
	}
	return m
}()

// overrides pins NPAs whose state the library cannot provide (e.g. codes
// geocoded only as "United States"). Keep it small and documented; each
// entry is applied only when the library itself classifies the NPA as a US
// geographic code but no state could be derived.
var overrides = map[string]string{}

// stateOf turns a geocoder description into a state abbreviation, or "".
func stateOf(desc string) string {
	desc = strings.TrimSpace(desc)
	if a, ok := stateNames[desc]; ok {
		return a
	}
	if i := strings.LastIndex(desc, ","); i >= 0 {
		tail := strings.TrimSpace(desc[i+1:])
		if validAbbr[tail] {
			return tail
		}
		if a, ok := stateNames[tail]; ok {
			return a
		}
	}
	return ""
}

type npaStats struct {
	regions map[string]int // valid samples by region
	geo     int            // valid US/territory samples of a geographic type
	states  map[string]int // derived state votes
	undesc  map[string]int // US descriptions that gave no state
}

func main() {
	out := flag.String("o", "table.go", "output file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("areacode/gen: ")

	codes := map[string]string{}
	var noState, conflicts, nonGeo []string
	other := map[string]int{}

	for npa := 200; npa <= 999; npa++ {
		// Every NPA is probed; the library itself rejects unassigned,
		// reserved and N11 codes (no valid samples).
		st := npaStats{regions: map[string]int{}, states: map[string]int{}, undesc: map[string]int{}}
		usValid := 0
		for nxx := 200; nxx <= 999; nxx++ {
			// Skip N11, 555 and special-purpose exchanges.
			if nxx%100 == 11 || nxx == 555 || nxx == 950 || nxx == 958 || nxx == 959 || nxx == 976 {
				continue
			}
			num, err := phonenumbers.Parse(fmt.Sprintf("+1%03d%03d4567", npa, nxx), "US")
			if err != nil || !phonenumbers.IsValidNumber(num) {
				continue
			}
			region := phonenumbers.GetRegionCodeForNumber(num)
			st.regions[region]++
			if region != "US" && !territories[region] {
				continue
			}
			usValid++
			switch phonenumbers.GetNumberType(num) {
			case phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
			default:
				continue
			}
			st.geo++
			if territories[region] {
				st.states[region]++
				continue
			}
			desc, err := phonenumbers.GetGeocodingForNumber(num, "en")
			if err != nil {
				log.Fatalf("geocoding %v: %v", num, err)
			}
			if s := stateOf(desc); s != "" {
				st.states[s]++
			} else {
				st.undesc[desc]++
			}
		}
		total := 0
		for _, n := range st.regions {
			total += n
		}
		if total == 0 {
			continue
		}
		code := fmt.Sprintf("%03d", npa)
		if usValid*2 <= total {
			for r := range st.regions {
				other[r]++
			}
			continue
		}
		if st.geo*2 <= usValid {
			nonGeo = append(nonGeo, code)
			continue
		}
		best, bestN, sum := "", 0, 0
		for s, n := range st.states {
			sum += n
			if n > bestN || (n == bestN && s < best) {
				best, bestN = s, n
			}
		}
		if best == "" {
			if o, ok := overrides[code]; ok {
				codes[code] = o
				log.Printf("%s: override -> %s (descriptions %v)", code, o, st.undesc)
				continue
			}
			noState = append(noState, fmt.Sprintf("%s %v", code, st.undesc))
			continue
		}
		if bestN != sum {
			conflicts = append(conflicts, fmt.Sprintf("%s %v", code, st.states))
		}
		codes[code] = best
	}

	var buf bytes.Buffer
	buf.WriteString("// Code generated by gen/main.go; DO NOT EDIT.\n\npackage areacode\n\n")
	buf.WriteString("// states maps a US geographic area code (NPA) to its state, DC or territory abbreviation.\n")
	buf.WriteString("var states = map[string]string{\n")
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&buf, "%q: %q,\n", k, codes[k])
	}
	buf.WriteString("}\n")
	src, err := format.Source(buf.Bytes())
	if err != nil {
		log.Fatalf("format: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}

	perState := map[string]int{}
	for _, s := range codes {
		perState[s]++
	}
	log.Printf("wrote %s: %d US area codes in %d states/territories", *out, len(codes), len(perState))
	sort.Strings(nonGeo)
	log.Printf("skipped %d US non-geographic codes: %s", len(nonGeo), strings.Join(nonGeo, " "))
	regions := make([]string, 0, len(other))
	for r := range other {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	log.Printf("skipped non-US NANP codes in regions: %s", strings.Join(regions, " "))
	if len(conflicts) > 0 {
		log.Printf("%d codes with mixed state votes (majority used):", len(conflicts))
		for _, c := range conflicts {
			log.Printf("  %s", c)
		}
	}
	if len(noState) > 0 {
		log.Printf("%d US geographic codes with no derivable state (omitted):", len(noState))
		for _, c := range noState {
			log.Printf("  %s", c)
		}
	}
}
