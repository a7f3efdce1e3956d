package engine

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/engine/store"
	"github.com/ehrql-go/ehrql/query/model"
)

// StoreError reports a patient store that cannot be used: not a DuckDB
// file, or a table the definition reads that breaks its schema.
type StoreError struct {
	Path   string
	Table  string // "" for errors about the whole store
	Column string // "" for errors about a whole table
	Msg    string
}

// Error formats the error as
//
//	patient store s.duckdb: table 'patients', column 'sex': value 'x' is not one of its categories: ...
func (e *StoreError) Error() string {
	var b strings.Builder
	b.WriteString("patient store " + e.Path + ": ")
	if e.Table != "" {
		b.WriteString("table '" + e.Table + "'")
		if e.Column != "" {
			b.WriteString(", column '" + e.Column + "'")
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// checkDuckDBFile refuses a file that is not a DuckDB database, before
// DuckDB is asked to open it. A DuckDB file starts with an 8-byte checksum
// and the magic bytes "DUCK".
func checkDuckDBFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &StoreError{Path: path, Msg: err.Error()}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return &StoreError{Path: path, Msg: "is a directory, not a DuckDB database file (for a folder of CSV dummy tables use --dummy-tables)"}
	}
	head := make([]byte, 12)
	if _, err := io.ReadFull(f, head); err != nil || string(head[8:12]) != "DUCK" {
		return &StoreError{Path: path, Msg: "is not a DuckDB database file; --database takes a patient store made by `ehrql store import` or `ehrql store synthesize` (for CSV dummy tables use --dummy-tables DIR)"}
	}
	return nil
}

// storeTypes are the DuckDB column types a store may use for each kind of
// column: the type engine/source creates, and narrower types that hold
// the same values (read as the engine's types: widenStore).
var storeTypes = map[model.Kind][]string{
	model.KindBool:      {"BOOLEAN"},
	model.KindInt:       {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT"},
	model.KindFloat:     {"DOUBLE", "FLOAT"},
	model.KindDate:      {"DATE"},
	model.KindStr:       {"VARCHAR"},
	model.KindCode:      {"VARCHAR"},
	model.KindMultiCode: {"VARCHAR"},
}

// checkStore checks the tables the definition reads against their schemas:
// every table and column exists with a type that holds the column's
// values; and, unless the store's manifest says the table was checked when
// the store was built, that a patient-level table has at most one row per
// patient and that categorical columns hold only their categories.
func checkStore(ctx context.Context, conn *sql.Conn, path string, tables []*model.Table) error {
	types := map[string]map[string]string{} // table -> column -> DuckDB type
	rows, err := conn.QueryContext(ctx, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main'")
	if err != nil {
		return fmt.Errorf("patient store %s: listing its tables: %w", path, err)
	}
	for rows.Next() {
		var t, c, typ string
		if err := rows.Scan(&t, &c, &typ); err != nil {
			rows.Close()
			return fmt.Errorf("patient store %s: listing its tables: %w", path, err)
		}
		if types[t] == nil {
			types[t] = map[string]string{}
		}
		types[t][c] = typ
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("patient store %s: listing its tables: %w", path, err)
	}
	for _, t := range tables {
		if types[t.Name] == nil {
			return &StoreError{Path: path, Table: t.Name, Msg: "the store has no such table"}
		}
	}
	for _, t := range tables {
		cols := append([]model.Column{{Name: "patient_id", Type: model.Int}}, t.Columns...)
		for _, c := range cols {
			typ, ok := types[t.Name][c.Name]
			if !ok {
				return &StoreError{Path: path, Table: t.Name, Column: c.Name, Msg: "the store has no such column"}
			}
			if !slices.Contains(storeTypes[c.Type.Kind], typ) {
				return &StoreError{Path: path, Table: t.Name, Column: c.Name,
					Msg: fmt.Sprintf("the store's type is %s, but the column is %s (%s)", typ, c.Type.Name(), source.SQLType(c.Type))}
			}
		}
	}
	m, ok, err := store.ReadManifest(ctx, conn)
	if err != nil {
		return fmt.Errorf("patient store %s: %w", path, err)
	}
	for _, t := range tables {
		if ok && t.Module == m.Module && slices.Contains(m.Checked, t.Name) {
			continue
		}
		if err := checkTableData(ctx, conn, path, t); err != nil {
			return err
		}
	}
	return nil
}

// checkTableData checks a table's rows: one per patient in a patient-level
// table, categorical columns within their categories.
func checkTableData(ctx context.Context, conn *sql.Conn, path string, t *model.Table) error {
	tbl := sqlname.TableRef(t)
	if t.PatientLevel {
		var pid, n int64
		err := conn.QueryRowContext(ctx, "SELECT patient_id, count(*) FROM "+tbl+" GROUP BY patient_id HAVING count(*) > 1 ORDER BY patient_id LIMIT 1").Scan(&pid, &n)
		switch {
		case err == nil:
			return &StoreError{Path: path, Table: t.Name, Column: "patient_id",
				Msg: fmt.Sprintf("patient %d has %d rows, but the table has at most one row per patient", pid, n)}
		case err != sql.ErrNoRows:
			return fmt.Errorf("patient store %s: checking table %s: %w", path, t.Name, err)
		}
	}
	for _, c := range t.Columns {
		cats, ok := c.Categories()
		if !ok {
			continue
		}
		lits := make([]string, len(cats))
		for i, l := range cats {
			lits[i] = sqlname.Literal(l)
		}
		col := sqlname.Ident(c.Name)
		var bad string
		err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT CAST(%s AS VARCHAR) FROM %s WHERE %s IS NOT NULL AND %s NOT IN (%s) LIMIT 1",
			col, tbl, col, col, strings.Join(lits, ", "))).Scan(&bad)
		switch {
		case err == nil:
			shown := make([]string, len(cats))
			for i, l := range cats {
				shown[i] = l.String()
			}
			return &StoreError{Path: path, Table: t.Name, Column: c.Name,
				Msg: fmt.Sprintf("value '%s' is not one of its categories: %s", bad, strings.Join(shown, ", "))}
		case err != sql.ErrNoRows:
			return fmt.Errorf("patient store %s: checking table %s, column %s: %w", path, t.Name, c.Name, err)
		}
	}
	return nil
}
