package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
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

// Detect tells which of the candidate services an SMS from sender with text
// is for: a matching sender rule wins, then a matching keyword rule, then
// the service's own name appearing as a word in the text. ok is false when
// nothing matched. It reads through q so it can run inside a transaction.
func Detect(ctx context.Context, q db.Querier, sender, text string, candidates []int64) (serviceID int64, ok bool, err error) {
	if len(candidates) == 0 {
		return 0, false, nil
	}
	var in strings.Builder
	args := make([]any, len(candidates))
	for i, id := range candidates {
		args[i] = id
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(i+1))
	}
	rows, err := q.QueryContext(ctx,
		`SELECT s.id, s.name, COALESCE(r.kind, ''), COALESCE(r.pattern, '')
		 FROM services s LEFT JOIN service_rules r ON r.service_id = s.id
		 WHERE s.id IN (`+in.String()+`) ORDER BY s.id`, args...)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	lower := strings.ToLower(text)
	senderDigits := digitsOnly(sender)
	var byKeyword, byName int64
	for rows.Next() {
		var (
			id                  int64
			name, kind, pattern string
		)
		if err := rows.Scan(&id, &name, &kind, &pattern); err != nil {
			return 0, false, err
		}
		switch {
		case kind == RuleSender && (pattern == sender || (senderDigits != "" && digitsOnly(pattern) == senderDigits)):
			return id, true, nil
		case kind == RuleKeyword && byKeyword == 0 && containsWord(lower, pattern):
			byKeyword = id
		case byName == 0 && containsWord(lower, strings.ToLower(name)):
			byName = id
		}
	}
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	if byKeyword != 0 {
		return byKeyword, true, nil
	}
	return byName, byName != 0, nil
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

// containsWord reports whether phrase occurs in text (both lower-case) not as
// part of a longer word: "uber" matches "your uber code" but not "suberb".
func containsWord(text, phrase string) bool {
	if phrase == "" {
		return false
	}
	re, err := regexp.Compile(`(^|[^\pL\pN])` + regexp.QuoteMeta(phrase) + `($|[^\pL\pN])`)
	return err == nil && re.MatchString(text)
}
