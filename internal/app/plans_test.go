package app_test

// TestQueryPlans explains the statements that the hot paths really run and
// fails when one of them reads a big table whole. It seeds a database of
// each engine with a history of some size (many users; thousands of
// requests, messages, ledger entries, rentals, callback events and jobs),
// records every statement the database layer executes (db.RecordStatements)
// while it drives the polling commands, request and reject, inbound
// delivery, the long-term rental commands and the customer pages' keyset
// pages through the real HTTP handler, then explains each distinct
// statement with the arguments it ran with:
//
//   - SQLite: EXPLAIN QUERY PLAN, once without statistics (as the server
//     runs: it never runs ANALYZE) and once after ANALYZE; a "SCAN <table>"
//     of a big table without an index fails.
//   - PostgreSQL, after ANALYZE: EXPLAIN of the plan made for the arguments
//     (a custom plan, what the first runs of a prepared statement use) and
//     of the generic plan (what PostgreSQL may switch a statement that pgx
//     keeps prepared to, after five runs); a "Seq Scan on <table>" of a big
//     table fails.
//
// Every plan is logged: go test ./internal/app/ -run TestQueryPlans -v

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/db"
	"mdnhub/internal/message"
)

// bigTables grow with use: a hot path must never read one of them whole.
var bigTables = map[string]bool{
	"messages": true, "requests": true, "ledger": true, "rentals": true, "rental_reports": true,
	"callback_events": true, "river_job": true, "burns": true, "rejections": true, "numbers": true,
	"users": true, "idempotency_keys": true, "web_sessions": true, "request_retries": true,
}

// The seeded history (see seedHistory).
const (
	planUsers      = 2000  // other accounts
	planNumbers    = 3000  // numbers, in ten area codes
	planRequests   = 20000 // finished requests, two messages each
	planRentals    = 4000  // ended rentals, two messages each
	planLedger     = 40000 // ledger entries
	planEvents     = 20000 // delivered callback events
	planJobs       = 20000 // completed jobs
	planRejections = 20000 // numbers rejected
	planSessions   = 5000  // web sessions
)

// planAreas are the area codes of the seeded numbers.
var planAreas = []string{"212", "305", "415", "310", "646", "718", "917", "702", "213", "404"}

func TestQueryPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a large history")
	}
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		e.Service(t, "Google", 120, 0)
		e.Service(t, "Uber", 50, 0)
		for _, area := range planAreas {
			e.Numbers(t, apptest.Seq(area, planNumbers/len(planAreas))...)
		}
		u, key := e.User(t, 10_000_000)
		e.WithCallback(t, u.ID)
		heavy, light := seedHistory(t, e, u.ID)
		// The plans are read in each engine's own terms.
		sqlite := e.DB.Dialect == db.SQLite
		if !sqlite {
			// As autovacuum would have by now.
			if _, err := e.DB.W.ExecContext(ctx, `ANALYZE`); err != nil {
				t.Fatal(err)
			}
		}
		srv := e.Server(t)
		c := planClient{t: t, base: srv.URL, user: u.Username, key: key}
		sess, err := e.Accounts.NewSession(ctx, u.ID, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		su, _ := url.Parse(srv.URL)
		jar.SetCookies(su, []*http.Cookie{{Name: "mdnhub_session", Value: sess.Token, Path: "/"}})
		c.browser = &http.Client{Jar: jar}
		// A user with a few rows of each kind, whose pages the planner
		// may serve differently.
		lc := c
		lsess, err := e.Accounts.NewSession(ctx, light, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ljar, _ := cookiejar.New(nil)
		ljar.SetCookies(su, []*http.Cookie{{Name: "mdnhub_session", Value: lsess.Token, Path: "/"}})
		lc.browser = &http.Client{Jar: ljar}

		rec := &statements{}
		stop := e.DB.RecordStatements(rec.add)
		defer stop()
		driveHotPaths(t, e, &c, rec, heavy)
		for _, path := range []string{"/messages", "/requests", "/balance"} {
			rec.step("web page of a light user " + path)
			lc.page(path)
		}
		stop()

		list := rec.list()
		t.Logf("%d distinct statements recorded", len(list))
		if sqlite {
			explainAll(t, e, list, "no statistics", explainSQLite)
			if _, err := e.DB.W.ExecContext(ctx, `ANALYZE`); err != nil {
				t.Fatal(err)
			}
			explainAll(t, e, list, "after ANALYZE", explainSQLite)
		} else {
			explainAll(t, e, list, "custom plan", explainPostgres)
			explainAll(t, e, list, "generic plan", explainPostgresGeneric)
		}
	})
}

