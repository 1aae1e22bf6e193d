package db_test

// The migration trees of the two engines are deliberate near-copies; this
// test keeps them true. It migrates a SQLite and a PostgreSQL database and
// compares what the application relies on: tables, columns with their type
// family, nullability and literal defaults, indexes (unique or not, columns,
// partial or not), foreign keys and the number of CHECK constraints. River's
// tables are River's own and are left out.

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"mdnhub/internal/db"
	"mdnhub/internal/db/dbtest"
)

// schema is a database's shape as lines that read the same on both engines.
type schema map[string][]string // table → sorted facts

func TestMigrationParity(t *testing.T) {
	ctx := context.Background()
	lite, pg := dbtest.SQLite(t), dbtest.Postgres(t)
	a, err := sqliteSchema(ctx, lite.R)
	if err != nil {
		t.Fatal(err)
	}
	b, err := postgresSchema(ctx, pg.R)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 10 {
		t.Fatalf("only %d tables found on SQLite: %v", len(a), a)
	}
	if d := diffSchemas(a, b); d != "" {
		t.Fatalf("the SQLite and PostgreSQL migrations differ (- SQLite only, + PostgreSQL only):\n%s", d)
	}

	// The test's own negative case: a column, an index and a CHECK added
	// to one tree only are each reported.
	for _, change := range []struct{ sql, want string }{
		{`ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT ''`, "- users: column nickname text not null default ''"},
		{`CREATE INDEX users_created ON users (created_at)`, "- users: index users_created (created_at)"},
		{`ALTER TABLE numbers ADD COLUMN tier BIGINT CHECK (tier > 0)`, "- numbers: 1 check constraints"},
	} {
		extra := dbtest.SQLite(t)
		if _, err := extra.W.ExecContext(ctx, change.sql); err != nil {
			t.Fatal(err)
		}
		a, err := sqliteSchema(ctx, extra.R)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffSchemas(a, b); !strings.Contains(d, change.want) {
			t.Errorf("after %q the difference reads:\n%s\nwant a line %q", change.sql, d, change.want)
		}
	}
}

