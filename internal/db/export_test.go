package db

// SilencePublisher makes d's publisher behave like a process that died
// after its last commit: what it holds is dropped and its heartbeat stops.
func SilencePublisher(d *DB) { d.pub.dead.Store(true) }