// driveHotPaths runs the hot paths once each, labelling what they run.
func driveHotPaths(t *testing.T, e *apptest.Env, c *planClient, rec *statements, heavy string) {
	ctx := context.Background()
	step := func(name string, fn func()) {
		t.Helper()
		rec.step(name)
		fn()
	}
	var reqID, rejID, ltrID, mdn, ltrMDN string
	step("balance", func() { c.ok("balance") })
	step("request", func() {
		r := c.ok("request", "service", "Google")
		reqID, mdn = field(t, r, "id"), field(t, r, "mdn")
	})
	step("request_status", func() { c.ok("request_status", "id", reqID) })
	step("read_sms id (none yet)", func() { c.call("read_sms", "id", reqID) })
	step("DeliverBatch (request)", func() {
		res, err := e.Messages.DeliverBatch(ctx, []message.Inbound{
			{To: mdn, From: "22000", Text: "G-804036 is your Google verification code.", Gateway: "sim", GatewayID: "plan-1"},
			{To: mdn, From: "22000", Text: "G-804036 is your Google verification code.", Gateway: "sim", GatewayID: "plan-1"},
		})
		if err != nil || res[0].Err != nil {
			t.Fatalf("deliver: %v %+v", err, res)
		}
	})
	step("request_status", func() { c.ok("request_status", "id", reqID) })
	step("read_sms id", func() { c.ok("read_sms", "id", reqID) })
	step("read_sms", func() { c.ok("read_sms") })
	step("read_sms mdn", func() { c.ok("read_sms", "mdn", mdn) })
	step("read_sms mdn service", func() { c.ok("read_sms", "mdn", mdn, "service", "Google") })
	step("read_sms since", func() { c.ok("read_sms", "since", "1") })
	step("request (to reject)", func() {
		r := c.ok("request", "service", "Google", "areacode", "305")
		rejID = field(t, r, "id")
	})
	step("reject", func() { c.ok("reject", "id", rejID) })
	step("balance", func() { c.ok("balance") })

	step("ltr_rent", func() {
		r := c.ok("ltr_rent", "service", "Google")
		ltrID, ltrMDN = field(t, r, "id"), field(t, r, "mdn")
	})
	step("ltr_status", func() { c.ok("ltr_status", "ltr_id", ltrID) })
	step("DeliverBatch (rental)", func() {
		res, err := e.Messages.DeliverBatch(ctx, []message.Inbound{
			{To: ltrMDN, From: "22000", Text: "G-111222 is your Google verification code.", Gateway: "sim", GatewayID: "plan-2"},
			{To: ltrMDN, From: "33000", Text: "Your Uber code is 4321", Gateway: "sim", GatewayID: "plan-3"},
		})
		if err != nil || res[0].Err != nil || res[1].Err != nil {
			t.Fatalf("deliver: %v %+v", err, res)
		}
	})
	step("ltr_status", func() { c.ok("ltr_status", "ltr_id", ltrID) })
	step("read_sms ltr_id", func() { c.ok("read_sms", "ltr_id", ltrID) })
	step("read_sms mdn (rental)", func() { c.ok("read_sms", "mdn", ltrMDN) })
	step("DeliverBatch (unowned)", func() {
		if _, err := e.Messages.DeliverBatch(ctx, []message.Inbound{
			{To: "12125550299", From: "22000", Text: "nobody's", Gateway: "sim", GatewayID: "plan-4"},
		}); err != nil {
			t.Fatal(err)
		}
	})

	for _, p := range []struct{ name, path, cursor string }{
		{"web message log", "/messages", `[?&;]before=([0-9]+\.[0-9]+)`},
		{"web message log by number", "/messages?mdn=" + heavy, `[?&;]before=([0-9]+\.[0-9]+)`},
		{"web message log by service", "/messages?service=Google", `[?&;]before=([0-9]+\.[0-9]+)`},
		{"web request history", "/requests", `[?&;]before=([0-9]+)`},
		{"web ledger", "/balance", `[?&;]before=([0-9]+)`},
	} {
		var body string
		step(p.name, func() { body = c.page(p.path) })
		m := regexp.MustCompile(p.cursor).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no link to an older page", p.path)
		}
		older := addParam(p.path, "before", m[1])
		step(p.name+", older page", func() { body = c.page(older) })
		m = regexp.MustCompile(strings.Replace(p.cursor, "before", "after", 1)).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no link to a newer page", older)
		}
		step(p.name+", newer page", func() { c.page(addParam(p.path, "after", m[1])) })
	}
}

