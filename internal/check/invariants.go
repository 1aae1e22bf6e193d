package check

import (
	"context"
	"database/sql"
	"strings"
)

// checkLedger: every balance equals the sum of its ledger and the running
// balance of its last entry, and is never negative.
func checkLedger(ctx context.Context, tx *sql.Tx, _ Options, r *Report) error {
	return each(ctx, tx, r, "ledger", `SELECT u.id, u.balance_cents, COALESCE(SUM(l.amount_cents), 0),
		        COALESCE((SELECT l2.balance_cents FROM ledger l2 WHERE l2.user_id = u.id ORDER BY l2.id DESC LIMIT 1), 0)
		 FROM users u LEFT JOIN ledger l ON l.user_id = u.id
		 GROUP BY u.id, u.balance_cents ORDER BY u.id`,
		func(scan func(...any) error) error {
			var id, balance, sum, last int64
			if err := scan(&id, &balance, &sum, &last); err != nil {
				return err
			}
			if balance != sum || balance != last || balance < 0 {
				r.violate("ledger", "user %d: balance %d, ledger sum %d, last running balance %d", id, balance, sum, last)
			}
			return nil
		})
}

// checkHolders: no number is held by two holders (two users' open
// requests, two active rentals, or a rental and a request), and the
// number's held_by names its one holder.
func checkHolders(ctx context.Context, tx *sql.Tx, _ Options, r *Report) error {
	return each(ctx, tx, r, "holders", `SELECT n.id, n.mdn, COALESCE(n.held_by, 0),
		  (SELECT COUNT(DISTINCT q.user_id) FROM requests q WHERE q.number_id = n.id AND q.closed_at IS NULL),
		  (SELECT COALESCE(MIN(q.user_id), 0) FROM requests q WHERE q.number_id = n.id AND q.closed_at IS NULL),
		  (SELECT COUNT(*) FROM rentals l WHERE l.number_id = n.id AND l.status = 'active'),
		  (SELECT COALESCE(MIN(l.user_id), 0) FROM rentals l WHERE l.number_id = n.id AND l.status = 'active')
		 FROM numbers n ORDER BY n.id`,
		func(scan func(...any) error) error {
			var id, heldBy, reqUsers, reqUser, rentals, rentUser int64
			var mdn string
			if err := scan(&id, &mdn, &heldBy, &reqUsers, &reqUser, &rentals, &rentUser); err != nil {
				return err
			}
			switch {
			case reqUsers > 1:
				r.violate("holders", "number %s is held by the open requests of %d users", mdn, reqUsers)
			case rentals > 1:
				r.violate("holders", "number %s is held by %d active rentals", mdn, rentals)
			case reqUsers > 0 && rentals > 0:
				r.violate("holders", "number %s is held by an open request (user %d) and an active rental (user %d)", mdn, reqUser, rentUser)
			case heldBy != max(reqUser, rentUser):
				r.violate("holders", "number %s: held_by %d, but its open holding is user %d's", mdn, heldBy, max(reqUser, rentUser))
			}
			return nil
		})
}

// Refund reasons name what they refund (see request.close, message.settle,
// rental.Release and rental.Resolve).
const (
	refundOfRequest = "Refund of request "
	refundOfSMS     = "Refund of SMS "
)

// checkRefunds: every refund matches what it refunds (a request that ended
// without messages, a refused outbound SMS, an ended rental), each request
// is refunded at most once, and every request that ended without a message
// was refunded: nobody pays for nothing, nobody is paid twice.
func checkRefunds(ctx context.Context, tx *sql.Tx, _ Options, r *Report) error {
	err := each(ctx, tx, r, "refunds", `SELECT l.id, l.user_id, l.amount_cents, COALESCE(l.ref_id, 0), l.reason,
		  q.id IS NOT NULL AND q.user_id = l.user_id AND q.closed_at IS NOT NULL AND q.status IN ('Rejected', 'Timed Out')
		    AND q.messages = 0 AND q.price_cents = l.amount_cents,
		  m.id IS NOT NULL AND m.user_id = l.user_id AND m.kind = 'outbound' AND m.status = 'refused' AND m.price_cents = l.amount_cents,
		  t.id IS NOT NULL AND t.user_id = l.user_id AND t.status = 'ended' AND l.amount_cents <= t.price_cents
		 FROM ledger l
		 LEFT JOIN requests q ON q.id = l.ref_id
		 LEFT JOIN messages m ON m.id = l.ref_id
		 LEFT JOIN rentals t ON t.id = l.ref_id
		 WHERE l.kind = 'refund' ORDER BY l.id`,
		func(scan func(...any) error) error {
			var id, user, amount, ref int64
			var reason string
			var request, sms, rental bool
			if err := scan(&id, &user, &amount, &ref, &reason, &request, &sms, &rental); err != nil {
				return err
			}
			ok := rental
			switch {
			case strings.HasPrefix(reason, refundOfRequest):
				ok = request
			case strings.HasPrefix(reason, refundOfSMS):
				ok = sms
			}
			if !ok {
				r.violate("refunds", "ledger entry %d refunds %d cents to user %d for %d (%q), which matches nothing refundable", id, amount, user, ref, reason)
			}
			return nil
		})
	if err != nil {
		return err
	}
	err = each(ctx, tx, r, "refunds", `SELECT ref_id, COUNT(*) FROM ledger
		 WHERE kind = 'refund' AND reason LIKE 'Refund of request %' GROUP BY ref_id HAVING COUNT(*) > 1`,
		func(scan func(...any) error) error {
			var ref, n int64
			if err := scan(&ref, &n); err != nil {
				return err
			}
			r.violate("refunds", "request %d is refunded %d times", ref, n)
			return nil
		})
	if err != nil {
		return err
	}
	return each(ctx, tx, r, "refunds", `SELECT q.id, q.user_id FROM requests q
		 WHERE q.closed_at IS NOT NULL AND q.status IN ('Rejected', 'Timed Out') AND q.messages = 0 AND q.price_cents > 0
		   AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.kind = 'refund' AND l.ref_id = q.id AND l.user_id = q.user_id AND l.reason LIKE 'Refund of request %')`,
		func(scan func(...any) error) error {
			var id, user int64
			if err := scan(&id, &user); err != nil {
				return err
			}
			r.violate("refunds", "request %d of user %d ended without a message and was not refunded", id, user)
			return nil
		})
}

