package db

import (
	"os"
	"sync"
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
	once sync.Once
	f    *os.File
}

// CommitMark returns the present mark; ok is false where there is none
// (PostgreSQL, or the -shm file cannot be read), and the caller must look.
func (d *DB) CommitMark() (m CommitMark, ok bool) {
	if d.mark == nil {
		return m, false
	}
	d.mark.once.Do(func() {
		// The file exists from the writer's first connection on, which
		// Open made, and lives as long as any connection is open: the
		// writer stays open until Close.
		d.mark.f, _ = os.Open(d.mark.path)
	})
	if d.mark.f == nil {
		return m, false
	}
	n, err := d.mark.f.ReadAt(m[:], 0)
	return m, err == nil && n == len(m)
}

func (s *shmMark) close() {
	if s != nil && s.f != nil {
		s.f.Close()
	}
}