func addParam(path, k, v string) string {
	if strings.Contains(path, "?") {
		return path + "&" + k + "=" + url.QueryEscape(v)
	}
	return path + "?" + k + "=" + url.QueryEscape(v)
}

// seedHistory writes the history straight into the tables, in one
// transaction: other users, and, shared between them and userID (a quarter
// of each), finished requests with their messages, ended rentals with
// theirs, ledger entries and delivered callback events; completed jobs;
// burns and rejections of numbers by other users. The same SQL runs on both
// engines. heavy is the number with most of userID's messages; light is a
// seeded user, with a few rows in each table.
func seedHistory(t *testing.T, e *apptest.Env, userID int64) (heavy string, light int64) {
	ctx := context.Background()
	start := time.Now()
	now := e.Clock.Now().Unix()
	// A recursive series 1..$1, written before each INSERT.
	series := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1) `
	err := e.DB.Tx(ctx, func(tx *sql.Tx) error {
		exec := func(q string, args ...any) error {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("%w\n%s", err, q)
			}
			return nil
		}
		if err := exec(series+`INSERT INTO users (username, login, email, balance_cents, created_at)
			SELECT 'seed' || i, 'seed' || i, 'seed' || i || '@example.com', 1000, $2 FROM s`, planUsers, now-86400*30); err != nil {
			return err
		}
		var u0, n0 int64
		var nn int
		if err := tx.QueryRowContext(ctx, `SELECT MIN(id) FROM users WHERE login LIKE 'seed%'`).Scan(&u0); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT MIN(id), COUNT(*) FROM numbers`).Scan(&n0, &nn); err != nil {
			return err
		}
		light = u0 + 1
		var google, uber int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM services WHERE name_key = 'google'`).Scan(&google); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM services WHERE name_key = 'uber'`).Scan(&uber); err != nil {
			return err
		}
		// owner is the user of row i: userID for one in four, else one of
		// the seeded users.
		owner := func(n int) string {
			return fmt.Sprintf(`CASE WHEN i %% 4 = 0 THEN %d ELSE %d + i %% %d END`, userID, u0, n)
		}
		// The number of row i: one of forty for userID, any for others.
		number := fmt.Sprintf(`CASE WHEN i %% 4 = 0 THEN %d + (i / 4) %% 40 ELSE %d + i %% %d END`, n0, n0, nn)
		if err := tx.QueryRowContext(ctx, `SELECT mdn FROM numbers WHERE id = $1`, n0).Scan(&heavy); err != nil {
			return err
		}
		// Requests, oldest first, 30 s apart, ending a day before now; one in
		// three for Uber, the others for Google.
		if err := exec(series+`INSERT INTO requests (user_id, service_id, number_id, mdn, carrier, status, price_cents, messages,
				created_at, expires_at, closed_at)
			SELECT `+owner(planUsers)+`, `+fmt.Sprintf("CASE WHEN i %% 3 = 1 THEN %d ELSE %d END", uber, google)+`, n.id, n.mdn,
				'TMobile', 'Completed', 120, 2, $2 + i * 30, $2 + i * 30 + 900, $2 + i * 30 + 60
			FROM s JOIN numbers n ON n.id = `+number,
			planRequests, now-86400-planRequests*30); err != nil {
			return err
		}
		if err := exec(`INSERT INTO messages (user_id, request_id, number_id, kind, mdn, sender, body, pin, service, price_cents,
				received_at, gateway, gateway_msg_id)
			SELECT r.user_id, r.id, r.number_id, 'sms', r.mdn, '22000', 'G-' || r.id || ' is your verification code.',
				'' || r.id, sv.name, 120, r.created_at + k.k * 20, 'sim', 'seed-' || r.id || '-' || k.k
			FROM requests r JOIN services sv ON sv.id = r.service_id CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) k
			WHERE r.closed_at IS NOT NULL`); err != nil {
			return err
		}
		// Rentals of 30 days that ended, each with two messages.
		if err := exec(series+`INSERT INTO rentals (user_id, service_id, number_id, mdn, carrier, days, price_cents, status,
				end_reason, created_at, expires_at, ended_at)
			SELECT `+owner(planUsers)+`, $2, n.id, n.mdn, 'TMobile', 30, 2400, 'ended', 'expired',
				$3 + i * 60, $3 + i * 60 + 86400 * 30, $3 + i * 60 + 86400 * 30
			FROM s JOIN numbers n ON n.id = `+number,
			planRentals, google, now-86400*60-planRentals*60); err != nil {
			return err
		}
		if err := exec(`UPDATE rentals SET first_id = id WHERE first_id IS NULL`); err != nil {
			return err
		}
		if err := exec(`INSERT INTO messages (user_id, rental_id, number_id, kind, mdn, sender, body, pin, service, price_cents,
				received_at, gateway, gateway_msg_id)
			SELECT l.user_id, l.id, l.number_id, 'sms', l.mdn, '22000', 'G-' || l.id || ' is your Google verification code.',
				'' || l.id, 'Google', 0, l.created_at + k.k * 3600, 'sim', 'seed-l' || l.id || '-' || k.k
			FROM rentals l CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) k WHERE l.status = 'ended'`); err != nil {
			return err
		}
		if err := exec(series+`INSERT INTO ledger (user_id, amount_cents, balance_cents, kind, reason, ref_id, created_at)
			SELECT `+owner(planUsers)+`, -120, 100000, 'charge', 'Google', i, $2 + i * 15 FROM s`,
			planLedger, now-86400-planLedger*15); err != nil {
			return err
		}
		if err := exec(series+`INSERT INTO callback_events (user_id, event, payload, created_at, status, attempts,
				last_code, delivered_at, url)
			SELECT `+owner(planUsers)+`, 'incoming_message', '{}', $2 + i * 30, 'delivered', 1, 200, $2 + i * 30 + 1,
				'http://callback.invalid/hook' FROM s`,
			planEvents, now-86400-planEvents*30); err != nil {
			return err
		}
		if err := exec(series+`INSERT INTO river_job (args, kind, max_attempts, state, finalized_at, attempt)
			SELECT '{}', 'deliver_callback', 25, 'completed', CURRENT_TIMESTAMP, 1 FROM s`, planJobs); err != nil {
			return err
		}
		// Uber burnt on every number, Google on every third, by other
		// users; numbers rejected by other users, each by several.
		spread := fmt.Sprintf(`%d + i %% %d`, n0, nn)
		other := fmt.Sprintf(`%d + i %% %d`, u0, planUsers)
		if err := exec(series+`INSERT INTO burns (number_id, service_id, user_id, created_at)
			SELECT `+spread+`, $2, `+other+`, $3 FROM s`, nn, uber, now-86400); err != nil {
			return err
		}
		if err := exec(series+`INSERT INTO burns (number_id, service_id, user_id, created_at)
			SELECT `+spread+`, $2, `+other+`, $3 FROM s WHERE i % 3 = 0`, nn, google, now-86400); err != nil {
			return err
		}
		if err := exec(series+`INSERT INTO rejections (number_id, user_id, created_at)
			SELECT `+spread+`, `+fmt.Sprintf("%d + (i / %d) %% %d", u0, nn, planUsers)+`, $2 FROM s`,
			planRejections, now-86400); err != nil {
			return err
		}
		// Web sessions of other users.
		return exec(series+`INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at)
			SELECT 'seed' || i, `+other+`, 'seed', $2, $3 FROM s`, planSessions, now-3600, now+86400)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %v", time.Since(start).Round(time.Millisecond))
	return heavy, light
}

