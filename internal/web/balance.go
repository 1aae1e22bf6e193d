package web

import (
	"net/http"

	"mdnhub/internal/account"
	"mdnhub/internal/money"
)

type custBalanceView struct {
	Balance int64
	Entries []custEntry
	Pager   custPager
}

// custEntry is a ledger line with its signed amount: +$1.00, −$1.20 (flat,
// as templates find promoted fields slowly).
type custEntry struct {
	CreatedAt, BalanceCents int64
	Kind, Reason, Amount    string
	Debit                   bool
}

// custBalance is the balance and its ledger, newest first, paged by id.
func (s *Server) custBalance(w http.ResponseWriter, r *http.Request, sess account.Session) {
	q := r.URL.Query()
	ctx := r.Context()
	bal, err := s.Accounts.Balance(ctx, sess.User.ID)
	if err != nil {
		s.custFail(w, r, err, "balance", nil)
		return
	}
	l, err := s.Accounts.LedgerEntries(ctx, account.LedgerPage{UserID: sess.User.ID, Keyset: custKeyset(q)})
	if err != nil {
		s.custFail(w, r, err, "ledger", nil)
		return
	}
	v := custBalanceView{Balance: bal, Pager: custKeysetPager("/balance", q, l)}
	for _, e := range l.Rows {
		x := custEntry{CreatedAt: e.CreatedAt, BalanceCents: e.BalanceCents, Kind: e.Kind, Reason: e.Reason, Amount: "+$" + money.Text(e.AmountCents)}
		if e.AmountCents < 0 {
			x.Amount, x.Debit = "−$"+money.Text(-e.AmountCents), true
		}
		v.Entries = append(v.Entries, x)
	}
	s.render(w, r, http.StatusOK, "balance", "Balance and ledger", v)
}
