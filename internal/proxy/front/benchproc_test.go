//go:build linux

package front

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// startBenchFront runs the front in a child process (this test binary),
// so that it has its own runtime and CPU account like the other proxies.
func startBenchFront(t *testing.T) (socksAddr, httpAddr string, pgid int) {
	args := []string{os.Args[0], "-test.run=^TestProxyBenchmark$"}
	if w := os.Getenv("MDNHUB_BENCH_WRAP"); w != "" {
		args = append([]string{w}, args...) // e.g. a script running strace or perf
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), benchChildEnv+"=1")
	// Its own process group, for CPU accounting; it dies with the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // the child closes the front and exits at EOF
		cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for (socksAddr == "" || httpAddr == "") && sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "SOCKS "); ok {
			socksAddr = a
		}
		if a, ok := strings.CutPrefix(sc.Text(), "HTTP "); ok {
			httpAddr = a
		}
	}
	if socksAddr == "" || httpAddr == "" {
		t.Fatal("the front child did not start")
	}
	go io.Copy(io.Discard, stdout)
	return socksAddr, httpAddr, cmd.Process.Pid
}

// runBenchFront is the child: a front with direct egress, until stdin
// closes. The in-memory Authenticator stands for the domain's cache.
// MDNHUB_BENCH_CPUPROFILE and MDNHUB_BENCH_MEMPROFILE name files for
// its CPU and allocation profiles.
func runBenchFront(t *testing.T) {
	auth := newFakeAuth()
	auth.set(benchUser, benchPass, Lease{RentalID: 1, Port: "50001", Upstream: "direct"})
	f := New(auth, Options{AllowPrivate: true, MaxConnsPerRental: 4096}, nil, prometheus.NewRegistry())
	if path := os.Getenv("MDNHUB_BENCH_CPUPROFILE"); path != "" {
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(out)
		defer func() { pprof.StopCPUProfile(); out.Close() }()
	}
	memProfile := os.Getenv("MDNHUB_BENCH_MEMPROFILE")
	if memProfile != "" {
		runtime.MemProfileRate = 4096
	}
	sl, err1 := Listen(context.Background(), "127.0.0.1:0")
	hl, err2 := Listen(context.Background(), "127.0.0.1:0")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	go f.ServeSOCKS(sl)
	go f.ServeHTTPProxy(hl)
	fmt.Printf("SOCKS %s\nHTTP %s\n", sl.Addr(), hl.Addr())
	io.Copy(io.Discard, os.Stdin)
	f.Close()
	if memProfile != "" {
		if out, err := os.Create(memProfile); err == nil {
			pprof.Lookup("allocs").WriteTo(out, 0)
			out.Close()
		}
	}
}

// groupCPU is the CPU time (user and system) used so far by the live
// processes of a process group; 0 for pgid 0.
func groupCPU(pgid int) time.Duration {
	if pgid == 0 {
		return 0
	}
	dirs, _ := os.ReadDir("/proc")
	var ticks int64
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses:
		// state ppid pgrp ... utime (12th) stime (13th).
		i := bytes.LastIndexByte(stat, ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 || f[2] != strconv.Itoa(pgid) {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

// benchSOCKS opens a SOCKS5 CONNECT to target (an IPv4 host:port) with
// username/password, one step per round trip as RFC 1928 has it.
func benchSOCKS(proxyAddr, target string) (net.Conn, error) {
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (net.Conn, error) { c.Close(); return nil, err }
	buf := make([]byte, 10)
	if _, err := c.Write([]byte{5, 1, 2}); err != nil {
		return fail(err)
	}
	if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[1] != 2 {
		return fail(fmt.Errorf("method %v: %v", buf[:2], err))
	}
	auth := append(append(append([]byte{1, byte(len(benchUser))}, benchUser...), byte(len(benchPass))), benchPass...)
	if _, err := c.Write(auth); err != nil {
		return fail(err)
	}
	if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[1] != 0 {
		return fail(fmt.Errorf("auth %v: %v", buf[:2], err))
	}
	ta, err := net.ResolveTCPAddr("tcp", target)
	if err != nil {
		return fail(err)
	}
	req := append(append([]byte{5, 1, 0, 1}, ta.IP.To4()...), byte(ta.Port>>8), byte(ta.Port))
	if _, err := c.Write(req); err != nil {
		return fail(err)
	}
	if _, err := io.ReadFull(c, buf[:10]); err != nil || buf[1] != 0 || buf[3] != 1 {
		return fail(fmt.Errorf("connect %v: %v", buf, err))
	}
	return c, nil
}

// benchCONNECT opens an HTTP CONNECT tunnel with Basic auth.
func benchCONNECT(proxyAddr, target string) (net.Conn, error) {
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		return nil, err
	}
	cred := base64.StdEncoding.EncodeToString([]byte(benchUser + ":" + benchPass))
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + cred + "\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	// Read the answer without reading past it.
	var head []byte
	buf := make([]byte, 512)
	for !bytes.Contains(head, []byte("\r\n\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("CONNECT answer %q: %w", head, err)
		}
		head = append(head, buf[:n]...)
	}
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 200")) && !bytes.HasPrefix(head, []byte("HTTP/1.0 200")) {
		c.Close()
		return nil, fmt.Errorf("CONNECT answer %q", head)
	}
	return c, nil
}

// freePort picks a loopback address for a server that cannot be handed a
// listener.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startDaemon runs a proxy in the foreground in its own process group and
// waits for addr to accept; the group is ended with the test (and the
// daemon killed should the test process die first).
func startDaemon(t *testing.T, addr, name string, args ...string) (pgid int, err error) {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pgid = cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(-pgid, syscall.SIGTERM)
		cmd.Wait()
	})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return pgid, nil
		}
	}
	return 0, fmt.Errorf("%s did not start: %s", name, out.String())
}

