package front

import "time"

// workerIdle is how long a worker goroutine waits for its next task
// before it exits.
const workerIdle = 10 * time.Second

// workers runs connection handlers and tunnel copies on goroutines that
// are kept for the next task: their stacks have already grown to what a
// connection needs (dialling goes deep), so the next one is spared the
// stack copying a fresh goroutine goes through (an eighth of the front's
// user CPU time in the set-up benchmark).
type workers struct {
	tasks chan func()
	done  <-chan struct{} // closed when the front closes: idle workers exit
}

func newWorkers(done <-chan struct{}) *workers {
	return &workers{tasks: make(chan func()), done: done}
}

// run runs task on an idle worker, or on a new one.
func (w *workers) run(task func()) {
	select {
	case w.tasks <- task:
	default:
		go w.loop(task)
	}
}

func (w *workers) loop(task func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		task()
		task = nil // let it go while waiting
		idle.Reset(workerIdle)
		select {
		case task = <-w.tasks:
		case <-idle.C:
			return
		case <-w.done:
			return
		}
	}
}
