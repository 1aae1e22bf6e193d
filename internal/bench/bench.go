// Package bench is mdnhub's load tool (mdnhub bench): it starts a server on
// a fresh database, seeds it at a chosen scale, and measures the hot
// commands, the write path, inbound pushes and long-polls, each beside its
// baseline measured in the same run and interleaved with it, so that drift
// on a shared machine hits both alike. Every target is on loopback; every
// loop is bounded in requests and in time.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/request"
)

// Domain is what seeding needs of an opened mdnhub.
type Domain struct {
	DB        *db.DB
	Accounts  *account.Service
	Catalog   *catalog.Catalog
	Inventory *inventory.Store
	Requests  *request.Service
	Messages  *message.Service
}

// Process is a running server.
type Process struct {
	PID  int // whose memory is measured
	Stop func() error
}

// Host starts what the bench measures; the command line provides it (a
// child process of the mdnhub binary, or the same process for tests).
type Host interface {
	// Open opens mdnhub on the configuration file, migrated, for seeding;
	// close is called before the server starts.
	Open(ctx context.Context, configFile string) (d Domain, close func() error, err error)
	// Serve starts mdnhub serving the configuration file.
	Serve(ctx context.Context, configFile string) (Process, error)
	// Trivial starts the baseline: a net/http server with the same
	// settings whose handler parses the query and writes a constant
	// envelope.
	Trivial(ctx context.Context, addr string) (Process, error)
}

// Options configure a run.
type Options struct {
	Driver      string        // sqlite or postgres
	DSN         string        // PostgreSQL server; a fresh database is created on it and dropped after
	Dir         string        // where the SQLite files go (default: a temporary folder)
	Synchronous string        // SQLite synchronous pragma (default FULL)
	Scales      []int         // data scales (1: the base data, 100: a hundred times more history)
	Scenarios   []string      // poll, write, push, longpoll (default all)
	Conns       int           // connections of the closed-loop client
	DBConns     int           // the server's db.max_conns, and the raw baseline's pool (default 8, the server's default)
	Duration    time.Duration // one measured run
	Rounds      int           // interleaved rounds per scenario
	Waiters     int           // long-poll waiters
	Open        int           // open requests during the long-poll scenario
	PushRate    float64       // messages per second of the push latency run
	History     int           // finished requests at scale 1 (twice as many messages)
	MaxCalls    int64         // bound of one run in calls
	JSON        string        // where the JSON report goes ("" none)
	Out         io.Writer     `json:"-"` // the table and progress
}

