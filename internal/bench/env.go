package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"mdnhub/internal/catalog"
	"mdnhub/internal/check"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// pushToken is the bench gateway's token.
const pushToken = "bench-token-0123456789abcdef"

// user is a seeded account with what the scenarios use of it.
type user struct {
	name, key string
	id        int64
	full      int64 // an open request with one message
	empty     int64 // an open request without messages
	fullMDN   string
}

// env is one fresh database and its servers.
type env struct {
	o       Options
	scale   int
	dir     string
	config  string
	dsn     string // the bench database on PostgreSQL
	dropDB  func()
	addr    string // mdnhub
	trivial string // the baseline server
	server  Process
	base    Process
	poll    []user // one per connection: polling, pushes
	cyclers []user // one per connection: request+reject
	waiters []user // long-poll users: their open empty requests
	lpReqs  []lpReq
	rawRate float64 // the raw write rate of the last write scenario
	rawDB   *db.DB
}

type lpReq struct {
	u   *user
	id  int64
	mdn string
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func newEnv(ctx context.Context, o Options, dir string, scale int) (*env, error) {
	e := &env{o: o, scale: scale, dir: dir, dropDB: func() {}}
	var err error
	if e.addr, err = freeAddr(); err != nil {
		return nil, err
	}
	if e.trivial, err = freeAddr(); err != nil {
		return nil, err
	}
	kv := [][2]string{
		{"db.driver", o.Driver},
		{"http.addr", e.addr},
		{"log.level", "error"},
		{"api.auth_failure_limit", "0"},
		{"requests.max_open", "20"},
		{"db.max_conns", strconv.Itoa(o.DBConns)},
		{"gateway.bench.kind", "httppush"},
		{"gateway.bench.token", pushToken},
	}
	switch o.Driver {
	case "sqlite":
		path := abs(dir, fmt.Sprintf("bench-%d-%d.db", os.Getpid(), scale))
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		kv = append(kv, [2]string{"db.path", path}, [2]string{"db.sqlite_synchronous", o.Synchronous})
		e.dropDB = func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
	case "postgres":
		if o.DSN == "" {
			return nil, errors.New("postgres needs -dsn: a server where the bench may create and drop a database")
		}
		name := fmt.Sprintf("mdnhub_bench_%d_%d", os.Getpid(), scale)
		if e.dsn, e.dropDB, err = createDatabase(ctx, o.DSN, name); err != nil {
			return nil, err
		}
		kv = append(kv, [2]string{"db.dsn", e.dsn})
	default:
		return nil, fmt.Errorf("unknown driver %q", o.Driver)
	}
	e.config = abs(dir, fmt.Sprintf("bench-%d-%d.conf", os.Getpid(), scale))
	if err := configFile(e.config, kv); err != nil {
		e.dropDB()
		return nil, err
	}
	return e, nil
}

// createDatabase makes a fresh database on the server of dsn and returns
// its DSN and how to drop it.
func createDatabase(ctx context.Context, dsn, name string) (string, func(), error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return "", nil, err
	}
	admin := stdlib.OpenDBFromPool(pool)
	admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(dsn)
	var out string
	if err != nil || u.Scheme == "" {
		out = dsn + " dbname=" + name
	} else {
		u.Path = "/" + name
		out = u.String()
	}
	return out, func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
		pool.Close()
	}, nil
}

func (e *env) cleanup() {
	if e.rawDB != nil {
		e.rawDB.Close()
	}
	e.dropDB()
	os.Remove(e.config)
}

