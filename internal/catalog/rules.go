package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"mdnhub/internal/db"
)

// Rule kinds: a sender rule matches the SMS sender exactly (a short code or
// a number); a keyword rule matches a word or phrase in the text,
// case-insensitively.
const (
	RuleSender  = "sender"
	RuleKeyword = "keyword"
)

// Rule helps detect which service an SMS is for.
type Rule struct {
	ID        int64
	ServiceID int64
	Service   string
	Kind      string
	Pattern   string
}

// AddRule adds a detection rule to a service.
func (c *Catalog) AddRule(ctx context.Context, service, kind, pattern string) (Rule, error) {
	s, err := c.Lookup(ctx, service)
	if err != nil {
		return Rule{}, err
	}
	pattern = strings.TrimSpace(pattern)
	if kind != RuleSender && kind != RuleKeyword {
		return Rule{}, fmt.Errorf("%w: rule kind must be sender or keyword", ErrInvalid)
	}
	if pattern == "" || len(pattern) > 100 {
		return Rule{}, fmt.Errorf("%w: rule pattern must be 1 to 100 characters", ErrInvalid)
	}
	if kind == RuleKeyword {
		pattern = strings.ToLower(pattern)
	}
	r := Rule{ServiceID: s.ID, Service: s.Name, Kind: kind, Pattern: pattern}
	err = c.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO service_rules (service_id, kind, pattern) VALUES ($1, $2, $3)
			 ON CONFLICT (service_id, kind, pattern) DO UPDATE SET pattern = excluded.pattern
			 RETURNING id`, s.ID, kind, pattern).Scan(&r.ID)
	})
	return r, err
}

// DeleteRule removes a detection rule by id.
func (c *Catalog) DeleteRule(ctx context.Context, id int64) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM service_rules WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
}

// Rules lists every detection rule, by service.
func (c *Catalog) Rules(ctx context.Context) ([]Rule, error) {
	rows, err := c.db.R.QueryContext(ctx,
		`SELECT r.id, r.service_id, s.name, r.kind, r.pattern FROM service_rules r JOIN services s ON s.id = r.service_id
		 ORDER BY s.name_key, r.kind, r.pattern`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		if err := rows.Scan(&r.ID, &r.ServiceID, &r.Service, &r.Kind, &r.Pattern); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Detector tells which service an SMS is for, from the services' rules,
// loaded once (per batch of messages) and matched in memory.
type Detector struct {
	services []detectService // in id order
}

type detectService struct {
	id       int64
	name     string
	senders  []string // as written, and digits only
	keywords []*regexp.Regexp
	byName   *regexp.Regexp
}

// LoadDetector reads the rules of every enabled service (all true) or of
// the given services, through q (d's, or a transaction of d) so it can run
// inside a transaction.
func LoadDetector(ctx context.Context, dbase *db.DB, q db.Querier, ids []int64) (*Detector, error) {
	where, args := `s.enabled`, []any{}
	if ids != nil {
		if len(ids) == 0 {
			return &Detector{}, nil
		}
		var in string
		in, args = dbase.In(nil, db.Anys(ids)...)
		where = `s.id IN (` + in + `)`
	}
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.name, COALESCE(r.kind, ''), COALESCE(r.pattern, '')
		FROM services s LEFT JOIN service_rules r ON r.service_id = s.id WHERE `+where+` ORDER BY s.id, r.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	d := &Detector{}
	for rows.Next() {
		var (
			id                  int64
			name, kind, pattern string
		)
		if err := rows.Scan(&id, &name, &kind, &pattern); err != nil {
			return nil, err
		}
		if n := len(d.services); n == 0 || d.services[n-1].id != id {
			d.services = append(d.services, detectService{id: id, name: name, byName: wordRE(strings.ToLower(name))})
		}
		ds := &d.services[len(d.services)-1]
		switch kind {
		case RuleSender:
			ds.senders = append(ds.senders, pattern)
			if dg := digitsOnly(pattern); dg != "" {
				ds.senders = append(ds.senders, dg)
			}
		case RuleKeyword:
			ds.keywords = append(ds.keywords, wordRE(pattern))
		}
	}
	return d, rows.Err()
}

// Detect tells which of the candidate services (nil: any loaded one but
// those in skip) an SMS from sender with text is for: a matching sender rule
// wins, then a keyword found as a word, then the service's own name found as
// a word. It returns the id and name; ok is false when nothing matched.
func (d *Detector) Detect(sender, text string, candidates []int64, skip func(name string) bool) (id int64, name string, ok bool) {
	lower := strings.ToLower(text)
	senderDigits := digitsOnly(sender)
	var byKeyword, byName *detectService
	for i := range d.services {
		s := &d.services[i]
		if (candidates != nil && !slices.Contains(candidates, s.id)) || (skip != nil && skip(s.name)) {
			continue
		}
		for _, p := range s.senders {
			if p == sender || (senderDigits != "" && p == senderDigits) {
				return s.id, s.name, true
			}
		}
		if byKeyword == nil {
			for _, re := range s.keywords {
				if re.MatchString(lower) {
					byKeyword = s
					break
				}
			}
		}
		if byName == nil && s.byName != nil && s.byName.MatchString(lower) {
			byName = s
		}
	}
	switch {
	case byKeyword != nil:
		return byKeyword.id, byKeyword.name, true
	case byName != nil:
		return byName.id, byName.name, true
	}
	return 0, "", false
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wordRE matches phrase (lower-case) in a lower-cased text, not as part of
// a longer word: "uber" matches "your uber code" but not "suberb".
func wordRE(phrase string) *regexp.Regexp {
	if phrase == "" {
		return nil
	}
	return regexp.MustCompile(`(^|[^\pL\pN])` + regexp.QuoteMeta(phrase) + `($|[^\pL\pN])`)
}
