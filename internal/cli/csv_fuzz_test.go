package cli

// Fuzz targets of the CSV imports: readCSV itself and the numbers and
// services files, read and checked before any database is opened. Seeds:
// f.Add below and testdata/fuzz/<FuzzName>/; docs/fuzzing.md says how to
// run them longer.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mdnhub/internal/areacode"
)

var numbersCSVSeeds = []string{
	"mdn,carrier,state,gateway,short_rental\n12125550100,TMobile,NY,lab,false\n13105550102,ATT, ca ,smsc1,TRUE\n",
	"\ufeffmdn,carrier\r\n12125550100,ATT\r\n",
	"# inventory\nmdn\n\n12125550100\n1 (212) 555-0101,,,,\n+1-212-555-0102,\"Big\nCarrier\",il,,\n",
	"1212555010,ATT,NY,,\n13105550102,ATT,XX,,\n17135550103,Verizon,TX,lab,maybe\n19175550104,TMobile,NY,lab,false,extra\n",
	"12125550100\n12125550100\n,TMobile,NY,,\n",
	"# header next\nmdn\n\n12125550100,\"T\"Mobile,NY\n12125550101,x,ZZ\n",
	"12125550100,\"unterminated\n12125550101\n",
	"mdn;carrier;state\n12125550100;ATT;NY\n",
	"\"12125550100\",\"AT&T\",\"NY\",\"\",\"true\"",
	"",
	"\n\n\n",
	"\r\r\n\"\r\n",
}

// csvLines is how many lines an editor shows for data.
func csvLines(data []byte) int { return bytes.Count(data, []byte("\n")) + 1 }

// checkCSVError checks that every line of an import error names the file
// and a line of it, or counts the bad lines left out.
func checkCSVError(t *testing.T, err error, path string, lines int) {
	t.Helper()
	pos := regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `:(\d+): `)
	more := regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `: \d+ more bad lines$`)
	for _, l := range strings.Split(err.Error(), "\n") {
		if more.MatchString(l) {
			continue
		}
		m := pos.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("error line %q names no line of the file; whole error:\n%v", l, err)
		}
		if n, _ := strconv.Atoi(m[1]); n < 1 || n > lines {
			t.Fatalf("error line %q names line %d of a %d-line file", l, n, lines)
		}
	}
}

// fuzzCSVFile returns a function that writes each input to the same file
// (inputs run one at a time in a fuzzing process), in memory where the
// system offers it: rewriting a file on disk costs far more than parsing it.
func fuzzCSVFile(f *testing.F) func(t *testing.T, data []byte) string {
	dir, err := os.MkdirTemp("/dev/shm", "mdnhub-fuzz-")
	if err == nil {
		f.Cleanup(func() { os.RemoveAll(dir) })
	} else {
		dir = f.TempDir()
	}
	path := filepath.Join(dir, "import.csv")
	return func(t *testing.T, data []byte) string {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
}

// FuzzReadCSV: readCSV never panics, hands over records with line numbers
// that increase and lie within the file, and names a line of the file in
// every error it reports.
func FuzzReadCSV(f *testing.F) {
	for _, s := range numbersCSVSeeds {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(2))
	}
	writeFuzzCSV := fuzzCSVFile(f)
	f.Fuzz(func(t *testing.T, data []byte, failEvery uint8) {
		path := writeFuzzCSV(t, data)
		lines := csvLines(data)
		last, n := 0, 0
		err := readCSV(path, func(line int, fields []string) error {
			if line <= last || line > lines {
				t.Fatalf("record on line %d after line %d, in a %d-line file", line, last, lines)
			}
			if len(fields) == 0 {
				t.Fatalf("line %d: a record without fields", line)
			}
			last, n = line, n+1
			if failEvery != 0 && n%int(failEvery) == 0 {
				return fmt.Errorf("record %d refused", n)
			}
			return nil
		})
		if err != nil {
			checkCSVError(t, err, path, lines)
		}
	})
}

// FuzzNumbersCSV: readNumbersCSV never panics; what it accepts is what the
// inventory stores (11-digit MDNs starting with 1, each once, a US state
// or none), and every error names a line of the file.
func FuzzNumbersCSV(f *testing.F) {
	for _, s := range numbersCSVSeeds {
		f.Add([]byte(s))
	}
	writeFuzzCSV := fuzzCSVFile(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := writeFuzzCSV(t, data)
		items, err := readNumbersCSV(path)
		if err != nil {
			checkCSVError(t, err, path, csvLines(data))
			return
		}
		seen := map[string]bool{}
		for _, it := range items {
			if len(it.MDN) != 11 || it.MDN[0] != '1' || strings.Trim(it.MDN, "0123456789") != "" {
				t.Fatalf("MDN %q accepted", it.MDN)
			}
			if seen[it.MDN] {
				t.Fatalf("MDN %s accepted twice", it.MDN)
			}
			seen[it.MDN] = true
			if it.State != "" && (it.State != strings.ToUpper(it.State) || !areacode.ValidState(it.State)) {
				t.Fatalf("state %q accepted", it.State)
			}
		}
	})
}

// FuzzServicesCSV: readServicesCSV never panics; what it accepts has a
// trimmed, non-empty name given once (whatever the letter case) on a line
// of the file, in file order; and every line of an error names a line of
// the file.
func FuzzServicesCSV(f *testing.F) {
	for _, s := range []string{
		"name,price,ltr_price,ltr_short_price,lifetime\n# prices in dollars\nGoogle,1.00,20,5,15m\nAmazon,0.50\n",
		"Google,1.00,20,5,15m\n\nAmazon,abc\nUber,0.50,,,soon\ngoogle,2.00\n,1.00\nLyft,1.00,1,1,1m,extra\nEbay\n",
		"\ufeffname,price\r\nTelegram,0.25\r\n",
		"\"Big\nService\",1.00\nBig Service,1.00\n",
		"Google,1.001\nGoogle2,-1\nGoogle3,99999999999999999999\nGoogle4,1,2,3,-5m\nGoogle5,1,,,0s\n",
		"Google,\"1.00\nGoogle,2\n",
		"name\n",
	} {
		f.Add([]byte(s))
	}
	writeFuzzCSV := fuzzCSVFile(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := writeFuzzCSV(t, data)
		lines := csvLines(data)
		rows, err := readServicesCSV(path)
		if err != nil {
			checkCSVError(t, err, path, lines)
			return
		}
		seen := map[string]bool{}
		last := 0
		for _, r := range rows {
			if r.line <= last || r.line > lines {
				t.Fatalf("service on line %d after line %d, in a %d-line file", r.line, last, lines)
			}
			last = r.line
			name := r.s.Name
			if name == "" || name != strings.TrimSpace(name) {
				t.Fatalf("line %d: name %q accepted", r.line, name)
			}
			if seen[strings.ToLower(name)] {
				t.Fatalf("line %d: service %q accepted twice", r.line, name)
			}
			seen[strings.ToLower(name)] = true
		}
	})
}
