package app

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/areacode"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/money"
)

// sub splits "noun verb args..." and checks the verb is known.
func sub(args []string, noun string, verbs ...string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usagef("mdnhub %s: missing action (%s)", noun, strings.Join(verbs, ", "))
	}
	for _, v := range verbs {
		if args[0] == v {
			return v, args[1:], nil
		}
	}
	return "", nil, usagef("mdnhub %s: unknown action %q (want %s)", noun, args[0], strings.Join(verbs, ", "))
}

func (c *CLI) user(ctx context.Context, args []string) error {
	verb, rest, err := sub(args, "user", "create", "show", "credit", "key", "role", "set")
	if err != nil {
		return err
	}
	fs, path := c.flags("user " + verb)
	name := fs.String("name", "", "user name (create), or user name or e-mail (others)")
	email := fs.String("email", "", "e-mail address (create)")
	amount := fs.String("amount", "", "dollars to add, negative to take away (credit)")
	reason := fs.String("reason", "", "why the balance changes, kept in the ledger (credit)")
	role := fs.String("role", "", "user or admin (role)")
	statusFormat := fs.String("request-status-format", "", "how request_status answers this user: array, object, or default for compat.request_status_object (set)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if verb == "set" && *statusFormat == "" {
		return usagef("mdnhub user set: give a setting to change, e.g. -request-status-format object")
	}
	if *name == "" {
		return usagef("mdnhub user %s: -name is required", verb)
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	if verb == "create" {
		u, err := a.Accounts.Create(ctx, *name, *email)
		if err != nil {
			return err
		}
		key, err := a.Accounts.GenerateKey(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "created user %s (id %d)\napi_key: %s\n", u.Username, u.ID, key)
		return nil
	}
	u, err := a.Accounts.Find(ctx, *name)
	if err != nil {
		return fmt.Errorf("user %q: %w", *name, err)
	}
	switch verb {
	case "show":
		return c.showUser(ctx, a, u)
	case "key":
		key, err := a.Accounts.GenerateKey(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "new api_key for %s: %s\n(the previous key no longer works)\n", u.Username, key)
	case "credit":
		cents, err := money.Parse(*amount)
		if err != nil {
			return usagef("mdnhub user credit: -amount: %v", err)
		}
		balance, err := a.Accounts.Credit(ctx, u.ID, cents, strings.TrimSpace(*reason))
		var funds *account.InsufficientFundsError
		if errors.As(err, &funds) {
			return fmt.Errorf("the balance is $%s; it cannot go below zero", money.Text(funds.BalanceCents))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "balance of %s is now $%s\n", u.Username, money.Text(balance))
	case "role":
		if err := a.Accounts.SetRole(ctx, u.ID, *role); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "%s is now %s\n", u.Username, *role)
	case "set":
		if err := a.Accounts.SetRequestStatusFormat(ctx, u.ID, *statusFormat); err != nil {
			return err
		}
		u, err = a.Accounts.Get(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "request_status answers %s with %s\n", u.Username, c.statusFormatText(u.RequestStatusFormat))
	}
	return nil
}

// statusFormatText says how request_status answers an account whose setting
// is format ("" follows the operator's default).
func (c *CLI) statusFormatText(format string) string {
	switch format {
	case account.FormatObject:
		return "one object"
	case account.FormatArray:
		return "an array"
	}
	return "the operator's default (compat.request_status_object)"
}

func (c *CLI) showUser(ctx context.Context, a *App, u account.User) error {
	fmt.Fprintf(c.Stdout, "user:     %s (id %d)\ne-mail:   %s\nrole:     %s\nbalance:  $%s\napi key:  %v\nsuspended: %v\nrequest_status: %s\n",
		u.Username, u.ID, u.Email, u.Role, money.Text(u.BalanceCents), u.HasAPIKey, u.Suspended, c.statusFormatText(u.RequestStatusFormat))
	entries, err := a.Accounts.Entries(ctx, u.ID, 20)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		fmt.Fprintln(c.Stdout, "\nlatest ledger entries:")
		tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "time\tamount\tbalance\tkind\treason")
		for _, e := range entries {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", time.Unix(e.CreatedAt, 0).UTC().Format(time.DateTime),
				money.Text(e.AmountCents), money.Text(e.BalanceCents), e.Kind, e.Reason)
		}
		tw.Flush()
	}
	return nil
}

