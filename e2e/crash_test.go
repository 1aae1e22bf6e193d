package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// The crash test (docs/crash-test.md): the built binary serves mixed load —
// API calls, SMS pushed by an HTTP device and delivered by an SMPP SMSC,
// outbound SMS, callbacks — and is killed with SIGKILL at random moments,
// then restarted on the same database, again and again. After every kill
// `mdnhub check` must pass; at the end nothing any peer was told is lost or
// doubled.

const (
	crashPushGateway = "push"
	crashSMPPGateway = "smsc"
	crashPushToken   = "push-device-token-0123456789"
	crashSendToken   = "device-send-token-0123456789"
	crashCBSecret    = "callback-secret-0123456789abcdef"
	crashKills       = 22
	crashUsers       = 3
)

// crashSeed is the run's seed: MDNHUB_CRASH_SEED to replay one, else new.
func crashSeed(t *testing.T) uint64 {
	if s := os.Getenv("MDNHUB_CRASH_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("MDNHUB_CRASH_SEED=%q: %v", s, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

func TestCrashSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	crashRun(t, dir, env{"MDNHUB_DB_PATH": filepath.Join(dir, "crash.db")},
		db.Options{Driver: "sqlite", Path: filepath.Join(dir, "crash.db")}, 1)
}

func TestCrashPostgres(t *testing.T) {
	t.Parallel()
	dsn := dbtest.PostgresDSN(t, "crash")
	crashRun(t, t.TempDir(), env{"MDNHUB_DB_DRIVER": "postgres", "MDNHUB_DB_DSN": dsn},
		db.Options{Driver: "postgres", DSN: dsn}, 2)
}

// killMode is how a cycle chooses its moment to kill.
type killMode string

const (
	killStartup  killMode = "during startup"                        // before or while it starts
	killTimer    killMode = "at a random time"                      // while serving
	killCallback killMode = "just after a callback got its 200"     // before the delivery is recorded
	killSend     killMode = "just after the device accepted an SMS" // before send_sms settles
)

// crashRig is one run: the peers, the clients and the record of kills.
type crashRig struct {
	t      *testing.T
	dir    string
	env    env
	addr   string
	gen    atomic.Int64 // the running mdnhub process, counted from 1
	smsc   *smsc
	sendTo *sendServer
	cb     *cbReceiver
	dev    *pushDevice
	j      *journal
	pool   *heldPool

	cbKick, sendKick chan struct{}

	// deliveredAt[d] is the number of the process after whose kill the
	// event with delivery id d was first seen delivered in the database.
	deliveredAt map[string]int
	modes       map[killMode]int
	// lateOutbound counts the outbound SMS `mdnhub check` found past their
	// deadline with their reconciliation job still live (see startCheck).
	lateOutbound int
	// finalStart is when the last process started; strandedCB and
	// strandedOut are what is still owed at the end, held by River jobs
	// that killed processes had fetched (see stranded).
	finalStart              time.Time
	strandedCB, strandedOut map[int64]bool
}

func crashRun(t *testing.T, dir string, base env, dbo db.Options, salt uint64) {
	began := time.Now()
	seed := crashSeed(t)
	t.Logf("crash test seed %d (replay with MDNHUB_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, salt))

	r := &crashRig{t: t, dir: dir, j: newJournal(), pool: newHeldPool(),
		cbKick: make(chan struct{}, 1), sendKick: make(chan struct{}, 1),
		deliveredAt: map[string]int{}, modes: map[killMode]int{}}
	gen := func() int { return int(r.gen.Load()) }
	var err error
	if r.smsc, err = newSMSC(10); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.smsc.close)
	r.sendTo = newSendServer(gen)
	t.Cleanup(r.sendTo.srv.Close)
	r.sendTo.onAccept = func() { kick(r.sendKick) }
	r.cb = newCBReceiver(crashCBSecret, gen)
	t.Cleanup(r.cb.srv.Close)
	r.cb.on200 = func() { kick(r.cbKick) }
	r.addr = freeAddr(t)
	r.dev = newPushDevice("http://"+r.addr+"/gateway/"+crashPushGateway+"/inbound", crashPushToken, "p")

	r.env = base.with(
		"MDNHUB_LOG_LEVEL", "warn",
		"MDNHUB_CALLBACKS_ALLOW_PRIVATE", "true",
		"MDNHUB_CALLBACKS_RETRY_INTERVAL", "1s",
		"MDNHUB_GATEWAY__PUSH__KIND", "httppush",
		"MDNHUB_GATEWAY__PUSH__TOKEN", crashPushToken,
		"MDNHUB_GATEWAY__PUSH__SEND_URL", r.sendTo.srv.URL+"/send",
		"MDNHUB_GATEWAY__PUSH__SEND_TOKEN", crashSendToken,
		"MDNHUB_GATEWAY__PUSH__TIMEOUT", "5s",
		"MDNHUB_GATEWAY__SMSC__KIND", "smpp",
		"MDNHUB_GATEWAY__SMSC__ADDR", r.smsc.addr(),
		"MDNHUB_GATEWAY__SMSC__SYSTEM_ID", "mdnhub",
		"MDNHUB_GATEWAY__SMSC__PASSWORD", "secret",
		"MDNHUB_GATEWAY__SMSC__RECONNECT_MIN", "100ms",
		"MDNHUB_GATEWAY__SMSC__RECONNECT_MAX", "500ms",
		"MDNHUB_GATEWAY__SMSC__SUBMIT_RATE", "200",
		// A resend is recognised within one window bucket; one that
		// crosses a bucket's end is stored twice (docs/gateways.md). A
		// year-long bucket keeps this run inside one.
		"MDNHUB_GATEWAY__SMSC__DEDUPE_WINDOW", "8760h",
	)
	keys := r.setup()

	d, err := db.Open(context.Background(), dbo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })

	// The load: clients, the device and the SMSC, until stopLoad; the
	// device keeps retrying what it has until stopDevice.
	stopLoad, stopDevice := make(chan struct{}), make(chan struct{})
	var load sync.WaitGroup
	services := []string{"Alpha", "Bravo", "Charlie", "Delta"}
	sendSeq := &atomic.Int64{}
	for i := 0; i < crashUsers; i++ {
		w := &crashWorker{name: fmt.Sprintf("u%d", i+1), user: fmt.Sprintf("crash%d", i+1), key: keys[i],
			base: "http://" + r.addr + "/api_command.php", hc: &http.Client{Timeout: 5 * time.Second},
			rng: rand.New(rand.NewPCG(seed, salt*100+uint64(i))), j: r.j, pool: r.pool, services: services, sendSeq: sendSeq}
		load.Add(1)
		go func() { defer load.Done(); w.run(stopLoad) }()
	}
	load.Add(1)
	go func() { defer load.Done(); r.feed(rand.New(rand.NewPCG(seed, salt*100+50)), stopLoad) }()
	var devices sync.WaitGroup
	for i := 0; i < 2; i++ {
		devices.Add(1)
		go func() { defer devices.Done(); r.dev.run(stopDevice) }()
	}
	defer func() {
		select {
		case <-stopLoad:
		default:
			close(stopLoad)
		}
		close(stopDevice)
		load.Wait()
		devices.Wait()
	}()

	// The kills. After each, the database as the dead process left it is
	// checked while the next process starts.
	var judge func()
	for k := 1; k <= crashKills; k++ {
		mode := killTimer
		switch x := rng.IntN(100); {
		case x < 10:
			mode = killStartup
		case x < 25:
			mode = killCallback
		case x < 40:
			mode = killSend
		}
		p := r.startServer()
		if judge != nil {
			judge()
			judge = nil
		}
		r.kill(p, mode, rng)
		judge = r.afterKill(d)
	}
	t.Logf("%d kills survived in %v: %v", crashKills, time.Since(began).Round(time.Millisecond), r.modes)

	// The end: one more start, the load stops, everything owed is settled.
	r.finalStart = time.Now()
	p := r.startServer()
	judge()
	waitHealthy(t, p, r.addr)
	close(stopLoad)
	load.Wait()
	settled := time.Now()
	r.settle(p, d)
	t.Logf("settled in %v", time.Since(settled).Round(time.Millisecond))
	p.stop(t, 20*time.Second)
	r.startCheck(d)()
	r.verify(d)
	t.Logf("crash test took %v", time.Since(began).Round(time.Millisecond))
}

