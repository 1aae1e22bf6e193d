package rental_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
	"mdnhub/internal/request"
)

var ctx = context.Background()

const day = 24 * time.Hour

func rent(t *testing.T, e *apptest.Env, a rental.Ask) rental.Rental {
	t.Helper()
	if a.Days == 0 {
		a.Days = 30
	}
	r, err := e.Rentals.Rent(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func billing(t *testing.T, e *apptest.Env, userID int64) []string {
	t.Helper()
	rows, err := e.DB.R.QueryContext(ctx, `SELECT body FROM messages WHERE user_id = $1 AND kind = 'billing' AND sender = 'Billing' ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		rows.Scan(&b)
		out = append(out, b)
	}
	return out
}

func events(t *testing.T, e *apptest.Env, userID int64, event string) []string {
	t.Helper()
	rows, err := e.DB.R.QueryContext(ctx, `SELECT payload FROM callback_events WHERE user_id = $1 AND event = $2 ORDER BY id`, userID, event)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		rows.Scan(&p)
		out = append(out, p)
	}
	return out
}

func TestRentChargesAndExpiresOnTime(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0) // ltr 20.00, short 5.00
		e.Numbers(t, "12125550000")
		if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550001", Carrier: "ATT", Gateway: "lab", ShortRental: true}}); err != nil {
			t.Fatal(err)
		}
		u, _ := e.User(t, 3000)
		r := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, Days: 3})
		if r.MDN != "12125550001" || r.PriceCents != 500 || r.Expires() != apptest.Start.Add(3*day) || r.FirstID != r.ID {
			t.Fatalf("3-day rental %+v", r)
		}
		if _, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 3}); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("3-day rental on a number not marked for it: %v", err)
		}
		r30 := rent(t, e, rental.Ask{UserID: u.ID, Service: svc})
		if r30.PriceCents != 2000 || r30.Expires() != apptest.Start.Add(30*day) {
			t.Fatalf("30-day rental %+v", r30)
		}
		if _, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 7}); !errors.Is(err, rental.ErrDuration) {
			t.Fatalf("7 days: %v", err)
		}
		if b := e.Balance(t, u.ID); b != 3000-500-2000 {
			t.Fatalf("balance %d", b)
		}
		bills := billing(t, e, u.ID)
		if len(bills) != 2 || bills[0] != "Rental 1 of 12125550001 for Google, 3 days: $5.00" {
			t.Fatalf("billing entries %q", bills)
		}
		// Billing entries never reach read_sms.
		if ms, _ := e.Messages.Read(ctx, message.Filter{UserID: u.ID}); len(ms) != 0 {
			t.Fatalf("read_sms shows billing: %+v", ms)
		}
		// One minute before the end it is active; at the end it expires.
		e.Clock.Set(r.Expires().Add(-time.Minute))
		if err := e.Rentals.Expire(ctx, r.ID, r.Expires()); !errors.Is(err, rental.ErrNotDue) {
			t.Fatalf("early expiry: %v", err)
		}
		e.Clock.Set(r.Expires())
		if err := e.Rentals.Expire(ctx, r.ID, r.Expires()); err != nil {
			t.Fatal(err)
		}
		got, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: r.ID})
		if got.Status != rental.StatusEnded || got.EndReason != rental.EndExpired {
			t.Fatalf("after expiry %+v", got)
		}
		if _, err := e.Rentals.Status(ctx, u.ID, rental.Ref{ID: r.ID}); !errors.Is(err, rental.ErrEnded) {
			t.Fatalf("status of an ended rental: %v", err)
		}
		e.CheckLedger(t)
	})
}

func TestAutorenew(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000", "12125550001")
		rich, _ := e.User(t, 4000)
		poor, _ := e.User(t, 2000)
		e.WithCallback(t, rich.ID)
		e.WithCallback(t, poor.ID)
		a := rent(t, e, rental.Ask{UserID: rich.ID, Service: svc, Autorenew: true})
		b := rent(t, e, rental.Ask{UserID: poor.ID, Service: svc, Autorenew: true})
		e.Clock.Set(a.Expires())
		for _, r := range []rental.Rental{a, b} {
			if err := e.Rentals.Expire(ctx, r.ID, r.Expires()); err != nil {
				t.Fatal(err)
			}
		}
		next, err := e.Rentals.Find(ctx, rich.ID, rental.Ref{MDN: a.MDN, Service: "Google"})
		if err != nil || next.ID == a.ID || next.FirstID != a.ID || next.PrevID != a.ID || next.Status != rental.StatusActive ||
			next.Expires() != a.Expires().Add(30*day) || !next.Autorenew {
			t.Fatalf("renewal %+v %v", next, err)
		}
		if e.Balance(t, rich.ID) != 0 {
			t.Fatalf("renewal not charged: %d", e.Balance(t, rich.ID))
		}
		ok := events(t, e, rich.ID, "ltr_renewal")
		want := `[["status","ok"],["new_ltr_id","3"],["previous_ltr_id","1"],["mdn","` + a.MDN + `"],["service","Google"],["price","20.00"],["expires","` + "2020-11-13 13:42:36" + `"]]` // EST by then
		if len(ok) != 1 || ok[0] != want {
			t.Fatalf("ok event %q\nwant %q", ok, want)
		}
		ended, _ := e.Rentals.Find(ctx, poor.ID, rental.Ref{ID: b.ID})
		if ended.Status != rental.StatusEnded {
			t.Fatalf("unfunded renewal: %+v", ended)
		}
		bad := events(t, e, poor.ID, "ltr_renewal")
		wantBad := `[["status","error"],["message","Low balance"],["previous_ltr_id","2"],["mdn","` + b.MDN + `"],["service","Google"]]`
		if len(bad) != 1 || bad[0] != wantBad {
			t.Fatalf("error event %q", bad)
		}
		// The chain goes on: the next renewal keeps the first id.
		e.Clock.Set(next.Expires())
		if _, err := e.Accounts.Credit(ctx, rich.ID, 2000, "top up"); err != nil {
			t.Fatal(err)
		}
		if err := e.Rentals.Expire(ctx, next.ID, next.Expires()); err != nil {
			t.Fatal(err)
		}
		third, _ := e.Rentals.Find(ctx, rich.ID, rental.Ref{MDN: a.MDN, Service: "Google"})
		if third.FirstID != a.ID || third.PrevID != next.ID {
			t.Fatalf("third rental %+v", third)
		}
		e.CheckLedger(t)
	})
}

func TestRenewByMDNAndHold(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, 0)
		amazon := e.Service(t, "Amazon", 50, 0)
		e.Numbers(t, "12125550000")
		u, _ := e.User(t, 10000)
		other, _ := e.User(t, 10000)
		r := rent(t, e, rental.Ask{UserID: u.ID, Service: google})
		// Renewing an active rental adds 30 days from its expiry.
		e.Clock.Advance(10 * day)
		r2 := rent(t, e, rental.Ask{UserID: u.ID, Service: google, MDN: r.MDN})
		if r2.FirstID != r.ID || r2.Expires() != r.Expires().Add(30*day) || r2.MDN != r.MDN {
			t.Fatalf("renewal %+v", r2)
		}
		if old, _ := e.Rentals.ByID(ctx, r.ID); old.Status != rental.StatusEnded || old.EndReason != rental.EndRenewed {
			t.Fatalf("renewed rental %+v", old)
		}
		if err := e.Rentals.Release(ctx, u.ID, rental.Ref{ID: r2.ID}); err != nil {
			t.Fatal(err)
		}
		// Kept from others for Google, by request and by rental...
		if _, err := e.Requests.Create(ctx, request.Ask{UserID: other.ID, Services: []catalog.Service{google}}); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("held number offered to a one-time request: %v", err)
		}
		if _, err := e.Rentals.Rent(ctx, rental.Ask{UserID: other.ID, Service: google, Days: 30}); !errors.Is(err, inventory.ErrNoneAvailable) {
			t.Fatalf("held number rented to another user: %v", err)
		}
		// ...but not for another service,
		rs, err := e.Requests.Create(ctx, request.Ask{UserID: other.ID, Services: []catalog.Service{amazon}})
		if err != nil {
			t.Fatalf("number kept for a service it was not rented for: %v", err)
		}
		if err := e.Requests.Reject(ctx, other.ID, rs[0].ID); err != nil {
			t.Fatal(err)
		}
		// and its renter comes back with mdn: a new rental in the same chain.
		e.Clock.Advance(20 * day)
		r3 := rent(t, e, rental.Ask{UserID: u.ID, Service: google, MDN: r.MDN})
		if r3.FirstID != r.ID || r3.Expires() != e.Clock.Now().Add(30*day) {
			t.Fatalf("return after release %+v", r3)
		}
		if err := e.Rentals.Release(ctx, u.ID, rental.Ref{ID: r3.ID}); err != nil {
			t.Fatal(err)
		}
		// After the hold, others may rent it (not other, who rejected it).
		e.Clock.Advance(30*day + time.Second)
		third, _ := e.User(t, 10000)
		if _, err := e.Rentals.Rent(ctx, rental.Ask{UserID: third.ID, Service: google, Days: 30}); err != nil {
			t.Fatalf("after the hold: %v", err)
		}
		e.CheckLedger(t)
	})
}

func TestRentalMessagesAndUnlimited(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, 0)
		e.Service(t, "Amazon", 50, 0)
		unlimited := e.Service(t, "Unlimited", 300, 0)
		if _, err := e.Catalog.AddRule(ctx, "Amazon", catalog.RuleSender, "23383"); err != nil {
			t.Fatal(err)
		}
		e.Numbers(t, "12125550000", "12125550001")
		u, _ := e.User(t, 10000)
		other, _ := e.User(t, 10000)
		g := rent(t, e, rental.Ask{UserID: u.ID, Service: google})
		un := rent(t, e, rental.Ask{UserID: u.ID, Service: unlimited})
		send := func(to, from, text string) message.Delivery {
			t.Helper()
			e.Clock.Advance(time.Second)
			d, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: to, From: from, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		d := send(g.MDN, "22000", "G-123456 is your Google verification code.")
		if d.Message.UserID != u.ID || d.Message.RentalID != g.ID || d.Message.FirstID != g.ID || d.Message.Service != "Google" || d.Message.PriceCents != 0 {
			t.Fatalf("rental message %+v", d.Message)
		}
		if d := send(un.MDN, "23383", "123456 is your code"); d.Message.Service != "Amazon" {
			t.Fatalf("detected %q", d.Message.Service)
		}
		if d := send(un.MDN, "22000", "Your Google code is 555444"); d.Message.Service != "Google" {
			t.Fatalf("detected %q", d.Message.Service)
		}
		if d := send(un.MDN, "98765", "hello 1234 code"); d.Message.Service != rental.UnknownService {
			t.Fatalf("detected %q", d.Message.Service)
		}
		read := func(f message.Filter) int {
			ms, err := e.Messages.Read(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(ms)
		}
		if n := read(message.Filter{UserID: u.ID, RentalID: un.ID, Limit: 10}); n != 3 {
			t.Fatalf("unlimited rental has %d messages", n)
		}
		if n := read(message.Filter{UserID: u.ID, RentalID: un.ID, Service: "Amazon"}); n != 1 {
			t.Fatalf("amazon filter: %d", n)
		}
		if n := read(message.Filter{UserID: u.ID, RentalID: un.ID, Service: "Unknown"}); n != 1 {
			t.Fatalf("unknown filter: %d", n)
		}
		if n := read(message.Filter{UserID: other.ID, Limit: 10}); n != 0 {
			t.Fatalf("another user sees %d messages", n)
		}
		// The Unlimited number is now burnt for Amazon and Google by u.
		var burns int
		e.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM burns b JOIN numbers n ON n.id = b.number_id WHERE n.mdn = $1`, un.MDN).Scan(&burns)
		if burns != 2 {
			t.Fatalf("%d burns on the Unlimited number", burns)
		}
	})
}

