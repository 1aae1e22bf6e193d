//go:build linux

package front

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The proxy benchmark compares, on loopback, a direct TCP connection, the
// front's SOCKS5 and HTTP CONNECT listeners, Dante and tinyproxy, all
// with username/password authentication and direct egress. It runs only
// with MDNHUB_BENCH=1 (it installs nothing: Dante and tinyproxy rows are
// skipped when their binaries are missing; Dante needs root to create a
// throwaway system user). docs/performance.md has the set-up and figures.

const (
	benchChildEnv = "MDNHUB_BENCH_FRONT_CHILD"
	benchUser     = "mdnbench"
	benchPass     = "Bench-pass-1"
	benchRounds   = 5 // throughput runs per path
	setupRounds   = 3 // set-up runs per path
	setupDuration = 1500 * time.Millisecond
)

func TestProxyBenchmark(t *testing.T) {
	if os.Getenv(benchChildEnv) != "" {
		runBenchFront(t)
		return
	}
	if os.Getenv("MDNHUB_BENCH") != "1" {
		t.Skip("set MDNHUB_BENCH=1 to run the proxy benchmark")
	}
	cands := benchCandidates(t)
	// Rounds interleave the paths, so that drift on the machine (two
	// cores shared by client, origin, proxy and anything else running)
	// hits them alike; medians are reported.
	phases := os.Getenv("MDNHUB_BENCH_PHASES") // "bulk", "setup" or both (default)
	for round := range benchRounds {
		for _, c := range cands {
			if phases == "" || strings.Contains(phases, "bulk") {
				if err := c.bulk(); err != nil {
					t.Fatalf("%s: bulk: %v", c.name, err)
				}
			}
			if round < setupRounds && (phases == "" || strings.Contains(phases, "setup")) {
				if err := c.setup(); err != nil {
					t.Fatalf("%s: set-up: %v", c.name, err)
				}
				time.Sleep(300 * time.Millisecond) // let the TIME_WAIT churn settle
			}
		}
	}
	base := cands[0]
	var b strings.Builder
	fmt.Fprintf(&b, "\n| Path | Throughput (MB/s) | vs direct | Proxy CPU (ms/GB) | Set-up (conn/s, %d parallel) | vs direct | Proxy CPU (µs/conn) |\n", setupWorkers)
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range cands {
		t.Logf("%s: MB/s %v, conn/s %v", c.name, rounded(c.mbps), rounded(c.rates))
		fmt.Fprintf(&b, "| %s | %.0f | %s | %.0f | %.0f | %s | %.0f |\n",
			c.name, median(c.mbps), ratio(c.mbps, base.mbps), c.cpuPerGB(),
			median(c.rates), ratio(c.rates, base.rates), c.cpuPerConn())
	}
	fmt.Print(b.String())
}

// benchCandidates starts the origin and the proxies and returns the paths
// to measure, the direct baseline first.
func benchCandidates(t *testing.T) []*benchCandidate {
	origin := startBenchOrigin(t)
	originIP, originPort, _ := net.SplitHostPort(origin)
	dir := t.TempDir()
	os.Chmod(dir, 0o755) // tinyproxy and Dante drop to nobody

	socksAddr, httpAddr, frontPG := startBenchFront(t)
	cands := []*benchCandidate{
		{name: "direct TCP (baseline)", dial: func() (net.Conn, error) { return net.Dial("tcp", origin) }},
		{name: "mdnhub SOCKS5", pgid: frontPG, dial: func() (net.Conn, error) { return benchSOCKS(socksAddr, origin) }},
		{name: "mdnhub HTTP CONNECT", pgid: frontPG, dial: func() (net.Conn, error) { return benchCONNECT(httpAddr, origin) }},
	}
	if addr, pg, err := startDante(t, dir, originIP); err != nil {
		t.Logf("Dante skipped: %v", err)
	} else {
		cands = append(cands, &benchCandidate{name: "Dante 1.4.2 SOCKS5", pgid: pg, dial: func() (net.Conn, error) { return benchSOCKS(addr, origin) }})
	}
	if addr, pg, err := startTinyproxy(t, dir, originPort); err != nil {
		t.Logf("tinyproxy skipped: %v", err)
	} else {
		cands = append(cands, &benchCandidate{name: "tinyproxy 1.11.1 CONNECT", pgid: pg, dial: func() (net.Conn, error) { return benchCONNECT(addr, origin) }})
	}
	// MDNHUB_BENCH_ONLY=<substring> keeps the baseline and the matching
	// paths (profiling runs).
	if only := os.Getenv("MDNHUB_BENCH_ONLY"); only != "" {
		cands = slices.DeleteFunc(cands, func(c *benchCandidate) bool {
			return c != cands[0] && !strings.Contains(c.name, only)
		})
	}
	return cands
}