// seed creates services, numbers, users with keys and balances, open
// requests (with and without a message), the long-poll users' open
// requests, and the finished history at the scale.
func (e *env) seed(ctx context.Context, h Host) error {
	d, closeApp, err := h.Open(ctx, e.config)
	if err != nil {
		return err
	}
	defer closeApp()
	var svcs []catalog.Service
	for i, name := range []string{"Google", "Uber", "Telegram", "WhatsApp", "Amazon"} {
		s, err := d.Catalog.Put(ctx, catalog.Service{Name: name, PriceCents: int64(50 + 10*i), LTRPriceCents: 2000,
			LTRShortPriceCents: 500, Enabled: true})
		if err != nil {
			return err
		}
		svcs = append(svcs, s)
	}
	conns := e.o.Conns
	lpUsers := (e.o.Open + 19) / 20
	numbers := 2*conns + 2000 + e.o.Open + 64
	items := make([]inventory.Import, numbers)
	for i := range items {
		// Area codes 201..989 give several states; the seven digits after
		// them are the index.
		items[i] = inventory.Import{MDN: fmt.Sprintf("1%03d5%06d", 201+i%700, i), Carrier: "TMobile", Gateway: "bench"}
	}
	if _, err := d.Inventory.Put(ctx, items); err != nil {
		return err
	}
	mk := func(prefix string, i int, cents int64) (user, error) {
		name := fmt.Sprintf("%s%05d", prefix, i)
		u, err := d.Accounts.Create(ctx, name, name+"@bench.example")
		if err != nil {
			return user{}, err
		}
		if _, err := d.Accounts.Credit(ctx, u.ID, cents, "bench"); err != nil {
			return user{}, err
		}
		key, err := d.Accounts.GenerateKey(ctx, u.ID)
		return user{name: name, key: key, id: u.ID}, err
	}
	create := func(u *user, svc catalog.Service) (request.Request, error) {
		rs, err := d.Requests.Create(ctx, request.Ask{UserID: u.id, Services: []catalog.Service{svc}})
		if err != nil {
			return request.Request{}, err
		}
		return rs[0], nil
	}
	e.poll = make([]user, conns)
	e.cyclers = make([]user, conns)
	for i := 0; i < conns; i++ {
		if e.poll[i], err = mk("poll", i, 1_000_000); err != nil {
			return err
		}
		u := &e.poll[i]
		full, err := create(u, svcs[0])
		if err != nil {
			return err
		}
		empty, err := create(u, svcs[1])
		if err != nil {
			return err
		}
		u.full, u.empty, u.fullMDN = full.ID, empty.ID, full.MDN
		if _, err := d.Messages.Deliver(ctx, message.Inbound{Gateway: "bench", To: full.MDN, From: "22000",
			Text: "G-804036 is your Google verification code."}); err != nil {
			return err
		}
		if e.cyclers[i], err = mk("cycle", i, 100_000_000); err != nil {
			return err
		}
	}
	if e.o.has("longpoll") {
		e.waiters = make([]user, lpUsers)
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, lpUsers)
		sem := make(chan struct{}, 16)
		for i := range e.waiters {
			if e.waiters[i], err = mk("wait", i, 1_000_000); err != nil {
				return err
			}
			wg.Add(1)
			sem <- struct{}{}
			go func(u *user) {
				defer func() { <-sem; wg.Done() }()
				for k := 0; k < 20; k++ {
					r, err := create(u, svcs[k%len(svcs)])
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					e.lpReqs = append(e.lpReqs, lpReq{u: u, id: r.ID, mdn: r.MDN})
					mu.Unlock()
				}
			}(&e.waiters[i])
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
	}
	return e.seedHistory(ctx, d, svcs)
}