func TestParkingAndActivation(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000") // simulator gateway: parks numbers
		if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550001", Gateway: "lab"}}); err != nil {
			t.Fatal(err)
		}
		u, _ := e.User(t, 10000)
		r := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550000"})
		ref := rental.Ref{ID: r.ID}
		st, _ := e.Rentals.Status(ctx, u.ID, ref)
		window := e.Config.Rentals.OnlineWindow
		if st.Show != rental.ShowOnline || st.TillChange != int64(window/time.Second) || st.NextOnline != apptest.Start.Unix() {
			t.Fatalf("fresh rental %+v", st)
		}
		e.Clock.Advance(window)
		if err := e.Rentals.Park(ctx, r.NumberID, apptest.Start.Add(window)); err != nil {
			t.Fatal(err)
		}
		st, _ = e.Rentals.Status(ctx, u.ID, ref)
		if st.Show != rental.ShowOffline || st.TillChange != 0 || st.NextOnline != 0 {
			t.Fatalf("parked %+v", st)
		}
		st, err := e.Rentals.Activate(ctx, u.ID, ref)
		delay := e.Config.Sim.ActivationDelay
		at := e.Clock.Now().Add(delay)
		if err != nil || st.Show != rental.ShowOffline || st.NextOnline != at.Unix() || st.TillChange != int64(delay/time.Second) {
			t.Fatalf("activating %+v %v", st, err)
		}
		e.Clock.Advance(delay)
		if err := e.Rentals.BringOnline(ctx, r.NumberID, at); err != nil {
			t.Fatal(err)
		}
		st, _ = e.Rentals.Status(ctx, u.ID, ref)
		if st.Show != rental.ShowOnline || st.TillChange != int64(window/time.Second) {
			t.Fatalf("activated %+v", st)
		}
		// The old park job for the first window does nothing now.
		if err := e.Rentals.Park(ctx, r.NumberID, apptest.Start.Add(window)); err != nil {
			t.Fatal(err)
		}
		if st, _ = e.Rentals.Status(ctx, u.ID, ref); st.Show != rental.ShowOnline {
			t.Fatalf("stale park job parked the number: %+v", st)
		}
		// A gateway without parking: always online, nothing scheduled.
		lab := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550001"})
		st, err = e.Rentals.Activate(ctx, u.ID, rental.Ref{ID: lab.ID})
		if err != nil || st.Show != rental.ShowOnline || st.TillChange != 0 || st.NextOnline != e.Clock.Now().Unix() {
			t.Fatalf("plain gateway %+v %v", st, err)
		}
		// Back in the pool after the rental, a parked number is online again.
		e.Clock.Advance(window)
		if err := e.Rentals.Park(ctx, r.NumberID, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := e.Rentals.Release(ctx, u.ID, ref); err != nil {
			t.Fatal(err)
		}
		n, _ := e.Inventory.Get(ctx, r.MDN)
		if !n.Online || n.HeldBy != 0 {
			t.Fatalf("released number %+v", n)
		}
	})
}