// benchCandidate is one path from the client to the origin, with its
// measurements.
type benchCandidate struct {
	name  string
	dial  func() (net.Conn, error) // a connection to the origin, through the proxy
	pgid  int                      // the proxy's process group, for CPU time; 0 for none
	mbps  []float64                // each bulk run
	rates []float64                // each set-up run, conn/s
	// proxy CPU time spent during the runs, and what it bought
	bulkCPU, setupCPU time.Duration
	bytes, conns      int64
}

func (c *benchCandidate) cpuPerGB() float64 {
	if c.bytes == 0 {
		return 0
	}
	return float64(c.bulkCPU.Milliseconds()) / (float64(c.bytes) / 1e9)
}

func (c *benchCandidate) cpuPerConn() float64 {
	if c.conns == 0 {
		return 0
	}
	return float64(c.setupCPU.Microseconds()) / float64(c.conns)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// ratio is median(v) as a percentage of median(base).
func ratio(v, base []float64) string {
	if median(base) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*median(v)/median(base))
}

func rounded(v []float64) []int {
	r := make([]int, len(v))
	for i, x := range v {
		r[i] = int(x)
	}
	return r
}

// bulk downloads bulkBytes through one connection.
func (c *benchCandidate) bulk() error {
	conn, err := c.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	cmd := make([]byte, 9)
	cmd[0] = 'B'
	binary.BigEndian.PutUint64(cmd[1:], uint64(bulkBytes))
	cpu0 := groupCPU(c.pgid)
	start := time.Now()
	if _, err := conn.Write(cmd); err != nil {
		return err
	}
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := conn.Read(buf)
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	d := time.Since(start)
	if n != bulkBytes {
		return fmt.Errorf("read %d bytes", n)
	}
	c.bulkCPU += groupCPU(c.pgid) - cpu0
	c.bytes += n
	c.mbps = append(c.mbps, float64(n)/d.Seconds()/1e6)
	return nil
}

// bulkBytes is the size of one throughput run (MDNHUB_BENCH_GIB
// overrides it, in GiB): 4 GiB, so that the TCP windows' ramp-up, which
// the two hops of a proxy pay twice, weighs little.
var bulkBytes int64 = 4 << 30

// setupWorkers is how many clients open connections in parallel in the
// set-up runs (MDNHUB_BENCH_WORKERS overrides it).
var setupWorkers = 8

func init() {
	if n, err := strconv.Atoi(os.Getenv("MDNHUB_BENCH_WORKERS")); err == nil && n > 0 {
		setupWorkers = n
	}
	if n, err := strconv.Atoi(os.Getenv("MDNHUB_BENCH_GIB")); err == nil && n > 0 {
		bulkBytes = int64(n) << 30
	}
}

// setup runs setupWorkers loops of connect, handshake, one-byte request
// and 64-byte answer, for setupDuration.
func (c *benchCandidate) setup() error {
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	cpu0 := groupCPU(c.pgid)
	start := time.Now()
	stop := start.Add(setupDuration)
	for range setupWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64)
			for time.Now().Before(stop) {
				if err := c.exchange(buf); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	c.setupCPU += groupCPU(c.pgid) - cpu0
	c.conns += done.Load()
	c.rates = append(c.rates, float64(done.Load())/time.Since(start).Seconds())
	return nil
}

func (c *benchCandidate) exchange(buf []byte) error {
	conn, err := c.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte{'S'}); err != nil {
		return err
	}
	_, err = io.ReadFull(conn, buf)
	return err
}

// startBenchOrigin serves 'B' + uint64 n: n bytes then close, and 'S': 64
// bytes then close.
func startBenchOrigin(t *testing.T) string {
	ln := listen(t)
	payload := make([]byte, 256<<10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				cmd := make([]byte, 1)
				if _, err := io.ReadFull(c, cmd); err != nil {
					return
				}
				if cmd[0] == 'S' {
					c.Write(payload[:64])
					return
				}
				nb := make([]byte, 8)
				if _, err := io.ReadFull(c, nb); err != nil {
					return
				}
				for n := int64(binary.BigEndian.Uint64(nb)); n > 0; {
					k, err := c.Write(payload[:min(n, int64(len(payload)))])
					if err != nil {
						return
					}
					n -= int64(k)
				}
			}()
		}
	}()
	return ln.Addr().String()
}
