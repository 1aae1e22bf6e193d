// Command mdn is a command-line client of an mdnhub server (and of the
// api_command.php API family), built on the Go SDK:
//
//	mdn request Google --wait     a number, then its code
//	mdn rent Google               a number for 30 days
//	mdn sms 10000001              the messages of a request
//	mdn balance
//	mdn services
//
// Credentials come from flags, the MDN_URL, MDN_USER and MDN_KEY
// environment variables, or ~/.config/mdn/config; --json prints JSON.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"mdnhub/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // the server refused, or could not be reached
	exitUsage   = 2
	exitTimeout = 3 // a wait ran out of time
)

const usage = `mdn: a client of an mdnhub server.

Usage: mdn [global flags] <command> [arguments and flags]

Commands:
  request SERVICE [--wait] [--mdn M] [--areacode A] [--state S] [--markup N] [--timeout D]
                   a number for one-time verification (SERVICE may be A,B for one
                   number for several); --wait waits for the number of a premium
                   bid, then for the code, and prints it
  status ID        a request's status
  reject ID        reject a request's number (refunded), or cancel a bid
  sms [ID] [--mdn M] [--service S] [--ltr-id N] [--limit N] [--wait D]
                   received messages, newest first
  send (--mdn M | --id ID) [--to T] TEXT
                   reply by SMS from a number you hold
  rent SERVICE [--days 3|30] [--mdn M] [--areacode A] [--state S] [--autorenew] [--reserve]
                   rent a number long-term
  release (LTR_ID | --mdn M)
                   end a rental now
  balance          your balance
  services [NAME...]
                   services with prices and availability

Global flags:
  --url URL  --user NAME  --key KEY   the server and account (else MDN_URL,
                                      MDN_USER, MDN_KEY, else the config file)
  --config PATH                       the config file (default ~/.config/mdn/config,
                                      or MDN_CONFIG): lines "url = ...", "user = ...",
                                      "key = ..."
  --json                              JSON output: one JSON value per line

Exit status: 0 done, 1 refused or unreachable, 2 usage, 3 timed out waiting.
`

// app is one invocation.
type app struct {
	c      *client.Client
	json   bool
	out    io.Writer
	errOut io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	global := flag.NewFlagSet("mdn", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	var flags settings
	var cfgPath string
	var asJSON bool
	global.StringVar(&flags.URL, "url", "", "")
	global.StringVar(&flags.User, "user", "", "")
	global.StringVar(&flags.Key, "key", "", "")
	global.StringVar(&cfgPath, "config", "", "")
	global.BoolVar(&asJSON, "json", false, "")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "mdn: %v\n\n%s", err, usage)
		return exitUsage
	}
	rest := global.Args()
	if len(rest) == 0 || rest[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(rest) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, rest := rest[0], rest[1:]
	handler, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "mdn: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	if cfgPath == "" {
		cfgPath = configPath(getenv)
	}
	s, err := resolve(flags, getenv, cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "mdn: %v\n", err)
		return exitUsage
	}
	a := &app{c: client.New(s.URL, s.User, s.Key), json: asJSON, out: stdout, errOut: stderr}
	a.c.UserAgent = "mdn/" + client.Version
	err = handler(ctx, a, rest)
	var ue usageError
	var ae *client.APIError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mdn %s: %v\n", cmd, err)
		return exitUsage
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(stderr, "mdn %s: timed out\n", cmd)
		return exitTimeout
	case errors.As(err, &ae):
		fmt.Fprintf(stderr, "mdn %s: %s\n", cmd, ae.Message)
		return exitFailed
	default:
		fmt.Fprintf(stderr, "mdn %s: %v\n", cmd, err)
		return exitFailed
	}
}

// usageError is a mistake in the command line.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// parse parses fs from args, flags and positional arguments in any order,
// and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

var commands = map[string]func(context.Context, *app, []string) error{
	"request":  cmdRequest,
	"status":   cmdStatus,
	"reject":   cmdReject,
	"sms":      cmdSMS,
	"send":     cmdSend,
	"rent":     cmdRent,
	"release":  cmdRelease,
	"balance":  cmdBalance,
	"services": cmdServices,
}