func TestReportsAndResolution(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000", "12125550001", "12125550002")
		u, _ := e.User(t, 10000)
		a := rent(t, e, rental.Ask{UserID: u.ID, Service: svc})
		b := rent(t, e, rental.Ask{UserID: u.ID, Service: svc})
		if _, err := e.Rentals.ReportStatus(ctx, u.ID, rental.Ref{ID: a.ID}); !errors.Is(err, rental.ErrNoReport) {
			t.Fatalf("no report yet: %v", err)
		}
		for _, r := range []rental.Rental{a, b} {
			if err := e.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: r.ID}); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: a.ID}); !errors.Is(err, rental.ErrAlreadyReported) {
			t.Fatalf("second report: %v", err)
		}
		rep, _ := e.Rentals.ReportStatus(ctx, u.ID, rental.Ref{MDN: a.MDN, Service: "Google"})
		if rep.Text() != "pending" {
			t.Fatalf("status %q", rep.Text())
		}
		reports, _ := e.Rentals.Reports(ctx, false)
		if len(reports) != 2 {
			t.Fatalf("%d pending reports", len(reports))
		}
		// Replace a: same rental, another number.
		rep, err := e.Rentals.Resolve(ctx, reports[0].ID, rental.Resolution{Replace: true})
		if err != nil {
			t.Fatal(err)
		}
		moved, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: a.ID})
		if rep.Text() != "replaced with "+moved.MDN || moved.MDN == a.MDN || moved.Expires() != a.Expires() {
			t.Fatalf("replace: %q %+v", rep.Text(), moved)
		}
		// Refund b after 10 of its 30 days: two thirds back.
		e.Clock.Advance(10 * day)
		before := e.Balance(t, u.ID)
		rep, err = e.Rentals.Resolve(ctx, reports[1].ID, rental.Resolution{Refund: true})
		if err != nil || rep.Text() != "refunded 13.33" || e.Balance(t, u.ID) != before+1333 {
			t.Fatalf("refund: %q %v balance %d", rep.Text(), err, e.Balance(t, u.ID)-before)
		}
		if got, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: b.ID}); got.Status != rental.StatusEnded {
			t.Fatalf("refunded rental %+v", got)
		}
		if _, err := e.Rentals.Resolve(ctx, reports[1].ID, rental.Resolution{Decline: "x"}); !errors.Is(err, rental.ErrInvalid) {
			t.Fatalf("resolving twice: %v", err)
		}
		// Decline.
		if err := e.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: a.ID}); err != nil {
			t.Fatal(err)
		}
		reports, _ = e.Rentals.Reports(ctx, false)
		rep, err = e.Rentals.Resolve(ctx, reports[0].ID, rental.Resolution{Decline: "works on our side"})
		if err != nil || rep.Text() != "declined: works on our side" {
			t.Fatalf("decline: %q %v", rep.Text(), err)
		}
		e.CheckLedger(t)
	})
}

