package e2e

import (
	"database/sql"
	"math"
	"sort"
	"strings"

	"mdnhub/internal/db"
)

// verify holds what every peer and client was told against the database,
// once the last process has stopped.
func (r *crashRig) verify(d *db.DB) {
	t := r.t
	q := func(query string, args ...any) *sql.Rows {
		t.Helper()
		rows, err := d.R.Query(query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return rows
	}
	scanAll := func(rows *sql.Rows, row func(scan func(...any) error) error) {
		t.Helper()
		defer rows.Close()
		for rows.Next() {
			if err := row(rows.Scan); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}

	// The ledger, by kind and what each entry is for.
	type ledgerKey struct {
		kind string
		ref  int64
	}
	charges := map[ledgerKey]int{}
	requestRefunds, smsRefunds := map[int64]int{}, map[int64]int{}
	scanAll(q(`SELECT kind, COALESCE(ref_id, 0), reason FROM ledger`), func(scan func(...any) error) error {
		var kind, reason string
		var ref int64
		if err := scan(&kind, &ref, &reason); err != nil {
			return err
		}
		switch {
		case kind == "refund" && strings.HasPrefix(reason, "Refund of request "):
			requestRefunds[ref]++
		case kind == "refund" && strings.HasPrefix(reason, "Refund of SMS "):
			smsRefunds[ref]++
		default:
			charges[ledgerKey{kind, ref}]++
		}
		return nil
	})

	// 1. Every request, reject and rental answered ok is there, charged once.
	type requestRow struct {
		user, mdn, status string
		price             int64
	}
	requests := map[int64]requestRow{}
	scanAll(q(`SELECT r.id, u.username, r.mdn, r.status, r.price_cents FROM requests r JOIN users u ON u.id = r.user_id`),
		func(scan func(...any) error) error {
			var id int64
			var x requestRow
			if err := scan(&id, &x.user, &x.mdn, &x.status, &x.price); err != nil {
				return err
			}
			requests[id] = x
			return nil
		})
	r.j.mu.Lock()
	defer r.j.mu.Unlock()
	for id, a := range r.j.requests {
		row, ok := requests[id]
		switch {
		case !ok:
			t.Errorf("request %d (%+v) was answered ok but is not in the database", id, a)
		case row.user != a.user || row.mdn != a.mdn || row.price != int64(math.Round(a.price*100)):
			t.Errorf("request %d was answered %+v but is stored as %+v", id, a, row)
		case charges[ledgerKey{"request", id}] != 1:
			t.Errorf("request %d was charged %d times", id, charges[ledgerKey{"request", id}])
		}
	}
	for id := range r.j.rejects {
		if row := requests[id]; row.status != "Rejected" || requestRefunds[id] != 1 {
			t.Errorf("request %d was rejected (answered ok) but is %q and refunded %d times", id, row.status, requestRefunds[id])
		}
	}
	type rentalRow struct{ user, mdn string }
	rentals := map[int64]rentalRow{}
	scanAll(q(`SELECT r.id, u.username, r.mdn FROM rentals r JOIN users u ON u.id = r.user_id`), func(scan func(...any) error) error {
		var id int64
		var x rentalRow
		if err := scan(&id, &x.user, &x.mdn); err != nil {
			return err
		}
		rentals[id] = x
		return nil
	})
	for id, a := range r.j.rentals {
		if row, ok := rentals[id]; !ok || row.user != a.user || row.mdn != a.mdn || charges[ledgerKey{"rental", id}] != 1 {
			t.Errorf("rental %d was answered ok (%+v) but is stored as %+v (present %v), charged %d times",
				id, a, row, ok, charges[ledgerKey{"rental", id}])
		}
	}

	// 2. Every inbound SMS: stored once, whichever gateway brought it.
	type smsRow struct {
		id      int64
		gateway string
		gwID    string
	}
	inbound := map[string][]smsRow{} // by text
	scanAll(q(`SELECT id, gateway, COALESCE(gateway_msg_id, ''), body FROM messages WHERE kind = 'sms'`), func(scan func(...any) error) error {
		var x smsRow
		var body string
		if err := scan(&x.id, &x.gateway, &x.gwID, &body); err != nil {
			return err
		}
		inbound[body] = append(inbound[body], x)
		return nil
	})
	r.dev.mu.Lock()
	pushed, pushDupAcks, pushRetried := len(r.dev.all), 0, 0
	for _, m := range r.dev.all {
		rows := inbound[m.text]
		pushDupAcks += m.dupAcks
		if m.attempts > 1 {
			pushRetried++
		}
		switch {
		case m.acks == 0:
			t.Errorf("pushed SMS %s never got a 200 (%d attempts)", m.id, m.attempts)
		case len(rows) != 1:
			t.Errorf("pushed SMS %s (%d attempts, %d answers 200) is stored %d times", m.id, m.attempts, m.acks, len(rows))
		case rows[0].gateway != crashPushGateway || rows[0].gwID != m.id:
			t.Errorf("pushed SMS %s is stored as %+v", m.id, rows[0])
		default:
			for _, id := range m.messageIDs {
				if id != rows[0].id {
					t.Errorf("pushed SMS %s was answered message_id %d, stored as %d", m.id, id, rows[0].id)
				}
			}
		}
	}
	for _, e := range r.dev.errs {
		t.Errorf("push device: %s", e)
	}
	r.dev.mu.Unlock()

	r.smsc.mu.Lock()
	delivered, resentSMPP := len(r.smsc.all), 0
	for _, m := range r.smsc.all {
		rows := inbound[m.text]
		if m.sends > 1 {
			resentSMPP++
		}
		switch {
		case m.refused:
			t.Errorf("SMPP SMS %q was refused", m.text)
		case m.acks == 0:
			t.Errorf("SMPP SMS %q was never answered with success (%d sends)", m.text, m.sends)
		case len(rows) != 1:
			t.Errorf("SMPP SMS %q (%d sends, %d answered with success) is stored %d times", m.text, m.sends, m.acks, len(rows))
		case rows[0].gateway != crashSMPPGateway:
			t.Errorf("SMPP SMS %q is stored as %+v", m.text, rows[0])
		}
	}
	submits := map[string]int{}
	for text, n := range r.smsc.submits {
		submits[text] = n
	}
	binds, statuses := r.smsc.binds, r.smsc.statuses
	r.smsc.mu.Unlock()
	for text := range r.j.seen {
		if len(inbound[text]) != 1 {
			t.Errorf("read_sms showed %q, which is stored %d times", text, len(inbound[text]))
		}
	}

	// 3. send_sms: charged once when answered ok and handed to the gateway
	// once; otherwise refunded or never charged; nothing left unsettled.
	type outRow struct {
		id           int64
		user, status string
	}
	outbound := map[string][]outRow{}
	scanAll(q(`SELECT m.id, u.username, m.status, m.body FROM messages m JOIN users u ON u.id = m.user_id WHERE m.kind = 'outbound'`),
		func(scan func(...any) error) error {
			var x outRow
			var body string
			if err := scan(&x.id, &x.user, &x.status, &body); err != nil {
				return err
			}
			outbound[body] = append(outbound[body], x)
			return nil
		})
	r.sendTo.mu.Lock()
	atGateway := func(text, mdn string) (accepted, seen int) {
		if gatewayOf(mdn) == crashSMPPGateway {
			return submits[text], submits[text]
		}
		for _, h := range r.sendTo.got[text] {
			seen++
			if h.code == 200 {
				accepted++
			}
		}
		return accepted, seen
	}
	outcomes := map[string]int{}
	wentFree := 0
	for text, s := range r.j.sends {
		rows := outbound[text]
		accepted, seen := atGateway(text, s.mdn)
		if seen > 1 {
			t.Errorf("send_sms %q reached the gateway %d times", text, seen)
		}
		if len(rows) > 1 {
			t.Errorf("send_sms %q is stored %d times", text, len(rows))
			continue
		}
		var row outRow
		if len(rows) == 1 {
			row = rows[0]
		}
		charged, refunded := charges[ledgerKey{"sms", row.id}], smsRefunds[row.id]
		kept := row.status == "accepted" || row.status == "delivered"
		key := s.outcome
		if key != "ok" && key != "lost" {
			key = "error"
		}
		outcomes[key+" "+row.status]++
		switch {
		case len(rows) == 1 && row.user != s.user:
			t.Errorf("send_sms %q of %s is stored for %s", text, s.user, row.user)
		case s.outcome == "ok" && (!kept || charged != 1 || refunded != 0 || accepted != 1):
			t.Errorf("send_sms %q answered ok: stored %v status %q, charged %d, refunded %d, accepted by the gateway %d times",
				text, len(rows) == 1, row.status, charged, refunded, accepted)
		case len(rows) == 0 && s.outcome == "lost":
			// never reached the database: nothing charged
		case len(rows) == 0:
			if s.outcome == "Message was not accepted for delivery" {
				t.Errorf("send_sms %q was refused by the gateway but not stored with its refund", text)
			}
		case row.status == "sending" && r.strandedOut[row.id]:
			// owed: its reconciliation job waits for River's rescuer
		case row.status == "sending":
			t.Errorf("send_sms %q (%s) is still unsettled", text, s.outcome)
		case kept && (charged != 1 || refunded != 0 || accepted != 1):
			t.Errorf("send_sms %q (%s) is %q: charged %d, refunded %d, accepted by the gateway %d times", text, s.outcome, row.status, charged, refunded, accepted)
		case !kept && (charged != 1 || refunded != 1):
			t.Errorf("send_sms %q (%s) is %q: charged %d, refunded %d", text, s.outcome, row.status, charged, refunded)
		case s.outcome != "ok" && s.outcome != "lost" && s.outcome != "Message was not accepted for delivery":
			t.Errorf("send_sms %q answered %q but is stored as %q", text, s.outcome, row.status)
		case !kept && accepted > 0:
			wentFree++ // the device took it, the answer died with the process: refunded
		}
	}
	for text := range outbound {
		if _, ok := r.j.sends[text]; !ok {
			t.Errorf("outbound SMS %q was never asked for", text)
		}
	}
	for _, e := range r.sendTo.errs {
		t.Errorf("send_url: %s", e)
	}
	r.sendTo.mu.Unlock()

	// 4. Callbacks: every event delivered; every 200 recorded; an event the
	// database showed delivered after a kill never sent again; a repeat of
	// an event that got a 200 only from a later process, after a kill.
	type eventRow struct {
		id     int64
		status string
	}
	events := map[string]eventRow{}
	scanAll(q(`SELECT id, delivery_id, status FROM callback_events`), func(scan func(...any) error) error {
		var e eventRow
		var delivery string
		if err := scan(&e.id, &delivery, &e.status); err != nil {
			return err
		}
		events[delivery] = e
		return nil
	})
	hits := r.cb.snapshot()
	final := int(r.gen.Load())
	attempts, repeats, failedFirst, strandedAfter200 := 0, 0, 0, 0
	for id, e := range events {
		ok200, last200 := 0, 0
		for _, h := range hits[id] {
			if h.code == 200 {
				ok200++
				last200 = h.gen
			}
		}
		switch {
		case e.status == "delivered" && ok200 > 0:
		case (e.status == "pending" || e.status == "sending") && r.strandedCB[e.id] && last200 < final:
			// owed: held by a River job a killed process had fetched
			if ok200 > 0 {
				strandedAfter200++ // its 200 came in the instant before the kill
			}
		default:
			t.Errorf("callback %s (event %d) is %q in the database; the receiver answered 200 to it %d times, the last from process %d of %d",
				id, e.id, e.status, ok200, last200, final)
		}
	}
	ids := make([]string, 0, len(hits))
	for id := range hits {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		hs := hits[id]
		attempts += len(hs)
		if _, ok := events[id]; !ok {
			t.Errorf("callback %s reached the receiver but is not in the database", id)
		}
		if hs[0].code != 200 {
			failedFirst++
		}
		last200 := 0 // the process that got the latest 200
		for _, h := range hs {
			if at, ok := r.deliveredAt[id]; ok && h.gen > at {
				t.Errorf("callback %s was sent again by process %d, after the database showed it delivered when process %d was killed", id, h.gen, at)
			}
			if h.code != 200 {
				continue
			}
			if last200 != 0 {
				repeats++
				if h.gen <= last200 {
					t.Errorf("callback %s got a 200 twice from process %d: a repeat without a crash between", id, h.gen)
				}
			}
			last200 = h.gen
		}
	}
	for _, e := range r.cb.errs {
		t.Errorf("callback receiver: %s", e)
	}

	calls := 0
	for _, n := range r.j.calls {
		calls += n
	}
	t.Logf("checked: %d API calls (%v); %d requests, %d rejects, %d rentals answered ok",
		calls, r.j.calls, len(r.j.requests), len(r.j.rejects), len(r.j.rentals))
	t.Logf("checked: %d pushed SMS (%d retried, %d answered as duplicates); %d SMPP SMS (%d sent more than once) over %d binds, responses %v; %d texts read back",
		pushed, pushRetried, pushDupAcks, delivered, resentSMPP, binds, statuses, len(r.j.seen))
	t.Logf("checked: %d send_sms (outcome and final status: %v; %d taken by the device but refunded; %d found late by mdnhub check, %d left stranded)",
		len(r.j.sends), outcomes, wentFree, r.lateOutbound, len(r.strandedOut))
	t.Logf("checked: %d callback events, %d attempts, %d first attempts refused by the receiver, %d repeats of a 200 across a kill; %d left stranded (%d of them after a 200)",
		len(events), attempts, failedFirst, repeats, len(r.strandedCB), strandedAfter200)
}