// checkMessages: a message is visible to an account only if that account
// held the number when the message was received: its request (on that
// number) or its rental chain had started and not yet ended. A message no
// one held is attached to nothing.
func checkMessages(ctx context.Context, tx *sql.Tx, _ Options, r *Report) error {
	return each(ctx, tx, r, "messages", `SELECT m.id, COALESCE(m.user_id, 0), COALESCE(m.request_id, 0), COALESCE(m.rental_id, 0),
		  m.received_at, COALESCE(m.number_id, 0),
		  COALESCE(q.user_id, 0), COALESCE(q.number_id, 0), COALESCE(q.won_at, q.created_at, 0), COALESCE(q.expires_at, 0),
		  COALESCE(t.user_id, 0),
		  COALESCE((SELECT MIN(x.created_at) FROM rentals x WHERE COALESCE(x.first_id, x.id) = COALESCE(t.first_id, t.id)), 0),
		  COALESCE(t.expires_at, 0)
		 FROM messages m
		 LEFT JOIN requests q ON q.id = m.request_id
		 LEFT JOIN rentals t ON t.id = m.rental_id
		 WHERE m.kind = 'sms' ORDER BY m.id`,
		func(scan func(...any) error) error {
			var id, user, request, rental, at, number int64
			var qUser, qNumber, qStart, qEnd, tUser, tStart, tEnd int64
			if err := scan(&id, &user, &request, &rental, &at, &number, &qUser, &qNumber, &qStart, &qEnd, &tUser, &tStart, &tEnd); err != nil {
				return err
			}
			switch {
			case user == 0 && (request != 0 || rental != 0):
				r.violate("messages", "message %d belongs to nobody but is attached to request %d / rental %d", id, request, rental)
			case user == 0:
			case (request == 0) == (rental == 0):
				r.violate("messages", "message %d of user %d is attached to request %d and rental %d", id, user, request, rental)
			case request != 0 && (qUser != user || qNumber != number || at < qStart || at >= qEnd):
				r.violate("messages", "message %d (user %d, number %d, at %d) is shown to request %d of user %d on number %d held from %d to %d",
					id, user, number, at, request, qUser, qNumber, qStart, qEnd)
			case rental != 0 && (tUser != user || at < tStart || at >= tEnd):
				r.violate("messages", "message %d (user %d, at %d) is shown to rental %d of user %d held from %d to %d",
					id, user, at, rental, tUser, tStart, tEnd)
			}
			return nil
		})
}

// checkOutbound: no outbound SMS is left 'sending' past its deadline and the
// grace its reconciliation job waits.
func checkOutbound(ctx context.Context, tx *sql.Tx, o Options, r *Report) error {
	return each(ctx, tx, r, "outbound", `SELECT id, user_id, status, COALESCE(send_deadline, 0) FROM messages WHERE kind = 'outbound'`,
		func(scan func(...any) error) error {
			var id, user, deadline int64
			var status string
			if err := scan(&id, &user, &status, &deadline); err != nil {
				return err
			}
			if status == "sending" && deadline+int64(o.SendGrace.Seconds()) < o.Now.Unix() {
				r.violate("outbound", "outbound SMS %d of user %d is still sending %ds after its deadline", id, user, o.Now.Unix()-deadline)
			}
			return nil
		})
}