func (o *Options) defaults() {
	if o.DBConns <= 0 {
		o.DBConns = 8
	}
	if o.Driver == "" {
		o.Driver = "sqlite"
	}
	if o.Synchronous == "" {
		o.Synchronous = "FULL"
	}
	if len(o.Scales) == 0 {
		o.Scales = []int{1, 100}
	}
	if len(o.Scenarios) == 0 {
		o.Scenarios = []string{"poll", "write", "push", "longpoll"}
	}
	if o.Conns <= 0 {
		o.Conns = 64
	}
	if o.Duration <= 0 {
		o.Duration = 3 * time.Second
	}
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.Waiters <= 0 {
		o.Waiters = 2000
	}
	if o.Open < o.Waiters {
		o.Open = max(o.Waiters, 10000)
	}
	if o.PushRate <= 0 {
		o.PushRate = 1000
	}
	if o.History <= 0 {
		o.History = 5000
	}
	if o.MaxCalls <= 0 {
		o.MaxCalls = 2_000_000
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

// Row is one line of the report.
type Row struct {
	Engine   string    `json:"engine"`
	Scale    int       `json:"scale"`
	Scenario string    `json:"scenario"`
	Name     string    `json:"name"`
	Baseline string    `json:"baseline,omitempty"` // the row this one is compared with
	Unit     string    `json:"unit"`
	Rate     float64   `json:"rate"`            // per second, median of the rounds
	Rates    []float64 `json:"rates"`           // each round
	Ratio    float64   `json:"ratio,omitempty"` // Rate / the baseline's Rate
	P50ms    float64   `json:"p50_ms"`
	P99ms    float64   `json:"p99_ms"`
	// HalfRate and HalfP99ms: an open-loop run at half the measured rate.
	HalfRate  float64 `json:"half_rate,omitempty"`
	HalfP99ms float64 `json:"half_p99_ms,omitempty"`
	Errors    int64   `json:"errors"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Note      string  `json:"note,omitempty"`
}

// Report is the whole run.
type Report struct {
	Started  time.Time `json:"started"`
	Go       string    `json:"go"`
	CPUs     int       `json:"cpus"`
	Settings Options   `json:"settings"`
	Rows     []Row     `json:"rows"`
}

// Run measures everything o asks for and writes the table to o.Out.
func Run(ctx context.Context, h Host, o Options) (Report, error) {
	o.defaults()
	rep := Report{Started: time.Now().UTC(), Go: runtime.Version(), CPUs: runtime.NumCPU(), Settings: o}
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "mdnhub-bench-"); err != nil {
			return rep, err
		}
		defer os.RemoveAll(dir)
	}
	for _, scale := range o.Scales {
		rows, err := runScale(ctx, h, o, dir, scale)
		rep.Rows = append(rep.Rows, rows...)
		if err != nil {
			return rep, err
		}
	}
	printTable(o.Out, rep.Rows)
	if o.JSON != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.JSON, append(b, '\n'), 0o644); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (o Options) has(scenario string) bool {
	for _, s := range o.Scenarios {
		if s == scenario {
			return true
		}
	}
	return false
}

// runScale seeds a fresh database at one scale and runs the scenarios on it.
func runScale(ctx context.Context, h Host, o Options, dir string, scale int) ([]Row, error) {
	env, err := newEnv(ctx, o, dir, scale)
	if err != nil {
		return nil, err
	}
	defer env.cleanup()
	fmt.Fprintf(o.Out, "# %s, data ×%d: seeding\n", o.Driver, scale)
	t0 := time.Now()
	if err := env.seed(ctx, h); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(o.Out, "# seeded in %s\n", time.Since(t0).Round(time.Millisecond))
	if err := env.start(ctx, h); err != nil {
		return nil, err
	}
	defer env.stop()
	var rows []Row
	for _, sc := range []struct {
		name string
		run  func(context.Context) ([]Row, error)
	}{{"poll", env.pollScenario}, {"write", env.write}, {"push", env.push}, {"longpoll", env.longPoll}} {
		if !o.has(sc.name) {
			continue
		}
		fmt.Fprintf(o.Out, "# %s, data ×%d: %s\n", o.Driver, scale, sc.name)
		rs, err := sc.run(ctx)
		for i := range rs {
			rs[i].Engine, rs[i].Scale, rs[i].Scenario = o.Driver, scale, sc.name
		}
		rows = append(rows, rs...)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", sc.name, err)
		}
	}
	if o.has("write") {
		n, err := env.doubleAllocations(ctx, h)
		if err != nil {
			return rows, err
		}
		for i := range rows {
			if rows[i].Name == "request+reject" {
				rows[i].Note = fmt.Sprintf("double allocations: %d", n)
			}
		}
	}
	return rows, nil
}

// median of xs (xs is sorted in place).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tdata\tscenario\tname\tthroughput\tvs baseline\tp50 ms\tp99 ms\thalf-rate p99 ms\terrors\tpeak RSS MB\tnote\t")
	for _, r := range rows {
		ratio := ""
		if r.Baseline != "" && r.Ratio > 0 {
			ratio = fmt.Sprintf("%.0f%% of %s", 100*r.Ratio, r.Baseline)
		}
		half := ""
		if r.HalfRate > 0 {
			half = fmt.Sprintf("%.2f @%.0f/s", r.HalfP99ms, r.HalfRate)
		}
		fmt.Fprintf(tw, "%s\t×%d\t%s\t%s\t%.0f %s\t%s\t%.2f\t%.2f\t%s\t%d\t%.1f\t%s\t\n",
			r.Engine, r.Scale, r.Scenario, r.Name, r.Rate, r.Unit, ratio, r.P50ms, r.P99ms, half, r.Errors, r.PeakRSSMB, r.Note)
	}
	tw.Flush()
}

// configFile writes the server's configuration: key = value lines.
func configFile(path string, kv [][2]string) error {
	var b strings.Builder
	for _, p := range kv {
		fmt.Fprintf(&b, "%s = %s\n", p[0], p[1])
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func abs(dir, name string) string { return filepath.Join(dir, name) }
