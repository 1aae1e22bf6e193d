package inventory_test

import (
	"slices"
	"strings"
	"testing"

	"mdnhub/internal/inventory"
)

// The numbers CSV is read from any reader (a file for the CLI, an upload
// for the web site), errors named by the name given and the file's own
// lines.
func TestReadNumbersCSVFromReader(t *testing.T) {
	items, err := inventory.ReadNumbersCSV("upload.csv", strings.NewReader("mdn,carrier\n# lab\n12125550100,ATT\n\n121255501,x\n"))
	if err == nil || err.Error() != `upload.csv:5: mdn "121255501" is not a US number: 11 digits starting with 1, or 10 without it` {
		t.Fatalf("err %v", err)
	}
	if want := []inventory.Import{{MDN: "12125550100", Carrier: "ATT"}}; !slices.Equal(items, want) {
		t.Fatalf("items %+v", items)
	}
	items, err = inventory.ReadNumbersCSV("ok.csv", strings.NewReader("2125550101,,ny,smsc1,true\n"))
	if err != nil || !slices.Equal(items, []inventory.Import{{MDN: "12125550101", State: "NY", Gateway: "smsc1", ShortRental: true}}) {
		t.Fatalf("items %+v, err %v", items, err)
	}
}