// statements keeps the distinct statements recorded, each with the steps
// that ran it and up to three distinct sets of arguments.
type statements struct {
	mu    sync.Mutex
	cur   string
	order []string
	m     map[string]*statement
}

type statement struct {
	query string
	steps []string
	args  [][]any
}

func (s *statements) step(name string) {
	s.mu.Lock()
	s.cur = name
	s.mu.Unlock()
}

func (s *statements) add(query string, args []any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*statement{}
	}
	st, ok := s.m[query]
	if !ok {
		st = &statement{query: query}
		s.m[query] = st
		s.order = append(s.order, query)
	}
	if !slices.Contains(st.steps, s.cur) {
		st.steps = append(st.steps, s.cur)
	}
	if len(st.args) < 3 && !slices.ContainsFunc(st.args, func(a []any) bool { return fmt.Sprint(a) == fmt.Sprint(args) }) {
		st.args = append(st.args, args)
	}
}

func (s *statements) list() []*statement {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*statement, len(s.order))
	for i, q := range s.order {
		out[i] = s.m[q]
	}
	return out
}

// leadingComments matches the comments before a statement (River names
// its statements in one).
var leadingComments = regexp.MustCompile(`^(\s*(--[^\n]*\n|/\*(?s:.*?)\*/))*\s*`)