// emit prints v as one JSON line (--json), or calls human.
func (a *app) emit(v any, human func(w io.Writer)) {
	if a.json {
		b, _ := json.Marshal(v)
		fmt.Fprintf(a.out, "%s\n", b)
		return
	}
	human(a.out)
}

// fields prints aligned "name value" lines.
func fields(w io.Writer, kv ...string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			fmt.Fprintf(tw, "%s\t%s\n", kv[i], kv[i+1])
		}
	}
	tw.Flush()
}

func cmdRequest(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("request", flag.ContinueOnError)
	var p client.RequestParams
	fs.StringVar(&p.MDN, "mdn", "", "")
	fs.StringVar(&p.AreaCode, "areacode", "", "")
	fs.StringVar(&p.State, "state", "", "")
	fs.IntVar(&p.Markup, "markup", 0, "")
	wait := fs.Bool("wait", false, "")
	timeout := fs.Duration("timeout", 30*time.Minute, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one SERVICE (or A,B,... for several)")
	}
	p.Services = strings.Split(pos[0], ",")
	rs, err := a.c.Request(ctx, p)
	if err != nil {
		return err
	}
	for _, r := range rs {
		a.emit(r, func(w io.Writer) {
			number := r.MDN
			if number == "" {
				number = "(awaiting a number: premium bid)"
			}
			fields(w, "number", number, "id", r.ID, "service", r.Service, "price", r.Price.String(), "status", r.Status,
				"expires in", (time.Duration(r.TillExpiration) * time.Second).String())
		})
	}
	if !*wait {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	r := rs[0]
	if r.Status == client.StatusAwaiting {
		fmt.Fprintln(a.errOut, "waiting for a number...")
		if r, err = a.c.WaitForNumber(ctx, r.ID); err != nil {
			return err
		}
		a.emit(r, func(w io.Writer) { fields(w, "number", r.MDN, "id", r.ID, "carrier", r.Carrier) })
	}
	fmt.Fprintln(a.errOut, "waiting for the code...")
	m, err := a.c.WaitForCode(ctx, r.ID)
	if err != nil {
		return err
	}
	a.emit(m, func(w io.Writer) { fields(w, "code", orNone(m.PIN), "from", m.From, "text", m.Reply) })
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none recognised)"
	}
	return s
}

func oneID(fs *flag.FlagSet, args []string, what string) (string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usagef("want one %s", what)
	}
	return pos[0], nil
}

func cmdStatus(ctx context.Context, a *app, args []string) error {
	id, err := oneID(flag.NewFlagSet("status", flag.ContinueOnError), args, "request ID")
	if err != nil {
		return err
	}
	r, err := a.c.RequestStatus(ctx, id)
	if err != nil {
		return err
	}
	a.emit(r, func(w io.Writer) {
		fields(w, "id", r.ID, "number", r.MDN, "service", r.Service, "status", r.Status, "carrier", r.Carrier,
			"expires in", (time.Duration(r.TillExpiration) * time.Second).String())
	})
	return nil
}

func cmdReject(ctx context.Context, a *app, args []string) error {
	id, err := oneID(flag.NewFlagSet("reject", flag.ContinueOnError), args, "request ID")
	if err != nil {
		return err
	}
	if err := a.c.Reject(ctx, id); err != nil {
		return err
	}
	a.emit(map[string]string{"id": id, "status": client.StatusRejected}, func(w io.Writer) { fmt.Fprintf(w, "request %s rejected\n", id) })
	return nil
}