// seedHistory adds finished requests, each with two messages, spread over
// the polling and cycling users and the past week: scale × History
// requests. It writes rows directly, in large transactions, since going
// through the services would take far longer than the measurements.
func (e *env) seedHistory(ctx context.Context, d Domain, svcs []catalog.Service) error {
	n := e.scale * e.o.History
	users := append(append([]user{}, e.poll...), e.cyclers...)
	now := time.Now().Unix()
	const chunk = 500
	for start := 0; start < n; start += chunk * 20 {
		err := d.DB.Tx(ctx, func(tx *sql.Tx) error {
			for c := start; c < min(start+chunk*20, n); c += chunk {
				var rq strings.Builder
				rq.WriteString(`INSERT INTO requests (user_id, service_id, mdn, carrier, status, price_cents, messages, created_at, expires_at, closed_at) VALUES `)
				for i := c; i < min(c+chunk, n); i++ {
					u := users[i%len(users)]
					s := svcs[i%len(svcs)]
					at := now - int64(i%(7*86400))
					if i > c {
						rq.WriteString(", ")
					}
					fmt.Fprintf(&rq, "(%d, %d, '1999%07d', 'TMobile', 'Completed', %d, 2, %d, %d, %d)", u.id, s.ID, i%10_000_000, s.PriceCents, at-60, at+840, at)
				}
				rows, err := tx.QueryContext(ctx, rq.String()+" RETURNING id, user_id, mdn, created_at")
				if err != nil {
					return err
				}
				type req struct {
					id, user, at int64
					mdn          string
				}
				var rs []req
				for rows.Next() {
					var r req
					if err := rows.Scan(&r.id, &r.user, &r.mdn, &r.at); err != nil {
						rows.Close()
						return err
					}
					rs = append(rs, r)
				}
				rows.Close()
				var ms strings.Builder
				ms.WriteString(`INSERT INTO messages (user_id, request_id, kind, mdn, sender, body, pin, service, price_cents, received_at) VALUES `)
				for i, r := range rs {
					if i > 0 {
						ms.WriteString(", ")
					}
					fmt.Fprintf(&ms, "(%d, %d, 'sms', '%s', '22000', 'Your code is %06d', '%06d', 'Google', 50, %d), ", r.user, r.id, r.mdn, i, i, r.at+10)
					fmt.Fprintf(&ms, "(%d, %d, 'sms', '%s', '22000', 'Your code is %06d again', '%06d', 'Google', 0, %d)", r.user, r.id, r.mdn, i, i, r.at+30)
				}
				if _, err := tx.ExecContext(ctx, ms.String()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// start starts mdnhub and the baseline server and waits until both answer.
func (e *env) start(ctx context.Context, h Host) error {
	var err error
	if e.server, err = h.Serve(ctx, e.config); err != nil {
		return err
	}
	if e.base, err = h.Trivial(ctx, e.trivial); err != nil {
		e.server.Stop()
		return err
	}
	c := newClient(1)
	defer c.CloseIdleConnections()
	for _, u := range []string{"http://" + e.addr + "/healthz", "http://" + e.trivial + "/api_command.php?cmd=balance"} {
		deadline := time.Now().Add(60 * time.Second)
		for {
			if _, err := get(ctx, c, u, nil); err == nil {
				break
			}
			if time.Now().After(deadline) {
				e.stop()
				return fmt.Errorf("%s does not answer", u)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

func (e *env) stop() {
	if e.server.Stop != nil {
		e.server.Stop()
		e.server.Stop = nil
	}
	if e.base.Stop != nil {
		e.base.Stop()
		e.base.Stop = nil
	}
}

// apiURL is a call of cmd as user u.
func (e *env) apiURL(u *user, cmd string, kv ...string) string {
	v := url.Values{"cmd": {cmd}, "user": {u.name}, "api_key": {u.key}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "http://" + e.addr + "/api_command.php?" + v.Encode()
}

var (
	okPrefix     = []byte(`{"status":"ok"`)
	noMessages   = []byte(`"No messages"`)
	errBadAnswer = errors.New("unexpected answer")
)

func hasPrefix(b, p []byte) bool { return len(b) >= len(p) && string(b[:len(p)]) == string(p) }

func contains(b, p []byte) bool { return strings.Contains(string(b), string(p)) }

// expectOK checks an API answer.
func expectOK(b []byte, err error) error {
	if err != nil {
		return err
	}
	if !hasPrefix(b, okPrefix) {
		return fmt.Errorf("%w: %.200s", errBadAnswer, b)
	}
	return nil
}

// bufs are per-worker read buffers.
type bufs struct{ b [][]byte }

func newBufs(n int) *bufs {
	b := &bufs{b: make([][]byte, n)}
	for i := range b.b {
		b.b[i] = make([]byte, 0, 4096)
	}
	return b
}

// pollTarget is one polled command.
type pollTarget struct {
	name string
	fn   call
}

// poll measures balance, request_status and read_sms against the trivial
// handler, interleaved, then each again open-loop at half its rate.
func (e *env) pollScenario(ctx context.Context) ([]Row, error) {
	conns := e.o.Conns
	bs := newBufs(max(conns, 1))
	trivialURL := "http://" + e.trivial + "/api_command.php?cmd=balance&user=u&api_key=0123456789abcdef0123456789abcdef"
	urls := func(mk func(u *user) []string) [][]string {
		out := make([][]string, conns)
		for i := range out {
			out[i] = mk(&e.poll[i])
		}
		return out
	}
	balance := urls(func(u *user) []string { return []string{e.apiURL(u, "balance")} })
	status := urls(func(u *user) []string {
		return []string{e.apiURL(u, "request_status", "id", strconv.FormatInt(u.full, 10)),
			e.apiURL(u, "request_status", "id", strconv.FormatInt(u.empty, 10))}
	})
	readFull := urls(func(u *user) []string { return []string{e.apiURL(u, "read_sms", "id", strconv.FormatInt(u.full, 10))} })
	readEmpty := urls(func(u *user) []string { return []string{e.apiURL(u, "read_sms", "id", strconv.FormatInt(u.empty, 10))} })
	simple := func(us [][]string) call {
		return func(ctx context.Context, c *http.Client, w int, seq int64) error {
			list := us[w%conns]
			b, err := get(ctx, c, list[int(seq)%len(list)], bs.b[w%conns])
			return expectOK(b, err)
		}
	}
	targets := []pollTarget{
		{"trivial net/http", func(ctx context.Context, c *http.Client, w int, seq int64) error {
			b, err := get(ctx, c, trivialURL, bs.b[w%conns])
			return expectOK(b, err)
		}},
		{"balance", simple(balance)},
		{"request_status", simple(status)},
		{"read_sms (half empty)", func(ctx context.Context, c *http.Client, w int, seq int64) error {
			if seq%2 == 0 {
				b, err := get(ctx, c, readFull[w%conns][0], bs.b[w%conns])
				return expectOK(b, err)
			}
			b, err := get(ctx, c, readEmpty[w%conns][0], bs.b[w%conns])
			if err == nil && !contains(b, noMessages) {
				err = fmt.Errorf("%w: %.200s", errBadAnswer, b)
			}
			return err
		}},
	}
	rows := make([]Row, len(targets))
	outs := make([][]outcome, len(targets))
	client := newClient(conns)
	defer client.CloseIdleConnections()
	// Warm up both servers (connections, caches).
	for _, t := range targets {
		closedLoop(ctx, client, conns, e.o.Duration/4, e.o.MaxCalls, t.fn)
	}
	for r := 0; r < e.o.Rounds; r++ {
		for i, t := range targets {
			pid := e.server.PID
			if i == 0 {
				pid = e.base.PID
			}
			resetPeak(pid)
			o := closedLoop(ctx, client, conns, e.o.Duration, e.o.MaxCalls, t.fn)
			rss := peakRSS(pid)
			outs[i] = append(outs[i], o)
			rows[i].PeakRSSMB = max(rows[i].PeakRSSMB, rss)
			fmt.Fprintf(e.o.Out, "  round %d %-22s %8.0f/s p99 %.2f ms errors %d %s\n", r+1, t.name, o.rate(), ms(o.P99), o.Errors, o.FirstError)
		}
	}
	for i, t := range targets {
		rows[i] = fold(rows[i], t.name, "req/s", outs[i])
		if i > 0 {
			rows[i].Baseline = targets[0].name
			rows[i].Ratio = rows[i].Rate / rows[0].Rate
		}
	}
	// Latency at half the measured maximum, open loop.
	for i, t := range targets {
		half := rows[i].Rate / 2
		if half < 1 {
			continue
		}
		o := openLoop(ctx, client, half, e.o.Duration, 4*conns, t.fn)
		rows[i].HalfRate, rows[i].HalfP99ms = half, ms(o.P99)
		rows[i].Errors += o.Errors
		fmt.Fprintf(e.o.Out, "  open loop %-22s %8.0f/s p99 %.2f ms errors %d %s\n", t.name, half, ms(o.P99), o.Errors, o.FirstError)
	}
	return rows, nil
}

// fold summarises the rounds of one target into a row: the median rate,
// and the latencies of the median round.
func fold(r Row, name, unit string, outs []outcome) Row {
	r.Name, r.Unit = name, unit
	var rates []float64
	for _, o := range outs {
		rates = append(rates, o.rate())
		r.Errors += o.Errors
		if o.Errors > 0 && r.Note == "" {
			r.Note = "first error: " + trim(o.FirstError, 120)
		}
	}
	r.Rates = append([]float64{}, rates...)
	r.Rate = median(rates)
	for _, o := range outs {
		if o.rate() == r.Rate {
			r.P50ms, r.P99ms = ms(o.P50), ms(o.P99)
		}
	}
	return r
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// write measures request+reject cycles from many users against the raw
// rate of one small write transaction (an insert and an update) on the same
// engine with the same settings, interleaved.
func (e *env) write(ctx context.Context) ([]Row, error) {
	conns := e.o.Conns
	raw, err := e.openRaw(ctx)
	if err != nil {
		return nil, err
	}
	bs := newBufs(conns)
	client := newClient(conns)
	defer client.CloseIdleConnections()
	svc := []string{"Google", "Uber", "Telegram", "WhatsApp", "Amazon"}
	cycle := func(ctx context.Context, c *http.Client, w int, seq int64) error {
		u := &e.cyclers[w%conns]
		b, err := get(ctx, c, e.apiURL(u, "request", "service", svc[int(seq)%len(svc)]), bs.b[w])
		if err := expectOK(b, err); err != nil {
			return err
		}
		id := between(string(b), `"id":"`, `"`)
		if id == "" {
			return fmt.Errorf("%w: %.200s", errBadAnswer, b)
		}
		b, err = get(ctx, c, e.apiURL(u, "reject", "id", id), bs.b[w])
		return expectOK(b, err)
	}
	var rawOuts, cycleOuts []outcome
	var rawRSS, cycleRSS float64
	for r := 0; r < e.o.Rounds; r++ {
		o := rawLoop(ctx, raw, conns, e.o.Duration, e.o.MaxCalls)
		rawOuts = append(rawOuts, o)
		fmt.Fprintf(e.o.Out, "  round %d %-22s %8.0f tx/s p99 %.2f ms errors %d %s\n", r+1, "raw insert+update", o.rate(), ms(o.P99), o.Errors, o.FirstError)
		resetPeak(e.server.PID)
		o = closedLoop(ctx, client, conns, e.o.Duration, e.o.MaxCalls/2, cycle)
		cycleRSS = max(cycleRSS, peakRSS(e.server.PID))
		// Two writes per cycle.
		o.Requests *= 2
		cycleOuts = append(cycleOuts, o)
		fmt.Fprintf(e.o.Out, "  round %d %-22s %8.0f writes/s p99 %.2f ms (cycle) errors %d %s\n", r+1, "request+reject", o.rate(), ms(o.P99), o.Errors, o.FirstError)
	}
	rawRow := fold(Row{PeakRSSMB: rawRSS}, "raw insert+update tx", "tx/s", rawOuts)
	e.rawRate = rawRow.Rate
	cyc := fold(Row{PeakRSSMB: cycleRSS}, "request+reject", "writes/s", cycleOuts)
	cyc.Baseline, cyc.Ratio = rawRow.Name, cyc.Rate/rawRow.Rate
	return []Row{rawRow, cyc}, nil
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// openRaw opens the baseline of the write scenario: on SQLite a file of its
// own beside the server's, with the same pragmas (one writer connection);
// on PostgreSQL the bench database itself. Two small tables: rows inserted,
// and one counter row per worker that each transaction updates.
func (e *env) openRaw(ctx context.Context) (*db.DB, error) {
	if e.rawDB != nil {
		return e.rawDB, nil
	}
	// The server's pool size: on PostgreSQL the raw rate with more
	// connections than the server may use would not be the same settings.
	o := db.Options{Driver: e.o.Driver, Synchronous: e.o.Synchronous, DSN: e.dsn, MaxConns: e.o.DBConns}
	if e.o.Driver == "sqlite" {
		o.Path = abs(e.dir, fmt.Sprintf("raw-%d-%d.db", os.Getpid(), e.scale))
		os.Remove(o.Path)
	}
	d, err := db.Open(ctx, o)
	if err != nil {
		return nil, err
	}
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS bench_rows (id BIGINT PRIMARY KEY, worker BIGINT NOT NULL, at BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS bench_counters (worker BIGINT PRIMARY KEY, n BIGINT NOT NULL)`,
	}
	for _, s := range stmts {
		if _, err := d.W.ExecContext(ctx, s); err != nil {
			d.Close()
			return nil, err
		}
	}
	for w := 0; w < e.o.Conns; w++ {
		if _, err := d.W.ExecContext(ctx, `INSERT INTO bench_counters (worker, n) VALUES ($1, 0) ON CONFLICT (worker) DO NOTHING`, w); err != nil {
			d.Close()
			return nil, err
		}
	}
	if e.o.Driver == "sqlite" {
		prev := e.dropDB
		path := o.Path
		e.dropDB = func() {
			prev()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
	}
	e.rawDB = d
	return d, nil
}

var rawSeq atomic.Int64

// rawLoop runs small write transactions (insert + update) from workers on
// the engine's write connections, without mdnhub's transaction helper.
func rawLoop(ctx context.Context, d *db.DB, workers int, dur time.Duration, maxCalls int64) outcome {
	fn := func(ctx context.Context, _ *http.Client, w int, seq int64) error {
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		id := rawSeq.Add(1)
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_rows (id, worker, at) VALUES ($1, $2, $3)`, id, w, time.Now().UnixNano()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bench_counters SET n = n + 1 WHERE worker = $1`, w); err != nil {
			return err
		}
		return tx.Commit()
	}
	return closedLoop(ctx, nil, workers, dur, maxCalls, fn)
}

// doubleAllocations stops the servers and counts, with mdnhub's invariant
// checker, the numbers held by two open holdings at once, and every other
// broken invariant of the write path.
func (e *env) doubleAllocations(ctx context.Context, h Host) (int, error) {
	e.stop()
	d, closeApp, err := h.Open(ctx, e.config)
	if err != nil {
		return 0, err
	}
	defer closeApp()
	rep, err := check.Run(ctx, d.DB, check.Options{Now: time.Now(), SendGrace: message.SendGrace})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range rep.Violations {
		if strings.HasPrefix(v, "holders") {
			n++
		}
	}
	return n, nil
}
