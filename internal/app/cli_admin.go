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
	verb, rest, err := sub(args, "user", "create", "show", "credit", "key", "role")
	if err != nil {
		return err
	}
	fs, path := c.flags("user " + verb)
	name := fs.String("name", "", "user name (create), or user name or e-mail (others)")
	email := fs.String("email", "", "e-mail address (create)")
	amount := fs.String("amount", "", "dollars to add, negative to take away (credit)")
	reason := fs.String("reason", "", "why the balance changes, kept in the ledger (credit)")
	role := fs.String("role", "", "user or admin (role)")
	if err := fs.Parse(rest); err != nil {
		return err
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
	}
	return nil
}

func (c *CLI) showUser(ctx context.Context, a *App, u account.User) error {
	fmt.Fprintf(c.Stdout, "user:     %s (id %d)\ne-mail:   %s\nrole:     %s\nbalance:  $%s\napi key:  %v\nsuspended: %v\n",
		u.Username, u.ID, u.Email, u.Role, money.Text(u.BalanceCents), u.HasAPIKey, u.Suspended)
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
	if verb != "list" && fs.NArg() == 0 {
		return usagef("mdnhub numbers %s: give a CSV file (import) or one or more MDNs", verb)
	}
	a, err := c.open(ctx, path)
	if err != nil {
		return err
	}
	defer a.Close()
	switch verb {
	case "import":
		items, err := readNumbersCSV(fs.Arg(0))
		if err != nil {
			return err
		}
		added, err := a.Inventory.Put(ctx, items)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "imported %d numbers (%d new, %d updated)\n", len(items), added, len(items)-added)
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
// header line starting with "mdn" is skipped, and every column but mdn may
// be empty or missing.
func readNumbersCSV(path string) ([]inventory.Import, error) {
	records, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	var items []inventory.Import
	for i, r := range records {
		if i == 0 && strings.EqualFold(strings.TrimSpace(r[0]), "mdn") {
			continue
		}
		col := func(k int) string {
			if k < len(r) {
				return strings.TrimSpace(r[k])
			}
			return ""
		}
		short := false
		if v := col(4); v != "" {
			if short, err = strconv.ParseBool(v); err != nil {
				return nil, fmt.Errorf("%s line %d: short_rental must be true or false", path, i+1)
			}
		}
		items = append(items, inventory.Import{MDN: col(0), Carrier: col(1), State: col(2), Gateway: col(3), ShortRental: short})
	}
	return items, nil
}

func readCSV(path string) ([][]string, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	return cr.ReadAll()
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
		records, err := readCSV(fs.Arg(0))
		if err != nil {
			return err
		}
		n := 0
		for i, r := range records {
			if i == 0 && strings.EqualFold(strings.TrimSpace(r[0]), "name") {
				continue
			}
			for len(r) < 5 {
				r = append(r, "")
			}
			s := catalog.Service{Name: r[0], Enabled: true}
			if err := parsePrices(&s, r[1], r[2], r[3]); err != nil {
				return fmt.Errorf("line %d: %v", i+1, err)
			}
			if v := strings.TrimSpace(r[4]); v != "" {
				if s.Lifetime, err = time.ParseDuration(v); err != nil {
					return fmt.Errorf("line %d: lifetime %q is not a duration such as 15m", i+1, v)
				}
			}
			if _, err := a.Catalog.Put(ctx, s); err != nil {
				return fmt.Errorf("line %d: %w", i+1, err)
			}
			n++
		}
		fmt.Fprintf(c.Stdout, "%d services saved\n", n)
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
	d, err := a.Messages.Deliver(ctx, message.Inbound{To: *to, From: *from, Text: *text, Gateway: "cli", GatewayID: *id})
	if err != nil {
		return err
	}
	switch {
	case d.Duplicate:
		fmt.Fprintf(c.Stdout, "message %d was already delivered\n", d.Message.ID)
	case d.Unowned:
		fmt.Fprintf(c.Stdout, "message %d stored as unowned: nobody holds %s\n", d.Message.ID, d.Message.MDN)
	default:
		fmt.Fprintf(c.Stdout, "message %d delivered to request %d (pin %q)\n", d.Message.ID, d.Message.RequestID, d.Message.PIN)
	}
	return nil
}
