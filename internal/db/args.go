package db

import "strings"

// Args collects a statement's arguments in the order their placeholders are
// written, for statements built piece by piece (optional filters, IN lists).
// Each Add is one placeholder: "$n" on PostgreSQL, a positional "?" on SQLite
// (see Arg); a value used twice is added twice.
type Args struct {
	d    *DB
	list []any
}

// NewArgs starts an empty argument list for a statement of d.
func (d *DB) NewArgs() *Args { return &Args{d: d} }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.list = append(a.list, v)
	return a.d.Arg(len(a.list))
}

// In appends vals and returns their placeholders, comma-separated, for an
// IN list.
func (a *Args) In(vals ...any) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = a.Add(v)
	}
	return strings.Join(ph, ", ")
}

// List is the arguments, in placeholder order.
func (a *Args) List() []any { return a.list }
