package api

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"mdnhub/internal/db"
)

// An outage fails every call alike: it is logged once per interval, with
// the count, not once per call.
func TestOutageLoggedNowAndThen(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	o := db.OutageLog{Endpoint: "api"}
	for range 500 {
		o.Note(log, "balance", db.ErrUnavailable)
	}
	if n := strings.Count(buf.String(), "api calls failing: the database is unavailable"); n != 1 {
		t.Fatalf("%d log lines for 500 failed calls:\n%s", n, buf.String())
	}
	if text, internal := errorText(errors.Join(errors.New("dial tcp: connection refused"), db.ErrUnavailable)); !internal || text != textUnavailable {
		t.Fatalf("outage text %q %v", text, internal)
	}
}
