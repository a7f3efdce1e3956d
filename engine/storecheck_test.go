package engine_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// checkedTable is a user-defined patient-level table with an int column
// and a categorical str column.
var checkedTable = &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{
	{Name: "i", Type: model.Int},
	{Name: "s", Type: model.Str, Constraints: []model.Constraint{model.Categorical{Values: []model.Literal{model.StrLit("a"), model.StrLit("b")}}}},
}}

// checkedQuery selects pt's two columns.
func checkedQuery(t *testing.T) *engine.Query {
	t.Helper()
	frame, err := model.SelectTable(checkedTable)
	if err != nil {
		t.Fatal(err)
	}
	i, _ := model.SelectColumn(frame, "i")
	s, _ := model.SelectColumn(frame, "s")
	pop, _ := model.Aggregate(model.OpExists, frame)
	q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: []model.Variable{{Name: "i", Series: i}, {Name: "s", Series: s}}})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// makeStore writes a DuckDB file by hand, running stmts.
func makeStore(t *testing.T, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestOpenStoreChecks: a store not built by this engine is checked when
// opened against the schemas of the tables the definition reads; each
// error names the table and the column.
func TestOpenStoreChecks(t *testing.T) {
	q := checkedQuery(t)
	const create = "CREATE TABLE pt (patient_id BIGINT NOT NULL, i BIGINT, s VARCHAR)"
	cases := []struct {
		name  string
		stmts []string
		want  string // "" for a store that opens
	}{
		{"good", []string{create, "INSERT INTO pt VALUES (1, 1, 'a'), (2, NULL, NULL)"}, ""},
		{"duplicate patient", []string{create, "INSERT INTO pt VALUES (1, 1, 'a'), (2, 2, 'b'), (2, 3, 'a')"},
			"table 'pt', column 'patient_id': patient 2 has 2 rows, but the table has at most one row per patient"},
		{"double for int", []string{"CREATE TABLE pt (patient_id BIGINT, i DOUBLE, s VARCHAR)", "INSERT INTO pt VALUES (1, 1.5, 'a')"},
			"table 'pt', column 'i': the store's type is DOUBLE, but the column is int (BIGINT)"},
		{"value outside categories", []string{create, "INSERT INTO pt VALUES (1, 1, 'a'), (2, 2, 'zz')"},
			"table 'pt', column 's': value 'zz' is not one of its categories: \"a\", \"b\""},
		{"missing column", []string{"CREATE TABLE pt (patient_id BIGINT, i BIGINT)"},
			"table 'pt', column 's': the store has no such column"},
		{"missing patient_id", []string{"CREATE TABLE pt (pid BIGINT, i BIGINT, s VARCHAR)"},
			"table 'pt', column 'patient_id': the store has no such column"},
		{"missing table", []string{"CREATE TABLE other (patient_id BIGINT)"},
			"table 'pt': the store has no such table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := makeStore(t, c.stmts...)
			s, err := engine.OpenStore(context.Background(), path, q.Tables, engine.Options{Threads: 1})
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return
			}
			var se *engine.StoreError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("got %v\nwant a StoreError naming %s and saying %q", err, path, c.want)
			}
		})
	}
}

// TestOpenStoreTrustsManifest: the tables a store's manifest lists as
// checked at build time are not checked again.
func TestOpenStoreTrustsManifest(t *testing.T) {
	q := checkedQuery(t)
	path := makeStore(t, "CREATE TABLE pt (patient_id BIGINT NOT NULL, i BIGINT, s VARCHAR)",
		"INSERT INTO pt VALUES (1, 1, 'a'), (1, 2, 'b')",
		`CREATE TABLE _ehrql_store AS SELECT * FROM (VALUES ('format', '1'), ('built_by', 'test'), ('module', ''), ('checked', 'pt')) t(key, value)`)
	s, err := engine.OpenStore(context.Background(), path, q.Tables, engine.Options{Threads: 1})
	if err != nil {
		t.Fatalf("a store whose manifest lists pt as checked: %v", err)
	}
	s.Close()
}

// TestOpenStoreNotDuckDB: a CSV file given as the store says what it is.
func TestOpenStoreNotDuckDB(t *testing.T) {
	q := checkedQuery(t)
	path := filepath.Join(t.TempDir(), "pt.csv")
	if err := os.WriteFile(path, []byte("patient_id,i,s\n1,1,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := engine.OpenStore(context.Background(), path, q.Tables, engine.Options{})
	var se *engine.StoreError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "is not a DuckDB database file") || !strings.Contains(err.Error(), "--dummy-tables") {
		t.Fatalf("got %v", err)
	}
}