// verb is the first word of q, upper-case.
func verb(q string) string {
	return strings.ToUpper(strings.Fields(leadingComments.ReplaceAllString(q, "") + " -")[0])
}

// explainable reports whether q is a statement with a plan.
func explainable(q string) bool {
	switch verb(q) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH":
		return true
	}
	return false
}

// explainAll explains every statement with each of its argument sets, logs
// the plans and fails for a full scan of a big table.
func explainAll(t *testing.T, e *apptest.Env, list []*statement, what string,
	explain func(*apptest.Env, string, []any) (string, []string, error)) {
	t.Helper()
	var skipped []string
	for _, st := range list {
		if !explainable(st.query) {
			skipped = append(skipped, verb(st.query))
			continue
		}
		for _, args := range st.args {
			plan, scans, err := explain(e, st.query, args)
			if err != nil {
				t.Errorf("explain (%s) %s\n%s\nargs %s", what, err, st.query, showArgs(args))
				continue
			}
			steps := strings.Join(st.steps, ", ")
			t.Logf("[%s] %s\n%s\nargs %s\n%s", what, steps, oneLine(st.query), showArgs(args), plan)
			for _, tbl := range scans {
				if bigTables[tbl] {
					t.Errorf("[%s] %s reads %s whole:\n%s\nargs %s\n%s", what, steps, tbl, oneLine(st.query), showArgs(args), plan)
				}
			}
			for _, w := range wantIndex {
				// SQLite's plans, made without statistics as the server
				// runs, are fixed; PostgreSQL's follow sampled statistics
				// and are logged above.
				if e.DB.Dialect != db.SQLite {
					break
				}
				if strings.Contains(oneLine(st.query), w.query) && !strings.Contains(plan, w.index) {
					t.Errorf("[%s] %s does not use %s (%s):\n%s\nargs %s\n%s", what, steps, w.index, w.why, oneLine(st.query), showArgs(args), plan)
				}
			}
		}
	}
	slices.Sort(skipped)
	t.Logf("[%s] not explained (no plan): %v", what, slices.Compact(skipped))
}

