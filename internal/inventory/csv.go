package inventory

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"mdnhub/internal/areacode"
)

// MaxCSVErrors is how many bad lines a CSV import reports one by one; the
// rest are counted.
const MaxCSVErrors = 20

// ReadCSV calls row with every record of the CSV text r and the line the
// record starts on; name is how errors name the file. Comment lines (#) and
// blank lines are skipped but counted, so the line is the one an editor
// shows. Every bad record is reported, each as "name:line: problem", up to
// MaxCSVErrors; a quoting error ends the reading, since the lines after it
// cannot be trusted to be split right. The operator's imports (the CLI's
// numbers and services files, the web page's upload) all read through it.
func ReadCSV(name string, r io.Reader, row func(line int, fields []string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var errs []error
	bad := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			errs = append(errs, fmt.Errorf("%s:%d: column %d: %w", name, pe.Line, pe.Column, pe.Err))
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if line == 1 {
			// Spreadsheets save "CSV UTF-8" with a byte order mark, which
			// would hide the header and spoil the first value.
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		if err := row(line, rec); err != nil {
			if bad++; bad <= MaxCSVErrors {
				errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			}
		}
	}
	if bad > MaxCSVErrors {
		errs = append(errs, fmt.Errorf("%s: %d more bad lines", name, bad-MaxCSVErrors))
	}
	return errors.Join(errs...)
}

// ReadNumbersCSV reads "mdn,carrier,state,gateway,short_rental" lines; a
// first line starting with "mdn" is a header, and every column but mdn may
// be empty or missing. It checks every line as Put will (so that nothing is
// stored from a bad file) and reports each bad one by its line, one per
// line of the error's text.
func ReadNumbersCSV(name string, r io.Reader) ([]Import, error) {
	var items []Import
	seen := map[string]int{} // MDN → the line it was first given on
	first := true
	err := ReadCSV(name, r, func(line int, r []string) error {
		col := func(k int) string {
			if k < len(r) {
				return strings.TrimSpace(r[k])
			}
			return ""
		}
		if first {
			first = false
			if strings.EqualFold(col(0), "mdn") {
				return nil
			}
		}
		if len(r) > 5 {
			return fmt.Errorf("%d columns, want at most 5: mdn,carrier,state,gateway,short_rental", len(r))
		}
		if col(0) == "" {
			return errors.New("mdn is empty")
		}
		mdn, err := NormalizeMDN(col(0))
		if err != nil {
			return fmt.Errorf("mdn %q is not a US number: 11 digits starting with 1, or 10 without it", col(0))
		}
		if prev, dup := seen[mdn]; dup {
			return fmt.Errorf("mdn %s is already on line %d", mdn, prev)
		}
		seen[mdn] = line
		if st := col(2); st != "" && !areacode.ValidState(st) {
			return fmt.Errorf("state %q is not a US state abbreviation such as NY", st)
		}
		short := false
		if v := col(4); v != "" {
			if short, err = strconv.ParseBool(v); err != nil {
				return fmt.Errorf("short_rental must be true or false, got %q", v)
			}
		}
		items = append(items, Import{MDN: mdn, Carrier: col(1), State: strings.ToUpper(col(2)), Gateway: col(3), ShortRental: short})
		return nil
	})
	return items, err
}