// lookBin finds a daemon on PATH or in its Debian location.
func lookBin(name, debian string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return exec.LookPath(debian)
}

// startDante runs danted with username authentication, which checks the
// system password database: it creates (and later deletes) a throwaway
// system user for that, with Debian's default SHA-512 crypt password.
func startDante(t *testing.T, dir, originIP string) (string, int, error) {
	bin, err := lookBin("danted", "/usr/sbin/danted")
	if err != nil {
		return "", 0, errors.New("danted not installed (apt-get install -y dante-server)")
	}
	if os.Geteuid() != 0 {
		return "", 0, errors.New("not root: cannot create the throwaway user")
	}
	// The name is the benchmark's own: a user left by an interrupted run
	// is reused, and deleted at the end either way.
	if err := exec.Command("id", benchUser).Run(); err != nil {
		if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", benchUser).CombinedOutput(); err != nil {
			return "", 0, fmt.Errorf("useradd: %v %s", err, out)
		}
	}
	t.Cleanup(func() { exec.Command("userdel", benchUser).Run() })
	chpasswd := exec.Command("chpasswd", "-c", "SHA512")
	chpasswd.Stdin = strings.NewReader(benchUser + ":" + benchPass + "\n")
	if out, err := chpasswd.CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("chpasswd: %v %s", err, out)
	}
	addr := freePort(t)
	host, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(dir, "danted.conf")
	body := fmt.Sprintf(danteConf, filepath.Join(dir, "danted.log"), host, port, originIP)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		return "", 0, err
	}
	pg, err := startDaemon(t, addr, bin, "-f", conf, "-p", filepath.Join(dir, "danted.pid"))
	return addr, pg, err
}

// danteConf: %s log file, %s %s internal address and port, %s external
// (egress) address.
const danteConf = `logoutput: %s
internal: %s port = %s
external: %s
socksmethod: username
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
	from: 127.0.0.0/8 to: 0.0.0.0/0
	log: error
}
socks pass {
	from: 127.0.0.0/8 to: 127.0.0.0/8
	command: connect
	socksmethod: username
	log: error
}
`

// startTinyproxy runs tinyproxy with BasicAuth and CONNECT allowed to the
// origin's port only.
func startTinyproxy(t *testing.T, dir, originPort string) (string, int, error) {
	bin, err := lookBin("tinyproxy", "/usr/bin/tinyproxy")
	if err != nil {
		return "", 0, errors.New("tinyproxy not installed (apt-get install -y tinyproxy)")
	}
	addr := freePort(t)
	host, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(dir, "tinyproxy.conf")
	user := "User nobody\nGroup nogroup\n"
	if os.Geteuid() != 0 {
		user = ""
	}
	body := fmt.Sprintf(tinyproxyConf, user, port, host, filepath.Join(dir, "tinyproxy.log"),
		filepath.Join(dir, "tinyproxy.pid"), benchUser, benchPass, originPort)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		return "", 0, err
	}
	pg, err := startDaemon(t, addr, bin, "-d", "-c", conf)
	return addr, pg, err
}

// tinyproxyConf: %s user lines, %s port, %s listen address, %s log file,
// %s pid file, %s %s BasicAuth, %s ConnectPort.
const tinyproxyConf = `%sPort %s
Listen %s
Timeout 600
MaxClients 1024
LogLevel Error
LogFile "%s"
PidFile "%s"
Allow 127.0.0.1
BasicAuth %s %s
ConnectPort %s
DisableViaHeader Yes
`