// wantIndex names statements that an index of their table could serve, but
// badly: found by the text they contain, they must use the index named.
var wantIndex = []struct{ query, index, why string }{
	// The premium-bid auction on every freed number: through
	// requests_due it walked every open request (60% of the CPU of
	// request+reject with 10,000 requests open).
	{"ORDER BY r.markup DESC, r.id LIMIT 1", "requests_bids", "the waiting bids alone, in auction order"},
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

// showArgs writes arguments for the log: the values behind pointers (pgx
// takes arrays so), bytes as text, each cut to 60 characters.
func showArgs(args []any) string {
	out := make([]string, len(args))
	for i, a := range args {
		if v := reflect.ValueOf(a); v.Kind() == reflect.Pointer && !v.IsNil() {
			a = v.Elem().Interface()
		}
		s := fmt.Sprint(a)
		if b, ok := a.([]byte); ok {
			s = string(b)
		}
		if len(s) > 60 {
			s = s[:57] + "..."
		}
		out[i] = s
	}
	return "[" + strings.Join(out, " ") + "]"
}

var (
	// sqliteScan is a full scan: "SCAN t" (a table or its alias), with no
	// index.
	sqliteScan = regexp.MustCompile(`^SCAN (\w+)$`)
	// sqlNames finds the tables of a statement and their aliases.
	sqlNames = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?`)
	// pgScan is a full scan on PostgreSQL.
	pgScan = regexp.MustCompile(`Seq Scan on (\w+)`)
)

// sqlKeywords may follow a table's name where an alias could.
var sqlKeywords = map[string]bool{"WHERE": true, "SET": true, "ON": true, "JOIN": true, "LEFT": true, "INNER": true,
	"CROSS": true, "ORDER": true, "GROUP": true, "LIMIT": true, "USING": true, "VALUES": true, "SELECT": true,
	"DEFAULT": true, "RETURNING": true, "UNION": true, "NATURAL": true, "OUTER": true, "HAVING": true, "AND": true,
	"OR": true, "AS": true, "FOR": true, "WINDOW": true, "EXCEPT": true, "INTERSECT": true, "NOT": true}

// aliases maps an alias of q to its table's name.
func aliases(q string) map[string]string {
	m := map[string]string{}
	for _, g := range sqlNames.FindAllStringSubmatch(q, -1) {
		m[g[1]] = g[1]
		if g[2] != "" && !sqlKeywords[strings.ToUpper(g[2])] {
			m[g[2]] = g[1]
		}
	}
	return m
}

// explainSQLite returns SQLite's plan as an indented tree and the tables it
// scans whole.
func explainSQLite(e *apptest.Env, q string, args []any) (string, []string, error) {
	rows, err := e.DB.W.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		return "", nil, err
	}
	type node struct {
		id, parent int
		detail     string
	}
	ns, err := db.Collect(rows, func(r db.Row) (n node, err error) {
		var unused int
		return n, r.Scan(&n.id, &n.parent, &unused, &n.detail)
	})
	if err != nil {
		return "", nil, err
	}
	depth := map[int]int{0: 0}
	al := aliases(q)
	var b strings.Builder
	var scans []string
	for _, n := range ns {
		depth[n.id] = depth[n.parent] + 1
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth[n.id]), n.detail)
		if m := sqliteScan.FindStringSubmatch(n.detail); m != nil {
			tbl := m[1]
			if real, ok := al[tbl]; ok {
				tbl = real
			}
			scans = append(scans, tbl)
		}
	}
	return strings.TrimRight(b.String(), "\n"), scans, nil
}

// explainPostgres returns PostgreSQL's plan for the arguments and the
// tables it scans whole.
func explainPostgres(e *apptest.Env, q string, args []any) (string, []string, error) {
	rows, err := e.DB.R.QueryContext(context.Background(), `EXPLAIN (FORMAT TEXT) `+q, args...)
	if err != nil {
		return "", nil, err
	}
	return pgPlan(rows)
}

// explainPostgresGeneric returns PostgreSQL's generic plan of q (made
// without the arguments' values) and, when PostgreSQL would use it, the
// tables it scans whole. A statement that pgx keeps prepared runs on custom
// plans for five runs; then PostgreSQL's plan cache switches to the generic
// plan if it costs less than the custom plans plus their planning
// (plancache.c: 1000 × cpu_operator_cost per relation, and one more);
// otherwise it keeps planning for the values, and the generic plan is only
// shown.
func explainPostgresGeneric(e *apptest.Env, q string, args []any) (string, []string, error) {
	ctx := context.Background()
	custom, _, err := explainPostgres(e, q, args)
	if err != nil {
		return "", nil, err
	}
	conn, err := e.DB.R.Conn(ctx)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		return "", nil, err
	}
	defer conn.ExecContext(ctx, `RESET plan_cache_mode`)
	if _, err := conn.ExecContext(ctx, `PREPARE plan_check AS `+q); err != nil {
		return "", nil, err
	}
	defer conn.ExecContext(ctx, `DEALLOCATE plan_check`)
	// EXECUTE takes its arguments as expressions: each one is written as a
	// literal of the type the statement deduced for its parameter, in the
	// text that PostgreSQL itself gives the value.
	var list string
	if err := conn.QueryRowContext(ctx, `SELECT array_to_string(parameter_types::text[], ',') FROM pg_prepared_statements
		WHERE name = 'plan_check'`).Scan(&list); err != nil {
		return "", nil, err
	}
	exec := `EXPLAIN (FORMAT TEXT) EXECUTE plan_check`
	if types := strings.Split(list, ","); list != "" {
		if len(types) != len(args) {
			return "", nil, fmt.Errorf("%d parameters, %d arguments", len(types), len(args))
		}
		lits := make([]string, len(types))
		for i, typ := range types {
			var text sql.NullString
			if err := conn.QueryRowContext(ctx, `SELECT ($1::`+typ+`)::text`, args[i]).Scan(&text); err != nil {
				return "", nil, err
			}
			lits[i] = "NULL::" + typ
			if text.Valid {
				lits[i] = "'" + strings.ReplaceAll(text.String, "'", "''") + "'::" + typ
			}
		}
		exec += `(` + strings.Join(lits, ", ") + `)`
	}
	rows, err := conn.QueryContext(ctx, exec)
	if err != nil {
		return "", nil, err
	}
	plan, scans, err := pgPlan(rows)
	if err != nil {
		return "", nil, err
	}
	var cpuOperatorCost float64
	if err := conn.QueryRowContext(ctx, `SELECT current_setting('cpu_operator_cost')::float8`).Scan(&cpuOperatorCost); err != nil {
		return "", nil, err
	}
	planning := 1000 * cpuOperatorCost * float64(len(sqlNames.FindAllString(q, -1))+1)
	gc, cc := pgCost(plan), pgCost(custom)
	if gc >= cc+planning {
		return fmt.Sprintf("(not used: costs %.2f, custom plan %.2f + planning %.2f)\n%s", gc, cc, planning, plan), nil, nil
	}
	return plan, scans, nil
}

// pgCostRE is the total cost of a plan's top node.
var pgCostRE = regexp.MustCompile(`cost=[0-9.]+\.\.([0-9.]+)`)

func pgCost(plan string) float64 {
	m := pgCostRE.FindStringSubmatch(plan)
	if m == nil {
		return 0
	}
	c, _ := strconv.ParseFloat(m[1], 64)
	return c
}

func pgPlan(rows *sql.Rows) (string, []string, error) {
	lines, err := db.Collect(rows, func(r db.Row) (s string, err error) { return s, r.Scan(&s) })
	if err != nil {
		return "", nil, err
	}
	var scans []string
	for _, l := range lines {
		if m := pgScan.FindStringSubmatch(l); m != nil {
			scans = append(scans, m[1])
		}
	}
	return strings.Join(lines, "\n"), scans, nil
}

// planClient calls the API and the customer pages as one user.
type planClient struct {
	t               *testing.T
	base, user, key string
	browser         *http.Client
}

func (c *planClient) call(cmd string, kv ...string) string {
	c.t.Helper()
	v := url.Values{"cmd": {cmd}, "user": {c.user}, "api_key": {c.key}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	resp, err := http.Get(c.base + "/api_command.php?" + v.Encode())
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	return readAll(c.t, resp)
}

// ok calls and requires status "ok".
func (c *planClient) ok(cmd string, kv ...string) string {
	c.t.Helper()
	body := c.call(cmd, kv...)
	if !strings.HasPrefix(body, `{"status":"ok"`) {
		c.t.Fatalf("%s %v: %s", cmd, kv, body)
	}
	return body
}

// page gets a customer page, which must answer 200.
func (c *planClient) page(path string) string {
	c.t.Helper()
	resp, err := c.browser.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body := readAll(c.t, resp)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d\n%s", path, resp.StatusCode, body)
	}
	return body
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// field returns the first value of "name":"value" in a JSON answer.
func field(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`"` + name + `":"?([^",}]*)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in %s", name, body)
	}
	return m[1]
}