func (c *CLI) numbers(ctx context.Context, args []string) error {
	verb, rest, err := sub(args, "numbers", "import", "list", "enable", "disable", "online", "offline")
	if err != nil {
		return err
	}
	fs, path := c.flags("numbers " + verb)
	limit := fs.Int("limit", 100, "how many to list")
	offset := fs.Int("offset", 0, "how many to skip (list)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	var items []inventory.Import
	switch {
	case verb == "import" && fs.NArg() != 1:
		return usagef("mdnhub numbers import: give one CSV file (- for standard input): mdn,carrier,state,gateway,short_rental")
	case verb == "import":
		// The file is checked before the database is opened: its mistakes
		// are the likelier ones, and all of them are reported at once.
		if items, err = readNumbersCSV(fs.Arg(0)); err != nil {
			return err
		}
	case verb != "list" && fs.NArg() == 0:
		return usagef("mdnhub numbers %s: give one or more MDNs", verb)
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	switch verb {
	case "import":
		added, err := a.Inventory.Put(ctx, items)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "imported %d numbers (%d new, %d updated)\n", len(items), added, len(items)-added)
		// Not an error: undeclared gateways are allowed (docs/gateways.md),
		// but a misspelled or forgotten one is a likely first-day mistake.
		warned := map[string]bool{"": true, "sim": true}
		for _, it := range items {
			if _, declared := a.Config.Gateways[it.Gateway]; !declared && !warned[it.Gateway] {
				warned[it.Gateway] = true
				fmt.Fprintf(c.Stderr, "mdnhub: warning: gateway %q is not declared in the configuration: its numbers cannot send SMS and receive only through mdnhub sim send\n", it.Gateway)
			}
		}
	case "list":
		ns, err := a.Inventory.List(ctx, *limit, *offset)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "mdn\tstate\tcarrier\tgateway\tshort\tenabled\tonline\theld")
		for _, n := range ns {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%v\t%v\t%v\n", n.MDN, n.State, n.Carrier, n.Gateway, n.ShortRental, n.Enabled, n.Online, n.HeldBy != 0)
		}
		tw.Flush()
	default:
		for _, mdn := range fs.Args() {
			switch verb {
			case "enable", "disable":
				err = a.Inventory.SetEnabled(ctx, mdn, verb == "enable")
			default:
				err = a.Inventory.SetOnline(ctx, mdn, verb == "online")
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mdn, err)
			}
		}
		fmt.Fprintf(c.Stdout, "%d numbers: %s\n", fs.NArg(), verb+"d")
	}
	return nil
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

// readCSV calls row with every record of the CSV file at path ("-":
// standard input) and the line the record starts on. Comment lines (#) and
// blank lines are skipped but counted, so the line is the one an editor
// shows. Every bad record is reported, each as "file:line: problem", up to
// a limit; a quoting error ends the reading, since the lines after it cannot
// be trusted to be split right.
func readCSV(path string, row func(line int, fields []string) error) error {
	name := path
	var r io.Reader = os.Stdin
	if path == "-" {
		name = "stdin"
	} else {
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

func (c *CLI) services(ctx context.Context, args []string) error {
	verb, rest, err := sub(args, "services", "set", "import", "list", "rules", "rule-add", "rule-delete")
	if err != nil {
		return err
	}
	fs, path := c.flags("services " + verb)
	name := fs.String("name", "", "service name (set)")
	price := fs.String("price", "", "one-time price in dollars (set)")
	ltr := fs.String("ltr-price", "0", "30-day rental price in dollars (set)")
	ltrShort := fs.String("ltr-short-price", "0", "3-day rental price in dollars (set)")
	lifetime := fs.Duration("lifetime", 0, "reservation lifetime, e.g. 15m (set; default requests.default_lifetime)")
	disabled := fs.Bool("disabled", false, "hide the service (set)")
	sender := fs.String("sender", "", "sender number or short code that identifies the service (rule-add)")
	keyword := fs.String("keyword", "", "word or phrase in the text that identifies the service (rule-add)")
	ruleID := fs.Int64("id", 0, "rule id, as listed by rules (rule-delete)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	switch verb {
	case "set":
		s := catalog.Service{Name: *name, Lifetime: *lifetime, Enabled: !*disabled}
		if err := parsePrices(&s, *price, *ltr, *ltrShort); err != nil {
			return usagef("mdnhub services set: %v", err)
		}
		if s, err = a.Catalog.Put(ctx, s); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "service %s saved\n", s.Name)
	case "import":
		if fs.NArg() != 1 {
			return usagef("mdnhub services import: give a CSV file: name,price,ltr_price,ltr_short_price,lifetime")
		}
		// Every line is checked before any is saved; what only the catalog
		// can check (names, ranges) stops at its line, the earlier ones kept.
		type row struct {
			line int
			s    catalog.Service
		}
		var rows []row
		seen := map[string]int{} // lower-cased name → its first line
		first := true
		err := readCSV(fs.Arg(0), func(line int, r []string) error {
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
			rows = append(rows, row{line, s})
			return nil
		})
		if err != nil {
			return err
		}
		file := fs.Arg(0)
		if file == "-" {
			file = "stdin" // as readCSV names it
		}
		for _, r := range rows {
			if _, err := a.Catalog.Put(ctx, r.s); err != nil {
				return fmt.Errorf("%s:%d: %w", file, r.line, err)
			}
		}
		fmt.Fprintf(c.Stdout, "%d services saved\n", len(rows))
	case "rules":
		rules, err := a.Catalog.Rules(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tservice\tkind\tpattern")
		for _, r := range rules {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.ID, r.Service, r.Kind, r.Pattern)
		}
		tw.Flush()
	case "rule-add":
		kind, pattern := catalog.RuleSender, *sender
		if *keyword != "" {
			kind, pattern = catalog.RuleKeyword, *keyword
		}
		if *name == "" || (*sender == "") == (*keyword == "") {
			return usagef("mdnhub services rule-add: -name and exactly one of -sender or -keyword are required")
		}
		r, err := a.Catalog.AddRule(ctx, *name, kind, pattern)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "rule %d: %s %s %q\n", r.ID, r.Service, r.Kind, r.Pattern)
	case "rule-delete":
		if *ruleID == 0 {
			return usagef("mdnhub services rule-delete: -id is required")
		}
		if err := a.Catalog.DeleteRule(ctx, *ruleID); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "rule %d deleted\n", *ruleID)
	case "list":
		ss, err := a.Catalog.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "name\tprice\tltr_price\tltr_short_price\tlifetime")
		for _, s := range ss {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, money.Text(s.PriceCents), money.Text(s.LTRPriceCents), money.Text(s.LTRShortPriceCents), s.Lifetime)
		}
		tw.Flush()
	}
	return nil
}

