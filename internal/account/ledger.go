package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mdnhub/internal/db"
)

// Ledger entry kinds.
const (
	KindCredit  = "credit"  // operator credit or debit by hand
	KindRequest = "request" // one-time request charge
	KindRefund  = "refund"  // automatic refund of a request
	KindRental  = "rental"  // long-term rental, renewal, reservation or service switch
	KindSMS     = "sms"     // outbound SMS fee
	KindProxy   = "proxy"   // proxy rental
)

// InsufficientFundsError is returned when a debit would take the balance
// below zero; it carries the balance so the API can quote it.
type InsufficientFundsError struct {
	BalanceCents int64
}

func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("insufficient funds: balance %d cents", e.BalanceCents)
}

// Unwrap makes errors.Is(err, db.ErrInsufficientFunds) true.
func (e *InsufficientFundsError) Unwrap() error { return db.ErrInsufficientFunds }

// Entry is one row of the append-only balance ledger.
type Entry struct {
	ID           int64
	UserID       int64
	AmountCents  int64
	BalanceCents int64
	Kind         string
	Reason       string
	RefID        int64
	CreatedAt    int64
}

// Post changes a user's balance by amount (negative to debit) and appends the
// ledger entry, inside the caller's transaction q. The balance never goes
// below zero: a debit larger than the balance returns
// *InsufficientFundsError and changes nothing. It returns the new balance.
func Post(ctx context.Context, q db.Querier, userID, amount int64, kind, reason string, refID int64, now int64) (int64, error) {
	var balance int64
	err := q.QueryRowContext(ctx,
		`UPDATE users SET balance_cents = balance_cents + $1
		 WHERE id = $2 AND balance_cents + $1 >= 0
		 RETURNING balance_cents`, amount, userID).Scan(&balance)
	if errors.Is(err, sql.ErrNoRows) {
		var current int64
		if err := q.QueryRowContext(ctx, `SELECT balance_cents FROM users WHERE id = $1`, userID).Scan(&current); err != nil {
			return 0, db.NoRows(err)
		}
		return 0, &InsufficientFundsError{BalanceCents: current}
	}
	if err != nil {
		return 0, err
	}
	db.Touch(q, userID)
	var ref any
	if refID != 0 {
		ref = refID
	}
	_, err = q.ExecContext(ctx,
		`INSERT INTO ledger (user_id, amount_cents, balance_cents, kind, reason, ref_id, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)`, userID, amount, balance, kind, reason, ref, now)
	if err != nil {
		return 0, err
	}
	return balance, nil
}

// Entries returns a user's newest ledger entries, at most limit.
func (s *Service) Entries(ctx context.Context, userID int64, limit int) ([]Entry, error) {
	p, err := s.LedgerEntries(ctx, LedgerPage{UserID: userID, Keyset: db.Keyset{Limit: limit}})
	return p.Rows, err
}

// Credit adds amount (negative to take away) to a user's balance by hand,
// with a reason that is kept in the ledger.
func (s *Service) Credit(ctx context.Context, userID, amount int64, reason string) (int64, error) {
	if reason == "" {
		return 0, fmt.Errorf("%w: a reason is required", ErrInvalid)
	}
	if amount == 0 {
		return 0, fmt.Errorf("%w: amount must not be zero", ErrInvalid)
	}
	var balance int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		balance, err = Post(ctx, tx, userID, amount, KindCredit, reason, 0, s.clock.Now().Unix())
		return err
	})
	return balance, err
}

// CheckLedger verifies the ledger invariant for every user: the balance
// equals the sum of the user's ledger entries and the last entry's running
// balance. It returns a description of the first violation, or nil.
func CheckLedger(ctx context.Context, q db.Querier) error {
	rows, err := q.QueryContext(ctx,
		`SELECT u.id, u.balance_cents, COALESCE(SUM(l.amount_cents), 0),
		        COALESCE((SELECT l2.balance_cents FROM ledger l2 WHERE l2.user_id = u.id ORDER BY l2.id DESC LIMIT 1), 0)
		 FROM users u LEFT JOIN ledger l ON l.user_id = u.id
		 GROUP BY u.id, u.balance_cents`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, balance, sum, last int64
		if err := rows.Scan(&id, &balance, &sum, &last); err != nil {
			return err
		}
		if balance != sum || balance != last || balance < 0 {
			return fmt.Errorf("user %d: balance %d, ledger sum %d, last running balance %d", id, balance, sum, last)
		}
	}
	return rows.Err()
}
