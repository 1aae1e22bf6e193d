package account

import (
	"context"

	"mdnhub/internal/db"
)

// keyOnly is the login under which AuthenticateKey caches what it verified.
// Authenticate refuses an empty login, so its entries and these never meet;
// both kinds carry the user's id, so dropUser and a change of the
// database's count forget them alike.
const keyOnly = ""

// AuthenticateKey finds the account of an API key alone, for protocols that
// send no user name (SMS-Activate's handler_api.php). It answers exactly as
// Authenticate does: ErrUnauthorized for an unknown key, ErrSuspended for a
// suspended account, and it trusts its cache only while the database reports
// no change of keys, suspensions or account settings, so a rotated or
// revoked key stops at once, in every process. The key is looked up by its
// SHA-256 hash through an index; keys are 128 random bits, so two accounts
// never share one, and if they did neither would be found.
func (s *Service) AuthenticateKey(ctx context.Context, key string) (Principal, error) {
	if key == "" || len(key) > 256 {
		return Principal{}, ErrUnauthorized
	}
	keyHash := hashKey(key)
	return s.cached(ctx, keyOnly, keyHash, func() (Principal, error) {
		rows, err := s.db.R.QueryContext(ctx,
			`SELECT id, username, suspended, request_status_format FROM users WHERE api_key_hash = $1 ORDER BY id LIMIT 2`, keyHash)
		if err != nil {
			return Principal{}, err
		}
		type found struct {
			p         Principal
			suspended bool
		}
		all, err := db.Collect(rows, func(r db.Row) (f found, err error) {
			return f, r.Scan(&f.p.UserID, &f.p.Username, &f.suspended, &f.p.RequestStatusFormat)
		})
		if err != nil {
			return Principal{}, err
		}
		if len(all) != 1 {
			return Principal{}, ErrUnauthorized
		}
		if all[0].suspended {
			return Principal{}, ErrSuspended
		}
		return all[0].p, nil
	})
}
