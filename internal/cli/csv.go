package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/money"
)

// readCSV calls row with every record of the CSV file at path ("-":
// standard input) and the line the record starts on, through
// inventory.ReadCSV (the reading the web site's import shares): comment and
// blank lines counted, every bad record reported as "file:line: problem".
func readCSV(path string, row func(line int, fields []string) error) error {
	var err error
	if ferr := readCSVFile(path, func(r io.Reader) { err = inventory.ReadCSV(csvName(path), r, row) }); ferr != nil {
		return ferr
	}
	return err
}

// csvName is how errors name the file at path.
func csvName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// readNumbersCSV reads the numbers file at path ("-": standard input) with
// inventory.ReadNumbersCSV: "mdn,carrier,state,gateway,short_rental" lines,
// every bad one reported by its line, nothing returned to store from a bad
// file.
func readNumbersCSV(path string) ([]inventory.Import, error) {
	var (
		items []inventory.Import
		err   error
	)
	rerr := readCSVFile(path, func(r io.Reader) { items, err = inventory.ReadNumbersCSV(csvName(path), r) })
	if rerr != nil {
		return nil, rerr
	}
	return items, err
}

// readCSVFile hands read the file at path ("-": standard input).
func readCSVFile(path string, read func(io.Reader)) error {
	if path == "-" {
		read(os.Stdin)
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	read(f)
	return nil
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
