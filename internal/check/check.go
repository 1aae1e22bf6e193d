// Package check verifies mdnhub's invariants on a database: the promises
// about money, numbers, messages and durable work that must hold after any
// sequence of calls, faults and crashes. `mdnhub check` runs it for
// operators; the model and crash tests run it after every step.
//
// It reads one consistent snapshot and owns its SQL, which looks across
// every domain's tables on purpose: each invariant ties several of them.
package check

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"mdnhub/internal/db"
)

// Report is the outcome of a check.
type Report struct {
	// Checked counts the rows each invariant looked at, by invariant.
	Checked map[string]int
	// Violations are the broken promises, each naming its invariant and rows.
	Violations []string
}

// OK reports whether every invariant held.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Err is nil when every invariant held, else an error listing the
// violations.
func (r Report) Err() error {
	if r.OK() {
		return nil
	}
	return fmt.Errorf("%d invariant violations:\n  %s", len(r.Violations), strings.Join(r.Violations, "\n  "))
}

// String summarises the report.
func (r Report) String() string {
	names := make([]string, 0, len(r.Checked))
	for n := range r.Checked {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%-10s %d rows checked\n", n, r.Checked[n])
	}
	if r.OK() {
		b.WriteString("every invariant holds\n")
	} else {
		fmt.Fprintf(&b, "%d violations:\n", len(r.Violations))
		for _, v := range r.Violations {
			b.WriteString("  " + v + "\n")
		}
	}
	return b.String()
}

// Options tune a check.
type Options struct {
	// Now is the present, for what is due (the clock of the app checked).
	Now time.Time
	// Dialect is the engine checked (Run sets it).
	Dialect db.Dialect
	// SendGrace is how long past its deadline an outbound SMS may stay
	// 'sending' before that is a violation (its reconciliation job runs
	// then).
	SendGrace time.Duration
}

// invariant is one check inside the snapshot.
type invariant struct {
	name string
	run  func(ctx context.Context, tx *sql.Tx, o Options, r *Report) error
}

var invariants = []invariant{
	{"ledger", checkLedger},
	{"holders", checkHolders},
	{"refunds", checkRefunds},
	{"messages", checkMessages},
	{"jobs", checkJobs},
	{"outbound", checkOutbound},
}

// Run checks every invariant on one snapshot of d.
func Run(ctx context.Context, d *db.DB, o Options) (Report, error) {
	var r Report
	o.Dialect = d.Dialect
	err := d.Snapshot(ctx, func(tx *sql.Tx) (err error) {
		r, err = RunTx(ctx, tx, o)
		return err
	})
	return r, err
}

// RunTx checks every invariant on what tx sees.
func RunTx(ctx context.Context, tx *sql.Tx, o Options) (Report, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	r := Report{Checked: map[string]int{}}
	for _, inv := range invariants {
		if err := inv.run(ctx, tx, o, &r); err != nil {
			return r, fmt.Errorf("check %s: %w", inv.name, err)
		}
	}
	return r, nil
}

func (r *Report) violate(invariant, format string, args ...any) {
	r.Violations = append(r.Violations, invariant+": "+fmt.Sprintf(format, args...))
}

// each runs query and calls row for every row, counting them for name.
func each(ctx context.Context, tx *sql.Tx, r *Report, name, query string, row func(scan func(...any) error) error, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r.Checked[name]++
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