func TestSwitchService(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, 0)  // 20.00
		amazon := e.Service(t, "Amazon", 50, 0)   // 10.00
		unknown := e.Service(t, "Unknown", 25, 0) // 5.00
		unlimited := e.Service(t, "Unlimited", 300, 0)
		e.Numbers(t, "12125550000", "12125550001", "12125550002")
		u, _ := e.User(t, 20000)
		other, _ := e.User(t, 10000)
		g := rent(t, e, rental.Ask{UserID: u.ID, Service: google})
		if err := e.Rentals.SwitchService(ctx, u.ID, rental.Ref{ID: g.ID}, "Amazon"); !errors.Is(err, rental.ErrNotSwitchable) {
			t.Fatalf("switch a Google rental: %v", err)
		}
		x := rent(t, e, rental.Ask{UserID: u.ID, Service: unknown})
		before := e.Balance(t, u.ID)
		if err := e.Rentals.SwitchService(ctx, u.ID, rental.Ref{ID: x.ID}, "Google"); err != nil {
			t.Fatal(err)
		}
		got, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: x.ID})
		if got.Service != "Google" || e.Balance(t, u.ID) != before-1500 {
			t.Fatalf("switched %+v, charged %d", got, before-e.Balance(t, u.ID))
		}
		// Unlimited: the filter changes; Amazon is cheaper, nothing charged,
		// unless the number is burnt for Amazon by someone else.
		un := rent(t, e, rental.Ask{UserID: u.ID, Service: unlimited})
		before = e.Balance(t, u.ID)
		if err := e.Rentals.SwitchService(ctx, u.ID, rental.Ref{ID: un.ID}, "Amazon"); err != nil {
			t.Fatal(err)
		}
		got, _ = e.Rentals.Find(ctx, u.ID, rental.Ref{ID: un.ID})
		if got.FilterService != "Amazon" || e.Balance(t, u.ID) != before {
			t.Fatalf("unlimited filter %+v", got)
		}
		if _, err := e.DB.W.ExecContext(ctx, `INSERT INTO burns (number_id, service_id, user_id, created_at) VALUES ($1, $2, $3, 0)`,
			un.NumberID, google.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.Rentals.SwitchService(ctx, u.ID, rental.Ref{ID: un.ID}, "Google"); !errors.Is(err, rental.ErrNotFresh) {
			t.Fatalf("switch to a burnt service: %v", err)
		}
		_ = amazon
		e.CheckLedger(t)
	})
}

