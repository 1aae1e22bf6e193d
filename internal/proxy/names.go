package proxy

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"mdnhub/internal/db"
)

// Proxy user names.
//
// A rental's proxy user is <username>_<port>, in lower case (customers may
// type it in any case). User names and port ids may both hold '_', so two
// rentals can spell the same text: user "pxa_1" on port "2" and user "pxa"
// on port "1_2" are both "pxa_1_2". Nothing ever parses the name: each
// rental stores its own, unique among active rentals (a unique index), and
// the one that finds its name taken gets <username>_<port>~2 (or ~3, ...).
// '~' is in neither user names nor port ids, so such a name is never
// another rental's plain <username>_<port>: a rental takes a suffixed name
// only from a rental of the same spelling.

// maxNameSuffix bounds the suffixes tried. Rentals holding one spelling at
// once are rentals by different users whose names and ports spell the same
// text, or by one user of ports whose ids differ only in case: a handful.
const maxNameSuffix = 100

// proxyUserName finds the proxy user for a rental of username on port
// (self: the rental being moved by a swap, 0 for a new one), in tx. A
// rental past its end whose expiry job has not run yet is ended here and
// gives its name up, so renting a port again right after the end keeps the
// name.
func (s *Service) proxyUserName(ctx context.Context, tx *sql.Tx, username, port string, self int64) (string, error) {
	base := strings.ToLower(username + "_" + port)
	now := s.clock.Now().Unix()
	for n := 1; n <= maxNameSuffix; n++ {
		name := base
		if n > 1 {
			name += "~" + strconv.Itoa(n)
		}
		rows, err := tx.QueryContext(ctx, `UPDATE proxy_rentals SET status = 'ended', ended_at = $1
			WHERE proxy_user = $2 AND status = 'active' AND expires_at <= $1 AND id <> $3 RETURNING id`, now, name, self)
		if err != nil {
			return "", err
		}
		ended, err := db.Int64s(rows)
		if err != nil {
			return "", err
		}
		for _, id := range ended {
			s.revokeAfterCommit(tx, id)
		}
		var held bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM proxy_rentals
			WHERE proxy_user = $1 AND status = 'active' AND id <> $2)`, name, self).Scan(&held); err != nil {
			return "", err
		}
		if !held {
			return name, nil
		}
	}
	return "", fmt.Errorf("proxy user names %s to %s~%d are all in use", base, base, maxNameSuffix)
}

// txNamed runs fn in a transaction, again when it lost a proxy user name to
// a concurrent transaction (a unique violation at its insert or update):
// the next attempt sees the winner's name and takes another.
func (s *Service) txNamed(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for range 3 {
		if err = s.db.Tx(ctx, fn); !db.IsUniqueViolation(err) {
			return err
		}
	}
	return err
}
