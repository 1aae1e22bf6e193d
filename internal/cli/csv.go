package cli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"mdnhub/internal/areacode"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/money"
)

// readCSV calls row with every record of the CSV file at path ("-":
// standard input) and the line the record starts on. Comment lines (#) and
// blank lines are skipped but counted, so the line is the one an editor
// shows. Every bad record is reported, each as "file:line: problem", up to
// a limit; a quoting error ends the reading, since the lines after it cannot
// be trusted to be split right.
func readCSV(path string, row func(line int, fields []string) error) error {
	name := csvName(path)
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	const shown = 20
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
			if bad++; bad <= shown {
				errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			}
		}
	}
	if bad > shown {
		errs = append(errs, fmt.Errorf("%s: %d more bad lines", name, bad-shown))
	}
	return errors.Join(errs...)
}

// csvName is how errors name the file at path.
func csvName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// readNumbersCSV reads "mdn,carrier,state,gateway,short_rental" lines; a
// first line starting with "mdn" is a header, and every column but mdn may
// be empty or missing. It checks every line as the inventory will (so that
// nothing is stored from a bad file) and reports each bad one by its line.
func readNumbersCSV(path string) ([]inventory.Import, error) {
	var items []inventory.Import
	seen := map[string]int{} // MDN → the line it was first given on
	first := true
	err := readCSV(path, func(line int, r []string) error {
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
		mdn, err := inventory.NormalizeMDN(col(0))
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
		items = append(items, inventory.Import{MDN: mdn, Carrier: col(1), State: strings.ToUpper(col(2)), Gateway: col(3), ShortRental: short})
		return nil
	})
	return items, err
}

// serviceLine is one service read from a CSV file, with its line.
type serviceLine struct {
	line int
	s    catalog.Service
}

// readServicesCSV reads "name,price,ltr_price,ltr_short_price,lifetime"
// lines; a first line starting with "name" is a header. It checks what can
// be checked without the catalog (a name given once and without commas, tabs
// or line breaks, amounts in dollars, a duration, at most five columns) and
// reports each bad line by its line.
func readServicesCSV(path string) ([]serviceLine, error) {
	var rows []serviceLine
	seen := map[string]int{} // lower-cased name → its first line
	first := true
	err := readCSV(path, func(line int, r []string) error {
		if first {
			first = false
			if strings.EqualFold(strings.TrimSpace(r[0]), "name") {
				return nil
			}
		}
		if len(r) > 5 {
			return fmt.Errorf("%d columns, want at most 5: name,price,ltr_price,ltr_short_price,lifetime", len(r))
		}
		for len(r) < 5 {
			r = append(r, "")
		}
		s := catalog.Service{Name: strings.TrimSpace(r[0]), Enabled: true}
		if s.Name == "" {
			return errors.New("name is empty")
		}
		// As the catalog will refuse it, and before the name is quoted
		// unescaped below.
		if strings.ContainsAny(s.Name, ",\t\r\n") {
			return fmt.Errorf("name %q has a comma, tab or line break", s.Name)
		}
		if prev, dup := seen[strings.ToLower(s.Name)]; dup {
			return fmt.Errorf("service %s is already on line %d", s.Name, prev)
		}
		seen[strings.ToLower(s.Name)] = line
		if strings.TrimSpace(r[1]) == "" {
			return errors.New("price is empty")
		}
		for k, dst := range []*int64{&s.PriceCents, &s.LTRPriceCents, &s.LTRShortPriceCents} {
			if v := strings.TrimSpace(r[k+1]); v != "" {
				var err error
				if *dst, err = money.Parse(v); err != nil {
					return fmt.Errorf("%s: %v", []string{"price", "ltr_price", "ltr_short_price"}[k], err)
				}
			}
		}
		if v := strings.TrimSpace(r[4]); v != "" {
			var err error
			if s.Lifetime, err = time.ParseDuration(v); err != nil {
				return fmt.Errorf("lifetime %q is not a duration such as 15m", v)
			}
		}
		rows = append(rows, serviceLine{line, s})
		return nil
	})
	return rows, err
}
