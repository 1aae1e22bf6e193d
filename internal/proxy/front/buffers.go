package front

import "sync"

// Copy buffers come in classes of 16 KiB, 64 KiB, 256 KiB, 1 MiB and
// 4 MiB. A direction starts small and grows while its reads fill the
// buffer: a bulk transfer soon moves 4 MiB per system call, which on
// loopback measured faster than splice(2) (see docs/performance.md),
// while interactive traffic stays on small buffers.
const (
	bufClasses   = 5
	minBufShift  = 14 // 16 KiB
	bufClassStep = 2  // ×4 per class
)

var bufPools [bufClasses]sync.Pool

// getBuf returns a buffer of the class; putBuf gives it back. Buffers are
// held only while bytes move, never while a tunnel waits for data, so
// idle tunnels cost no buffer memory.
func getBuf(class int) *[]byte {
	if b, ok := bufPools[class].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 1<<(minBufShift+bufClassStep*class))
	return &b
}

func putBuf(class int, b *[]byte) { bufPools[class].Put(b) }

// nextClass adapts the buffer class to the last read: a full buffer
// grows it, a read using under a sixteenth shrinks it.
func nextClass(class, n, size int) int {
	switch {
	case n == size && class < bufClasses-1:
		return class + 1
	case n < size/16 && class > 0:
		return class - 1
	}
	return class
}