func cmdSMS(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("sms", flag.ContinueOnError)
	var p client.ReadSMSParams
	fs.StringVar(&p.MDN, "mdn", "", "")
	fs.StringVar(&p.Service, "service", "", "")
	fs.Int64Var(&p.LTRID, "ltr-id", 0, "")
	fs.IntVar(&p.Limit, "limit", 0, "")
	fs.DurationVar(&p.Wait, "wait", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch len(pos) {
	case 0:
	case 1:
		p.ID = pos[0]
	default:
		return usagef("want at most one request ID")
	}
	msgs, err := a.c.ReadSMS(ctx, p)
	if errors.Is(err, client.ErrNoMessages) {
		if !a.json {
			fmt.Fprintln(a.out, "no messages")
		}
		return nil
	}
	if err != nil {
		return err
	}
	for _, m := range msgs {
		a.emit(m, func(w io.Writer) {
			fmt.Fprintf(w, "%s  %s -> %s  %s  code %s\n  %s\n", m.DateTime, m.From, m.To, m.Service, orNone(m.PIN), m.Reply)
		})
	}
	return nil
}

func cmdSend(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	var p client.SendSMSParams
	fs.StringVar(&p.MDN, "mdn", "", "")
	fs.StringVar(&p.ID, "id", "", "")
	fs.StringVar(&p.To, "to", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	p.Text = strings.Join(pos, " ")
	if p.Text == "" || (p.MDN == "") == (p.ID == "") {
		return usagef("want --mdn M or --id ID, and the TEXT")
	}
	if err := a.c.SendSMS(ctx, p); err != nil {
		return err
	}
	a.emit(map[string]string{"status": "sent"}, func(w io.Writer) { fmt.Fprintln(w, "message sent") })
	return nil
}

func cmdRent(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("rent", flag.ContinueOnError)
	var p client.RentLTRParams
	fs.IntVar(&p.Days, "days", 30, "")
	fs.StringVar(&p.MDN, "mdn", "", "")
	fs.StringVar(&p.AreaCode, "areacode", "", "")
	fs.StringVar(&p.State, "state", "", "")
	fs.BoolVar(&p.Autorenew, "autorenew", false, "")
	fs.BoolVar(&p.Reserve, "reserve", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one SERVICE")
	}
	p.Service = pos[0]
	r, err := a.c.RentLTR(ctx, p)
	if err != nil {
		return err
	}
	a.emit(r, func(w io.Writer) {
		number := r.MDN
		if number == "" {
			number = "(reserved: the next available number)"
		}
		fields(w, "number", number, "rental id", strconv.FormatInt(r.ID, 10), "service", r.Service, "price", r.Price.String(),
			"expires", r.Expires, "carrier", r.Carrier)
	})
	return nil
}

func cmdRelease(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	var ref client.RentalRef
	fs.StringVar(&ref.MDN, "mdn", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && ref.MDN == "":
		if ref.ID, err = strconv.ParseInt(pos[0], 10, 64); err != nil {
			return usagef("LTR_ID must be a number")
		}
	case len(pos) == 0 && ref.MDN != "":
	default:
		return usagef("want one LTR_ID, or --mdn M")
	}
	if err := a.c.ReleaseRental(ctx, ref); err != nil {
		return err
	}
	a.emit(map[string]string{"status": "released"}, func(w io.Writer) { fmt.Fprintln(w, "rental released") })
	return nil
}

func cmdBalance(ctx context.Context, a *app, args []string) error {
	if pos, err := parse(flag.NewFlagSet("balance", flag.ContinueOnError), args); err != nil || len(pos) > 0 {
		return usagef("balance takes no arguments")
	}
	b, err := a.c.Balance(ctx)
	if err != nil {
		return err
	}
	a.emit(map[string]client.Money{"balance": b}, func(w io.Writer) { fmt.Fprintln(w, b.String()) })
	return nil
}

func cmdServices(ctx context.Context, a *app, args []string) error {
	names, err := parse(flag.NewFlagSet("services", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	list, err := a.c.ListServices(ctx, names...)
	if err != nil {
		return err
	}
	if a.json {
		for _, s := range list {
			a.emit(s, nil)
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPRICE\tAVAILABLE\t30 DAYS\t3 DAYS\tRENTABLE")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\n", s.Name, s.Price, s.Available, s.LTRPrice, s.LTRShortPrice, s.LTRAvailable)
	}
	return tw.Flush()
}