func parsePrices(s *catalog.Service, price, ltr, short string) error {
	var err error
	if strings.TrimSpace(price) == "" {
		return errors.New("a price is required")
	}
	if s.PriceCents, err = money.Parse(price); err != nil {
		return err
	}
	if strings.TrimSpace(ltr) != "" {
		if s.LTRPriceCents, err = money.Parse(ltr); err != nil {
			return err
		}
	}
	if strings.TrimSpace(short) != "" {
		if s.LTRShortPriceCents, err = money.Parse(short); err != nil {
			return err
		}
	}
	return nil
}

func (c *CLI) sim(ctx context.Context, args []string) error {
	_, rest, err := sub(args, "sim", "send")
	if err != nil {
		return err
	}
	fs, path := c.flags("sim send")
	to := fs.String("to", "", "receiving number (one of the inventory's MDNs)")
	from := fs.String("from", "", "sender number or short code")
	text := fs.String("text", "", "message text")
	id := fs.String("id", "", "gateway message id; a repeated id is stored once")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if *to == "" || *from == "" || *text == "" {
		return usagef("mdnhub sim send: -to, -from and -text are required")
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	// The operator injects as the number's own gateway would deliver it; a
	// number that is not ours is stored as unowned.
	gw := "cli"
	if mdn, err := inventory.NormalizeMDN(*to); err == nil {
		if n, err := a.Inventory.Get(ctx, mdn); err == nil {
			gw = n.Gateway
		}
	}
	d, err := a.Messages.Deliver(ctx, message.Inbound{To: *to, From: *from, Text: *text, Gateway: gw, GatewayID: *id})
	if err != nil {
		return err
	}
	switch {
	case d.Duplicate:
		fmt.Fprintf(c.Stdout, "message %d was already delivered\n", d.Message.ID)
	case d.Unowned:
		fmt.Fprintf(c.Stdout, "message %d stored as unowned: nobody holds %s\n", d.Message.ID, d.Message.MDN)
	default:
		to := fmt.Sprintf("request %d", d.Message.RequestID)
		if d.Message.RentalID != 0 {
			to = fmt.Sprintf("rental %d", d.Message.RentalID)
		}
		fmt.Fprintf(c.Stdout, "message %d delivered to %s of user %d, service %s (pin %q)\n",
			d.Message.ID, to, d.Message.UserID, d.Message.Service, d.Message.PIN)
	}
	return nil
}