func TestForwarding(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550001", Gateway: "lab"}}); err != nil {
			t.Fatal(err)
		}
		u, _ := e.User(t, 10000)
		s := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550000"})
		l := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550001"})
		if err := e.Rentals.Forward(ctx, u.ID, rental.Ref{ID: s.ID}, "13105551234"); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: s.ID}); got.ForwardTo != "13105551234" {
			t.Fatalf("forwarding not recorded: %+v", got)
		}
		if err := e.Rentals.Forward(ctx, u.ID, rental.Ref{ID: l.ID}, "13105551234"); !errors.Is(err, rental.ErrForwarding) {
			t.Fatalf("forwarding on a plain gateway: %v", err)
		}
	})
}

func TestUnlimitedReservation(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		google := e.Service(t, "Google", 100, 0)
		unlimited := e.Service(t, "Unlimited", 300, 0) // 60.00
		e.Numbers(t, "12125550000")
		holder, _ := e.User(t, 10000)
		u, _ := e.User(t, 20000)
		if _, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: google, Days: 30, Reserve: true}); !errors.Is(err, rental.ErrReserveUnlimited) {
			t.Fatalf("reserve Google: %v", err)
		}
		h := rent(t, e, rental.Ask{UserID: holder.ID, Service: google})
		res := rent(t, e, rental.Ask{UserID: u.ID, Service: unlimited, Reserve: true})
		if res.Status != rental.StatusAwaiting || res.MDN != "" || e.Balance(t, u.ID) != 20000-6000-500 {
			t.Fatalf("reservation %+v balance %d", res, e.Balance(t, u.ID))
		}
		st, _ := e.Rentals.Status(ctx, u.ID, rental.Ref{ID: res.ID})
		if st.Show != rental.ShowAwaiting || st.MDN != "" {
			t.Fatalf("awaiting status %+v", st)
		}
		// The holder releases: the number goes to the reservation at once,
		// since its hold is for Google only.
		e.Clock.Advance(time.Hour)
		if err := e.Rentals.Release(ctx, holder.ID, rental.Ref{ID: h.ID}); err != nil {
			t.Fatal(err)
		}
		got, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: res.ID})
		if got.Status != rental.StatusActive || got.MDN != h.MDN || got.Expires() != e.Clock.Now().Add(30*day) {
			t.Fatalf("filled reservation %+v", got)
		}
		// An unfilled reservation released: price back, fee kept.
		res2 := rent(t, e, rental.Ask{UserID: u.ID, Service: unlimited, Reserve: true})
		before := e.Balance(t, u.ID)
		if err := e.Rentals.Release(ctx, u.ID, rental.Ref{ID: res2.ID}); err != nil {
			t.Fatal(err)
		}
		if e.Balance(t, u.ID) != before+6000 {
			t.Fatalf("refund %d", e.Balance(t, u.ID)-before)
		}
		e.CheckLedger(t)
	})
}

