package db

import (
	"context"
	"database/sql/driver"
	"reflect"

	"modernc.org/sqlite"
)

// SQLite compiles a statement each time it runs one given as text, and
// compiling costs more than running the small statements mdnhub is made of
// (a primary-key read took 50 µs compiled afresh and 5 µs prepared). Every
// SQLite connection therefore keeps its statements prepared, by their text:
// a statement's first run compiles it, later runs bind new arguments. A
// statement still being read (its rows open) when the same text runs again
// is not shared: that run compiles its own. PostgreSQL needs none of this:
// pgx prepares and caches statements per connection itself.

// stmtCacheSize bounds the statements one connection keeps.
const stmtCacheSize = 512

// cachingConnector opens SQLite connections that keep their statements.
type cachingConnector struct {
	driver.Connector
	rec *recorder
}

func newCachingConnector(dsn string, rec *recorder) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return cachingConnector{base, rec}, nil
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}, rec: c.rec}, nil
}

// The optional interfaces of the driver's connections, all forwarded.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is a connection with its prepared statements. database/sql
// uses a connection from one goroutine at a time, so the map needs no lock.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
	rec   *recorder // every statement run, for RecordStatements
}

type cachedStmt struct {
	stmt driver.Stmt
	busy bool // its rows are open
	// evicted: closed as soon as its rows are.
	evicted bool
}

func (c *cachingConn) Unwrap() driver.Conn { return c.Conn }

func (c *cachingConn) base() sqliteConn {
	if b, ok := c.Conn.(sqliteConn); ok {
		return b
	}
	panic("db: the SQLite driver's connection lacks an interface it used to have")
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.base().BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.base().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &recordedStmt{Stmt: st, query: query, rec: c.rec}, nil
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.base().Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error { return c.base().ResetSession(ctx) }

func (c *cachingConn) IsValid() bool { return c.base().IsValid() }

func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.stmt.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

// get returns the connection's idle prepared statement for query, preparing
// it on first use; nil when the statement is busy.
func (c *cachingConn) get(ctx context.Context, query string) (*cachedStmt, error) {
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	st, err := c.base().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) >= stmtCacheSize {
		for q, old := range c.stmts {
			delete(c.stmts, q)
			if old.busy {
				old.evicted = true
			} else {
				old.stmt.Close()
			}
			break
		}
	}
	s := &cachedStmt{stmt: st}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.rec.named(query, args)
	s, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.base().ExecContext(ctx, query, args)
	}
	s.busy = true
	defer func() { s.busy = false }()
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.rec.named(query, args)
	s, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.base().QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, s: s}, nil
}

// cachedRows frees its statement for the next run when closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.s != nil {
		r.s.busy = false
		if r.s.evicted {
			r.s.stmt.Close()
		}
		r.s = nil
	}
	return err
}

// The column type interfaces of the driver's rows, forwarded.

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
