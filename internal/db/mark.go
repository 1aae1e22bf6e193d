package db

import (
	"os"
	"sync"
	"sync/atomic"
)

// CommitMark is a value that changes whenever a transaction commits to the
// database, by any connection of any process: on SQLite, the header of the
// WAL index (the -shm file, shared memory that every connection maps and
// that each commit rewrites: its change counter, frame count, salts and
// checksum). Reading it is one pread of 48 bytes, without any lock; a read
// torn by a commit in progress differs from both states, which only costs
// the caller one more look. Callers compare marks to skip a read of
// something that cannot have changed (account's auth_epoch).
type CommitMark [48]byte

// shmMark reads the mark of an SQLite database.
type shmMark struct {
	path string
	mu   sync.Mutex
	f    atomic.Pointer[os.File]
}

// CommitMark returns the present mark; ok is false where there is none
// (PostgreSQL, or the -shm file cannot be read yet), and the caller must
// look.
func (d *DB) CommitMark() (m CommitMark, ok bool) {
	if d.mark == nil {
		return m, false
	}
	f := d.mark.file()
	if f == nil {
		return m, false
	}
	n, err := f.ReadAt(m[:], 0)
	return m, err == nil && n == len(m)
}

// file opens the -shm file once it exists (SQLite makes it with the first
// connection that reads the WAL, which may come after the first call) and
// keeps it open until close.
func (s *shmMark) file() *os.File {
	if f := s.f.Load(); f != nil {
		return f
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.f.Load(); f != nil {
		return f
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil
	}
	s.f.Store(f)
	return f
}

func (s *shmMark) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.f.Swap(nil); f != nil {
		f.Close()
	}
}