// diffSchemas lists the facts found on one side only.
func diffSchemas(a, b schema) string {
	var out []string
	tables := map[string]bool{}
	for t := range a {
		tables[t] = true
	}
	for t := range b {
		tables[t] = true
	}
	for t := range tables {
		for _, f := range a[t] {
			if !slices.Contains(b[t], f) {
				out = append(out, "- "+t+": "+f)
			}
		}
		for _, f := range b[t] {
			if !slices.Contains(a[t], f) {
				out = append(out, "+ "+t+": "+f)
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// typeFamily maps the engines' column types to one word.
func typeFamily(t string) string {
	t = strings.ToLower(t)
	switch {
	case strings.Contains(t, "int"), strings.Contains(t, "serial"):
		return "int"
	case strings.Contains(t, "bool"):
		return "bool"
	case strings.Contains(t, "char"), strings.Contains(t, "text"):
		return "text"
	case strings.Contains(t, "double"), strings.Contains(t, "real"), strings.Contains(t, "numeric"):
		return "real"
	case t == "blob", t == "bytea":
		return "bytes"
	}
	return t
}

var castRE = regexp.MustCompile(`::[a-z ]+(\[\])?`)

// defaultValue normalises a literal default; sequences and identities (the
// engines' two ways to number rows) read as "".
func defaultValue(v sql.NullString) string {
	if !v.Valid || strings.Contains(v.String, "nextval(") {
		return ""
	}
	s := strings.ToLower(strings.TrimSpace(castRE.ReplaceAllString(v.String, "")))
	s = strings.Trim(s, "()")
	switch s {
	case "0", "false":
		if s == "0" {
			return " default 0"
		}
		return " default false"
	case "1", "true":
		if s == "1" {
			return " default 1"
		}
		return " default true"
	}
	return " default " + s
}

func column(name, typ string, notNull bool, def sql.NullString) string {
	f := "column " + name + " " + typeFamily(typ)
	if notNull {
		f += " not null"
	}
	return f + defaultValue(def)
}

func index(name string, unique, partial bool, cols []string) string {
	f := "index " + name + " (" + strings.Join(cols, ", ") + ")"
	if unique {
		f = "unique " + f
	}
	if partial {
		f += " partial"
	}
	return f
}

// skipped are the tables that belong to the migration tool or to River.
func skipped(table string) bool {
	return strings.HasPrefix(table, "river_") || strings.HasPrefix(table, "goose_") || strings.HasPrefix(table, "sqlite_")
}

func sqliteSchema(ctx context.Context, q db.Querier) (schema, error) {
	out := schema{}
	var tables []string
	create := map[string]string{}
	rows, err := q.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			rows.Close()
			return nil, err
		}
		if !skipped(name) {
			tables = append(tables, name)
			create[name] = text
		}
	}
	rows.Close()
	for _, t := range tables {
		facts := []string{}
		err := query(ctx, q, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('`+t+`')`, func(scan func(...any) error) error {
			var name, typ string
			var notNull, pk int
			var def sql.NullString
			if err := scan(&name, &typ, &notNull, &def, &pk); err != nil {
				return err
			}
			facts = append(facts, column(name, typ, notNull == 1 || pk > 0, def))
			return nil
		})
		if err != nil {
			return nil, err
		}
		type idx struct {
			name            string
			unique, partial bool
			origin          string
		}
		var idxs []idx
		err = query(ctx, q, `SELECT name, "unique", origin, partial FROM pragma_index_list('`+t+`')`, func(scan func(...any) error) error {
			var i idx
			var unique, partial int
			if err := scan(&i.name, &unique, &i.origin, &partial); err != nil {
				return err
			}
			i.unique, i.partial = unique == 1, partial == 1
			idxs = append(idxs, i)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, i := range idxs {
			var cols []string
			err := query(ctx, q, `SELECT name, "desc" FROM pragma_index_xinfo('`+i.name+`') WHERE key = 1 ORDER BY seqno`, func(scan func(...any) error) error {
				var c string
				var desc int
				if err := scan(&c, &desc); err != nil {
					return err
				}
				if desc == 1 {
					c += " DESC"
				}
				cols = append(cols, c)
				return nil
			})
			if err != nil {
				return nil, err
			}
			switch i.origin {
			case "c":
				facts = append(facts, index(i.name, i.unique, i.partial, cols))
			case "u":
				facts = append(facts, "unique ("+strings.Join(cols, ", ")+")")
			}
		}
		err = query(ctx, q, `SELECT "from", "table" FROM pragma_foreign_key_list('`+t+`')`, func(scan func(...any) error) error {
			var from, to string
			if err := scan(&from, &to); err != nil {
				return err
			}
			facts = append(facts, "foreign key "+from+" → "+to)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if n := strings.Count(strings.ToUpper(create[t]), "CHECK"); n > 0 {
			facts = append(facts, fmt.Sprintf("%d check constraints", n))
		}
		sort.Strings(facts)
		out[t] = facts
	}
	return out, nil
}

var indexColsRE = regexp.MustCompile(`USING \w+ \((.*?)\)( WHERE |$)`)

func postgresSchema(ctx context.Context, q db.Querier) (schema, error) {
	out := schema{}
	err := query(ctx, q, `SELECT table_name, column_name, data_type, is_nullable = 'NO', column_default
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
		func(scan func(...any) error) error {
			var t, name, typ string
			var notNull bool
			var def sql.NullString
			if err := scan(&t, &name, &typ, &notNull, &def); err != nil {
				return err
			}
			if !skipped(t) {
				out[t] = append(out[t], column(name, typ, notNull, def))
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Indexes the tables declare; those behind PRIMARY KEY and UNIQUE
	// constraints are listed as constraints, as SQLite lists them.
	err = query(ctx, q, `SELECT i.tablename, i.indexname, i.indexdef,
		  COALESCE((SELECT c.contype FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace), '')
		FROM pg_indexes i WHERE i.schemaname = current_schema()`,
		func(scan func(...any) error) error {
			var t, name, def, contype string
			if err := scan(&t, &name, &def, &contype); err != nil {
				return err
			}
			if skipped(t) || contype == "p" {
				return nil
			}
			m := indexColsRE.FindStringSubmatch(def)
			if m == nil {
				return fmt.Errorf("index %s: unexpected definition %q", name, def)
			}
			cols := strings.Split(m[1], ", ")
			for i, c := range cols {
				cols[i] = strings.Trim(c, `"`)
			}
			if contype == "u" {
				out[t] = append(out[t], "unique ("+strings.Join(cols, ", ")+")")
				return nil
			}
			out[t] = append(out[t], index(name, strings.HasPrefix(def, "CREATE UNIQUE"), m[2] != "", cols))
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = query(ctx, q, `SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
		FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
		func(scan func(...any) error) error {
			var t, from, to string
			if err := scan(&t, &from, &to); err != nil {
				return err
			}
			if !skipped(t) {
				out[t] = append(out[t], "foreign key "+from+" → "+to)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = query(ctx, q, `SELECT conrelid::regclass::text, COUNT(*) FROM pg_constraint
		WHERE contype = 'c' AND connamespace = current_schema()::regnamespace GROUP BY conrelid`,
		func(scan func(...any) error) error {
			var t string
			var n int
			if err := scan(&t, &n); err != nil {
				return err
			}
			if !skipped(t) {
				out[t] = append(out[t], fmt.Sprintf("%d check constraints", n))
			}
			return nil
		})
	for t := range out {
		sort.Strings(out[t])
	}
	return out, err
}

func query(ctx context.Context, q db.Querier, text string, row func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, text)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
