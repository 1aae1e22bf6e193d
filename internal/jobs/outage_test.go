package jobs

import (
	"errors"
	"fmt"
	"testing"

	"github.com/riverqueue/river"

	"mdnhub/internal/db"
)

// A job that meets an unavailable database runs again in a few seconds,
// without using an attempt; other errors are River's to retry.
func TestOutageSnoozes(t *testing.T) {
	var snooze *river.JobSnoozeError
	if err := outageSnooze(fmt.Errorf("expire: %w", db.ErrUnavailable)); !errors.As(err, &snooze) || snooze.Duration != outageRetry {
		t.Fatalf("outage: %v", err)
	}
	plain := errors.New("boom")
	if err := outageSnooze(plain); err != plain {
		t.Fatalf("other error: %v", err)
	}
	if err := outageSnooze(nil); err != nil {
		t.Fatalf("nil: %v", err)
	}
}