func kick(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// setup creates the services, the numbers (60 on each gateway) and the users
// with their callback URL, and returns the users' API keys.
func (r *crashRig) setup() []string {
	t := r.t
	svc := filepath.Join(r.dir, "services.csv")
	if err := os.WriteFile(svc, []byte("Alpha,0.50,5.00,0,10s\nBravo,0.40,4.00,0,10s\nCharlie,0.30,3.00,0,10s\nDelta,0.20,2.00,0,10s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, r.dir, r.env, "services", "import", svc)
	var csv strings.Builder
	csv.WriteString("mdn,carrier,state,gateway,short_rental\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&csv, "1212555%04d,TMobile,NY,%s,false\n", 100+i, crashPushGateway)
		fmt.Fprintf(&csv, "1213555%04d,ATT,CA,%s,false\n", 100+i, crashSMPPGateway)
	}
	nums := filepath.Join(r.dir, "numbers.csv")
	if err := os.WriteFile(nums, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, r.dir, r.env, "numbers", "import", nums)
	var keys []string
	for i := 1; i <= crashUsers; i++ {
		name := fmt.Sprintf("crash%d", i)
		keys = append(keys, apiKeyFrom(t, cli(t, r.dir, r.env, "user", "create", "-name", name, "-email", name+"@example.com")))
		cli(t, r.dir, r.env, "user", "credit", "-name", name, "-amount", "10000.00", "-reason", "crash test")
		cli(t, r.dir, r.env, "callbacks", "set", "-name", name, "-url", r.cb.srv.URL+"/hook", "-secret", crashCBSecret)
	}
	return keys
}

// feed makes the SMS the device and the SMSC receive: mostly to numbers
// the clients hold, some to numbers nobody holds (stored unowned), each
// with a text of its own.
func (r *crashRig) feed(rng *rand.Rand, stop <-chan struct{}) {
	n := 0
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(20+rng.IntN(40)) * time.Millisecond):
		}
		n++
		from := fmt.Sprintf("1202555%04d", rng.IntN(10000))
		code := fmt.Sprintf("%06d", rng.IntN(1000000))
		if n%2 == 0 {
			to := r.pool.pick(rng, crashPushGateway)
			if to == "" || rng.IntN(10) == 0 {
				to = fmt.Sprintf("1212555%04d", 100+rng.IntN(60))
			}
			r.dev.add(to, from, fmt.Sprintf("Your code is %s (push %d)", code, n))
		} else {
			to := r.pool.pick(rng, crashSMPPGateway)
			if to == "" || rng.IntN(10) == 0 {
				to = fmt.Sprintf("1213555%04d", 100+rng.IntN(60))
			}
			r.smsc.add(from, to, fmt.Sprintf("Your code is %s (smpp %d)", code, n))
		}
	}
}

