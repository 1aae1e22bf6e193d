package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// recorder passes the statements a database's connections run to the
// function given to RecordStatements, when there is one. Without one it
// costs an atomic load per statement.
type recorder struct {
	fn atomic.Pointer[func(query string, args []any)]
}

// RecordStatements calls fn with the text and the arguments (a named one
// as an sql.NamedArg, so that they can be given back as they are) of every
// statement that this database's connections run from now on, on both
// engines (on SQLite at the statement cache, on PostgreSQL through pgx's
// query tracer), until stop is called; a later call replaces fn. It is a
// test and diagnostic hook (the query plan test uses it to explain what the
// commands really run): fn is called before the statement runs, on the
// goroutine that runs it, so it must be quick, safe for concurrent use, and
// must not use the database. The statements include transaction control
// (BEGIN, SAVEPOINT, COMMIT) where the driver sends it as a statement.
func (d *DB) RecordStatements(fn func(query string, args []any)) (stop func()) {
	d.rec.fn.Store(&fn)
	return func() { d.rec.fn.CompareAndSwap(&fn, nil) }
}

// named records a statement with the driver's arguments.
func (r *recorder) named(query string, args []driver.NamedValue) {
	if r == nil {
		return
	}
	fn := r.fn.Load()
	if fn == nil {
		return
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
		if a.Name != "" {
			vals[i] = sql.Named(a.Name, a.Value)
		}
	}
	(*fn)(query, vals)
}

// pgTracer is pgx's query tracer of a PostgreSQL database: it sees every
// statement of the pool's connections, whatever called them.
type pgTracer struct{ rec *recorder }

func (t pgTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if fn := t.rec.fn.Load(); fn != nil {
		(*fn)(data.SQL, append([]any(nil), statementArgs(data.Args)...))
	}
	return ctx
}

// statementArgs drops the options that pgx takes before a statement's
// arguments (database/sql's adapter passes the result formats so).
func statementArgs(args []any) []any {
	for len(args) > 0 {
		switch args[0].(type) {
		case pgx.QueryResultFormats, pgx.QueryResultFormatsByOID, pgx.QueryExecMode, pgx.QueryRewriter:
			args = args[1:]
		default:
			return args
		}
	}
	return args
}

func (pgTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// recordedStmt is a statement that database/sql prepared on an SQLite
// connection (the cache keeps its own): its runs are recorded too.
type recordedStmt struct {
	driver.Stmt
	query string
	rec   *recorder
}

func (s *recordedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.rec.named(s.query, args)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *recordedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.rec.named(s.query, args)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
