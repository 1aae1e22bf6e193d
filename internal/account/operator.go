package account

import (
	"context"
	"database/sql"
	"strings"

	"mdnhub/internal/db"
)

// likePattern is a LIKE pattern matching s anywhere, with LIKE's own
// characters in s taken literally (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Search lists users whose user name or e-mail contains query
// (case-insensitively; "" for every user), by id, those after afterID, at
// most limit: a page of the operator's user list, paged by the last id
// shown.
func (s *Service) Search(ctx context.Context, query string, afterID int64, limit int) ([]User, error) {
	a := s.db.NewArgs()
	where := `id > ` + a.Add(afterID)
	if q := strings.ToLower(strings.TrimSpace(query)); q != "" {
		p := likePattern(q)
		where += ` AND (login LIKE ` + a.Add(p) + ` ESCAPE '\' OR email LIKE ` + a.Add(p) + ` ESCAPE '\')`
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where+` ORDER BY id LIMIT `+a.Add(limit), a.List()...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(r db.Row) (u User, err error) { return u, r.Scan(u.fields()...) })
}

// TotalBalance is the sum of every customer's balance: the prepaid money
// the operator owes its customers.
func (s *Service) TotalBalance(ctx context.Context) (int64, error) {
	var sum int64
	err := s.db.R.QueryRowContext(ctx, `SELECT COALESCE(SUM(balance_cents), 0) FROM users`).Scan(&sum)
	return sum, err
}

// RevokeKey takes a user's API key away: every call with it answers
// Invalid user name or API key at once, in every process on the database,
// until the user makes a new key (Edit profile's mailed link) or the
// operator gives one (GenerateKey). Revoking a user without a key is not an
// error.
func (s *Service) RevokeKey(ctx context.Context, userID int64) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET api_key_hash = NULL WHERE id = $1`, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
	if err == nil {
		s.cache.dropUser(userID)
	}
	return err
}

// Names returns the user names of the given users, by id (unknown ids are
// left out): the operator's lists show who, in one query per page.
func (s *Service) Names(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	a := s.db.NewArgs()
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = id
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, username FROM users WHERE id IN (`+a.In(vals...)+`)`, a.List()...)
	if err != nil {
		return nil, err
	}
	type name struct {
		id   int64
		name string
	}
	ns, err := db.Collect(rows, func(r db.Row) (n name, err error) { return n, r.Scan(&n.id, &n.name) })
	for _, n := range ns {
		out[n.id] = n.name
	}
	return out, err
}
