package cli

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"mdnhub/internal/inventory"
)

// TestNumbersCSVLines: a header, comments, a blank line and a record over two
// lines must not shift the line numbers, and every bad line is reported.
func TestNumbersCSVLines(t *testing.T) {
	path := writeFile(t, "numbers.csv", `# inventory for the lab
mdn,carrier,state,gateway,short_rental
12125550100,TMobile,NY,lab,false

# the mistakes
1212555010,ATT,NY,,
13105550102,ATT,XX,,
17135550103,Verizon,TX,lab,maybe
19175550104,TMobile,NY,lab,false,extra
1 (212) 555-0100,TMobile,NY,lab,true
,TMobile,NY,,
13125550105,,,,true
13125550106,"Big
Carrier",il,,
13125550107,x,ZZ
`)
	items, err := readNumbersCSV(path)
	if err == nil {
		t.Fatal("bad lines accepted")
	}
	want := []string{
		path + `:6: mdn "1212555010" is not a US number: 11 digits starting with 1, or 10 without it`,
		path + `:7: state "XX" is not a US state abbreviation such as NY`,
		path + `:8: short_rental must be true or false, got "maybe"`,
		path + `:9: 6 columns, want at most 5: mdn,carrier,state,gateway,short_rental`,
		path + `:10: mdn 12125550100 is already on line 3`,
		path + `:11: mdn is empty`,
		path + `:15: state "ZZ" is not a US state abbreviation such as NY`,
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	// The good lines are read as the inventory stores them.
	wantItems := []inventory.Import{
		{MDN: "12125550100", Carrier: "TMobile", State: "NY", Gateway: "lab"},
		{MDN: "13125550105", ShortRental: true},
		{MDN: "13125550106", Carrier: "Big\nCarrier", State: "IL"},
	}
	if !slices.Equal(items, wantItems) {
		t.Errorf("items %+v, want %+v", items, wantItems)
	}
}

func TestNumbersCSVGood(t *testing.T) {
	path := writeFile(t, "n.csv", "12125550100\n13105550102,ATT, ca ,smsc1,TRUE\n")
	items, err := readNumbersCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.Import{{MDN: "12125550100"}, {MDN: "13105550102", Carrier: "ATT", State: "CA", Gateway: "smsc1", ShortRental: true}}
	if !slices.Equal(items, want) {
		t.Errorf("items %+v, want %+v", items, want)
	}
}

// TestCSVQuoting: a quoting mistake names its line and column and ends the
// reading (the lines after it would be split wrongly).
func TestCSVQuoting(t *testing.T) {
	path := writeFile(t, "q.csv", "# header next\nmdn\n\n12125550100,\"T\"Mobile,NY\n12125550101,x,ZZ\n")
	_, err := readNumbersCSV(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":4: column ") || strings.Contains(err.Error(), "ZZ") {
		t.Fatalf("got %v", err)
	}
}

// TestCSVManyBadLines: past twenty bad lines the rest are counted, not shown.
func TestCSVManyBadLines(t *testing.T) {
	var b strings.Builder
	for i := range 25 {
		fmt.Fprintf(&b, "1212555%04d,,,,perhaps\n", i)
	}
	path := writeFile(t, "many.csv", b.String())
	_, err := readNumbersCSV(path)
	lines := strings.Split(fmt.Sprint(err), "\n")
	if len(lines) != 21 || lines[19] != path+`:20: short_rental must be true or false, got "perhaps"` ||
		lines[20] != path+": 5 more bad lines" {
		t.Fatalf("got %v", err)
	}
}

// TestCSVByteOrderMark: a spreadsheet's byte order mark does not hide the
// header, and Windows line ends are read as well.
func TestCSVByteOrderMark(t *testing.T) {
	path := writeFile(t, "bom.csv", "\ufeffmdn,carrier\r\n12125550100,ATT\r\n")
	items, err := readNumbersCSV(path)
	if err != nil || len(items) != 1 || items[0].MDN != "12125550100" || items[0].Carrier != "ATT" {
		t.Fatalf("items %+v, err %v", items, err)
	}
}
