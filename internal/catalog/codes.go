package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"mdnhub/internal/db"
)

// ErrUnknownCode is returned for a service code that names no enabled
// service: never defined, turned off, or its service is hidden or missing.
var ErrUnknownCode = errors.New("unknown service code")

// DefaultServiceCodes are the codes SMS-Activate-style clients name common
// services by, with the service name each stands for here. A code names its
// service when the catalog has an enabled service of that name
// (case-insensitive); the operator's table (SetServiceCode) overrides a
// default or adds codes. "ot" (SMS-Activate's "any other") has no default:
// there is no catch-all one-time service.
var DefaultServiceCodes = map[string]string{
	"ab": "Alibaba", "ac": "DoorDash", "am": "Amazon", "bz": "Blizzard", "dh": "eBay", "dr": "OpenAI",
	"ds": "Discord", "ew": "Nike", "fb": "Facebook", "fu": "Snapchat", "gf": "Google Voice", "go": "Google",
	"hb": "Twitch", "ig": "Instagram", "jg": "Grab", "ka": "Shopee", "lf": "TikTok", "mb": "Yahoo",
	"me": "Line", "mm": "Microsoft", "mo": "Bumble", "mt": "Steam", "nf": "Netflix", "oi": "Tinder",
	"rc": "Skype", "re": "Coinbase", "tg": "Telegram", "tn": "LinkedIn", "ts": "PayPal", "tu": "Lyft",
	"tw": "Twitter", "ub": "Uber", "uk": "Airbnb", "vi": "Viber", "vz": "Hinge", "wa": "WhatsApp",
	"wb": "WeChat", "wc": "Craigslist", "wx": "Apple", "yy": "Venmo",
}

// ServiceCode is one code of the effective table: the operator's rows and
// the defaults they leave in force.
type ServiceCode struct {
	Code string
	// Service is the enabled service the code names now; its ID is 0 when
	// the code names none (Off, or no such enabled service).
	Service Service
	// Default is the built-in default's service name, "" for none.
	Default string
	// Operator tells that an operator's row decides the code; Off that the
	// row turns it off.
	Operator, Off bool
	// Target is the name the code is meant to stand for: the operator's
	// service (hidden ones too), else the default's name; "" when Off.
	Target string
}

// NormalizeCode checks a service code and returns it lower-case: 1 to 16
// letters, digits or '_'.
func NormalizeCode(code string) (string, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	if c == "" || len(c) > 16 || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return "", fmt.Errorf("%w: a service code is 1 to 16 letters, digits or '_'", ErrInvalid)
	}
	return c, nil
}

// ServiceByCode returns the enabled service a code names (matched
// case-insensitively), or ErrUnknownCode.
func (c *Catalog) ServiceByCode(ctx context.Context, code string) (Service, error) {
	code, err := NormalizeCode(code)
	if err != nil {
		return Service{}, ErrUnknownCode
	}
	var id sql.NullInt64
	err = c.db.R.QueryRowContext(ctx, `SELECT service_id FROM service_codes WHERE code = $1`, code).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		name, ok := DefaultServiceCodes[code]
		if !ok {
			return Service{}, ErrUnknownCode
		}
		s, err := c.Lookup(ctx, name)
		if errors.Is(err, ErrUnknownService) {
			return Service{}, ErrUnknownCode
		}
		return s, err
	case err != nil:
		return Service{}, err
	case !id.Valid:
		return Service{}, ErrUnknownCode
	}
	s, err := scanService(c.db.R.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1 AND enabled`, id.Int64))
	if errors.Is(err, sql.ErrNoRows) {
		return Service{}, ErrUnknownCode
	}
	return s, err
}

// ServiceCodes returns the effective table, by code: every default the
// operator left alone and every operator's row.
func (c *Catalog) ServiceCodes(ctx context.Context) ([]ServiceCode, error) {
	rows, err := c.db.R.QueryContext(ctx, `SELECT code, COALESCE(service_id, 0) FROM service_codes`)
	if err != nil {
		return nil, err
	}
	type row struct {
		code string
		id   int64
	}
	set, err := db.Collect(rows, func(r db.Row) (x row, err error) { return x, r.Scan(&x.code, &x.id) })
	if err != nil {
		return nil, err
	}
	all, err := c.All(ctx)
	if err != nil {
		return nil, err
	}
	byID, byKey := map[int64]Service{}, map[string]Service{}
	for _, s := range all {
		byID[s.ID], byKey[strings.ToLower(s.Name)] = s, s
	}
	out := map[string]ServiceCode{}
	for code, name := range DefaultServiceCodes {
		sc := ServiceCode{Code: code, Default: name, Target: name}
		if s, ok := byKey[strings.ToLower(name)]; ok && s.Enabled {
			sc.Service = s
		}
		out[code] = sc
	}
	for _, r := range set {
		sc := ServiceCode{Code: r.code, Default: DefaultServiceCodes[r.code], Operator: true, Off: r.id == 0}
		if s, ok := byID[r.id]; ok {
			sc.Target = s.Name
			if s.Enabled {
				sc.Service = s
			}
		}
		out[r.code] = sc
	}
	list := make([]ServiceCode, 0, len(out))
	for _, sc := range out {
		list = append(list, sc)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
	return list, nil
}

// SetServiceCode makes code name a service of the catalog (a hidden one
// too: the code works once it is shown again), or, with an empty service
// name, turns the code off. It overrides the code's default.
func (c *Catalog) SetServiceCode(ctx context.Context, code, service string) error {
	code, err := NormalizeCode(code)
	if err != nil {
		return err
	}
	var id any
	if service = strings.TrimSpace(service); service != "" {
		var sid int64
		err := c.db.R.QueryRowContext(ctx, `SELECT id FROM services WHERE name_key = $1`, strings.ToLower(service)).Scan(&sid)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknownService
		}
		if err != nil {
			return err
		}
		id = sid
	}
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO service_codes (code, service_id, updated_at) VALUES ($1, $2, $3)
			 ON CONFLICT (code) DO UPDATE SET service_id = excluded.service_id, updated_at = excluded.updated_at`,
			code, id, c.clock.Now().Unix())
		return err
	})
}

// DeleteServiceCode removes the operator's row of a code, so that its
// default (if any) applies again; ErrUnknownCode when there is none.
func (c *Catalog) DeleteServiceCode(ctx context.Context, code string) error {
	code, err := NormalizeCode(code)
	if err != nil {
		return err
	}
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM service_codes WHERE code = $1`, code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrUnknownCode
		}
		return nil
	})
}

// CodesOf gives each service of the table its code, for answers that name a
// service by code: an operator's code wins over a default, and among several
// the first in alphabetical order.
func CodesOf(codes []ServiceCode) map[int64]string {
	out := map[int64]string{}
	op := map[int64]bool{}
	for _, sc := range codes { // sorted by code
		id := sc.Service.ID
		if id == 0 {
			continue
		}
		if _, seen := out[id]; !seen || (sc.Operator && !op[id]) {
			out[id], op[id] = sc.Code, sc.Operator
		}
	}
	return out
}
