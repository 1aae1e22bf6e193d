package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needPeer skips the test locally when something it needs is missing, and
// fails it in CI (CI set), where a missing peer must never pass silently.
func needPeer(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set: this test must run)", msg)
	}
	t.Skip(msg)
}

// pgServer is a PostgreSQL server of the test's own, in a temporary folder
// on a free loopback port, which the test may stop and start at will.
type pgServer struct {
	bin, dir, port string
	runas          []string
	DSN            string
}

func findPGBin() string {
	cands := []string{os.Getenv("PG_BIN"), "/usr/lib/postgresql/15/bin"}
	if more, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(more) > 0 {
		cands = append(cands, more...)
	}
	for _, d := range cands {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				return d
			}
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

// startPostgres initialises and starts a fresh server, stopped and removed
// at cleanup. Durability settings are PostgreSQL's defaults (fsync on), so an
// immediate stop is a real crash with recovery at the next start.
func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	bin := findPGBin()
	if bin == "" {
		needPeer(t, "PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BIN")
	}
	dir, err := os.MkdirTemp("", "mdnhub-dbfault-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s := &pgServer{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: run the server as postgres.
		if _, err := exec.LookPath("runuser"); err != nil {
			needPeer(t, "running as root without runuser: cannot start PostgreSQL as another user")
		}
		if out, err := exec.Command("id", "-u", "postgres").Output(); err != nil {
			needPeer(t, "running as root and there is no postgres user to run PostgreSQL as")
		} else {
			uid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
			if err := os.Chown(dir, uid, -1); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s.runas = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		s.pgctl(nil, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	_, port, _ := net.SplitHostPort(freeAddr(t))
	s.port = port
	s.run(t, 60*time.Second, filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--no-sync")
	s.Start(t)
	s.DSN = "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"
	return s
}

func (s *pgServer) run(t *testing.T, limit time.Duration, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	argv := append(append(append([]string(nil), s.runas...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		t.Fatalf("%s %s: %v\n%s\nserver log:\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String(), log)
	}
}

// pgctl runs pg_ctl with args on this server's data folder; t may be nil
// (cleanup), in which case failures are ignored.
func (s *pgServer) pgctl(t *testing.T, args ...string) {
	all := append([]string{"-D", filepath.Join(s.dir, "data"), "-w", "-t", "60"}, args...)
	if t == nil {
		argv := append(append(append([]string(nil), s.runas...), filepath.Join(s.bin, "pg_ctl")), all...)
		exec.Command(argv[0], argv[1:]...).Run()
		return
	}
	t.Helper()
	s.run(t, 90*time.Second, filepath.Join(s.bin, "pg_ctl"), all...)
}

// Start starts the server and waits until it accepts connections.
func (s *pgServer) Start(t *testing.T) {
	t.Helper()
	s.pgctl(t, "-l", filepath.Join(s.dir, "log"),
		"-o", "-h 127.0.0.1 -p "+s.port+" -k "+s.dir+" -c max_connections=100", "start")
}

// Stop stops the server: mode "fast" (clients get admin_shutdown, 57P01) or
// "immediate" (a crash: connections are cut, recovery runs at the next start).
func (s *pgServer) Stop(t *testing.T, mode string) {
	t.Helper()
	s.pgctl(t, "-m", mode, "stop")
}

// mountTmpfs mounts a tmpfs of size bytes on a new folder and unmounts it at
// cleanup. Call it before starting the processes that use it: cleanups run
// last-registered first, so they are gone by the time it is unmounted.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		needPeer(t, "mounting a size-limited filesystem needs root")
	}
	dir, err := os.MkdirTemp("", "mdnhub-dbfault-full-")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0755", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		os.Remove(dir)
		needPeer(t, "cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v: %s; detaching it lazily", dir, err, out)
			exec.Command("umount", "-l", dir).Run()
		}
		os.Remove(dir)
	})
	return dir
}

// fillDisk writes path until the filesystem is full, then gives back keep
// bytes, so that only about keep bytes remain free.
func fillDisk(t *testing.T, path string, keep int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte{0xAB}, 64<<10)
	var n int64
	for {
		w, err := f.Write(chunk)
		n += int64(w)
		if err != nil {
			break
		}
	}
	if n < keep {
		t.Fatalf("filled only %d bytes before the disk was full", n)
	}
	if err := f.Truncate(n - keep); err != nil {
		t.Fatal(err)
	}
	t.Logf("filler %s: %d bytes, about %d left free", filepath.Base(path), n-keep, keep)
}