func TestRentInsufficientFunds(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000")
		u, _ := e.User(t, 1999)
		_, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 30})
		var f *account.InsufficientFundsError
		if !errors.As(err, &f) || f.BalanceCents != 1999 {
			t.Fatalf("got %v", err)
		}
		if n, _ := e.Inventory.Get(ctx, "12125550000"); n.HeldBy != 0 {
			t.Fatal("number held after a failed rental")
		}
		e.CheckLedger(t)
	})
}

// A renewal continues the rental: reports, messages and the old id all
// follow the chain.
func TestChainAfterRenewal(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, "12125550000", "12125550001")
		u, _ := e.User(t, 100000)
		r := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: "12125550000"})
		if _, err := e.Messages.Deliver(ctx, message.Inbound{Gateway: "sim", To: r.MDN, From: "22000", Text: "before renewal"}); err != nil {
			t.Fatal(err)
		}
		if err := e.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: r.ID}); err != nil {
			t.Fatal(err)
		}
		// 3 days on a number not marked for short rentals: refused.
		if _, err := e.Rentals.Rent(ctx, rental.Ask{UserID: u.ID, Service: svc, Days: 3, MDN: r.MDN}); !errors.Is(err, rental.ErrNotShort) {
			t.Fatalf("3-day renewal of a 30-day-only number: %v", err)
		}
		next := rent(t, e, rental.Ask{UserID: u.ID, Service: svc, MDN: r.MDN})
		if got, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: r.ID}); got.ID != next.ID {
			t.Fatalf("the first id names rental %d, want the renewal %d", got.ID, next.ID)
		}
		if err := e.Rentals.ReportProblem(ctx, u.ID, rental.Ref{ID: next.ID}); !errors.Is(err, rental.ErrAlreadyReported) {
			t.Fatalf("report after renewal: %v", err)
		}
		rep, err := e.Rentals.ReportStatus(ctx, u.ID, rental.Ref{MDN: r.MDN, Service: "Google"})
		if err != nil || rep.Text() != "pending" {
			t.Fatalf("report status after renewal: %q %v", rep.Text(), err)
		}
		rep, err = e.Rentals.Resolve(ctx, rep.ID, rental.Resolution{Replace: true})
		if err != nil || rep.Text() != "replaced with 12125550001" {
			t.Fatalf("resolve after renewal: %q %v", rep.Text(), err)
		}
		ms, err := e.Messages.Read(ctx, message.Filter{UserID: u.ID, RentalChain: next.FirstID})
		if err != nil || len(ms) != 1 || ms[0].Text != "before renewal" {
			t.Fatalf("chain messages %+v %v", ms, err)
		}
	})
}

func TestShortReservationNeedsShortNumber(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		unlimited := e.Service(t, "Unlimited", 300, 0)
		e.Numbers(t, "12125550000") // not marked for 3-day rentals
		u, _ := e.User(t, 100000)
		r := rent(t, e, rental.Ask{UserID: u.ID, Service: unlimited, Days: 3, Reserve: true})
		if r.Status != rental.StatusAwaiting {
			t.Fatalf("3-day reservation took a 30-day-only number: %+v", r)
		}
		if _, err := e.Inventory.Put(ctx, []inventory.Import{{MDN: "12125550001", ShortRental: true}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Rentals.Find(ctx, u.ID, rental.Ref{ID: r.ID}); got.MDN != "12125550001" {
			t.Fatalf("reservation %+v", got)
		}
	})
}