// startServer starts the next mdnhub process on the same database.
func (r *crashRig) startServer() *proc {
	n := r.gen.Add(1)
	return start(r.t, fmt.Sprintf("serve #%d", n), r.dir, r.env, "serve", "-addr", r.addr)
}

// kill waits for the cycle's moment and kills p with SIGKILL.
func (r *crashRig) kill(p *proc, mode killMode, rng *rand.Rand) {
	t := r.t
	if mode == killStartup {
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
	} else {
		waitHealthy(t, p, r.addr)
		time.Sleep(time.Duration(150+rng.IntN(1000)) * time.Millisecond)
		var wait chan struct{}
		switch mode {
		case killCallback:
			wait = r.cbKick
		case killSend:
			wait = r.sendKick
		}
		if wait != nil {
			select {
			case <-wait: // a stale one, from before
			default:
			}
			select {
			case <-wait:
			case <-time.After(2 * time.Second):
				mode += " (none came: at a random time)"
			}
		}
	}
	if p.exited() {
		t.Fatalf("%s exited by itself: %v", p.name, p.err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("%s: SIGKILL: %v", p.name, err)
	}
	<-p.done
	r.modes[mode]++
}

// afterKill notes the callbacks the database shows delivered, as the dead
// process left it: none of them may be sent again. It starts `mdnhub check`
// on that database and returns its judge (see startCheck).
func (r *crashRig) afterKill(d *db.DB) (judge func()) {
	t := r.t
	rows, err := d.R.Query(`SELECT delivery_id FROM callback_events WHERE status = 'delivered'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, ok := r.deliveredAt[id]; !ok {
			r.deliveredAt[id] = int(r.gen.Load())
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return r.startCheck(d)
}

// settle waits, with the last process running and the clients stopped, for
// everything owed to be done: every pushed and every SMPP SMS answered with
// success, every callback delivered, every outbound SMS settled (one whose
// sender died is refunded by its reconciliation job 30 s + 30 s after it
// began). What a killed process had fetched from River and not finished
// stays with its dead owner until River's rescuer hands it back, two
// minutes or so after the attempt began (jobs.RescueAfter): the test waits
// for that only when it is due, and notes the others as stranded.
func (r *crashRig) settle(p *proc, d *db.DB) {
	t := r.t
	deadline := time.Now().Add(150 * time.Second)
	for {
		if p.exited() {
			t.Fatalf("%s exited while settling: %v", p.name, p.err)
		}
		why := ""
		if n := r.dev.pending(); n > 0 {
			why = fmt.Sprintf("%d pushed SMS without a 200", n)
		} else if n := r.smsc.pending(); n > 0 {
			why = fmt.Sprintf("%d SMPP SMS without a deliver_sm_resp", n)
		} else {
			o, err := readOwed(d)
			if err != nil {
				t.Fatal(err)
			}
			r.strandedCB, r.strandedOut = map[int64]bool{}, map[int64]bool{}
			now := time.Now()
			var busyCB, busyOut []int64
			for id, js := range o.callbacks {
				if stranded(js, r.finalStart, now) {
					r.strandedCB[id] = true
				} else {
					busyCB = append(busyCB, id)
				}
			}
			for id, js := range o.outbound {
				if stranded(js, r.finalStart, now) {
					r.strandedOut[id] = true
				} else {
					busyOut = append(busyOut, id)
				}
			}
			if len(busyCB) == 0 && len(busyOut) == 0 {
				return
			}
			why = fmt.Sprintf("callback events %v undelivered, outbound SMS %v unsettled", head(busyCB), head(busyOut))
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled 150 s after the last start: %s", why)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// head is the first few of ids, for messages.
func head(ids []int64) []int64 {
	if len(ids) > 10 {
		return ids[:10]
	}
	return ids
}
