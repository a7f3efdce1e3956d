package engine_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/internal/studytest"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

const studyDir = "../testdata/studies/consultations"

func compileStudy(t *testing.T) *engine.Query {
	t.Helper()
	def := studytest.Definition(t, studytest.Dataset)
	q, err := engine.CompileDataset(def.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestStoreMatchesDummyTables runs the study on a DuckDB store built from its
// dummy tables and on the tables themselves: the outputs must be identical.
func TestStoreMatchesDummyTables(t *testing.T) {
	ctx := context.Background()
	q := compileStudy(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "store.duckdb")
	db, err := sql.Open("duckdb", store)
	if err != nil {
		t.Fatal(err)
	}
	if err := source.LoadCSVDir(ctx, db, studyDir+"/dummy_tables", q.Tables); err != nil {
		t.Fatal(err)
	}
	db.Close()

	run := func(s *engine.Session, name string) []byte {
		t.Helper()
		defer s.Close()
		out := filepath.Join(dir, name)
		if _, err := q.Run(ctx, s, out, nil); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	s, err := engine.OpenStore(ctx, store, q.Tables, engine.Options{Threads: 1, MemoryLimit: "1GB"})
	if err != nil {
		t.Fatal(err)
	}
	fromStore := run(s, "store.csv")
	s, err = engine.OpenCSVTables(ctx, studyDir+"/dummy_tables", q.Tables, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromCSV := run(s, "csv.csv")
	if string(fromStore) != string(fromCSV) {
		t.Error("store and dummy tables give different datasets")
	}
	if n := strings.Count(string(fromStore), "\n"); n != 5001 {
		t.Errorf("%d lines, want 5001", n)
	}
}

func TestStoreErrors(t *testing.T) {
	ctx := context.Background()
	q := compileStudy(t)
	dir := t.TempDir()
	if _, err := engine.OpenStore(ctx, filepath.Join(dir, "missing.duckdb"), q.Tables, engine.Options{}); err == nil ||
		!strings.Contains(err.Error(), "missing.duckdb") {
		t.Errorf("missing store: %v", err)
	}
	empty := filepath.Join(dir, "empty.duckdb")
	db, err := sql.Open("duckdb", empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE patients (patient_id BIGINT, sex VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = engine.OpenStore(ctx, empty, q.Tables, engine.Options{})
	if err == nil || !strings.Contains(err.Error(), "table 'addresses': the store has no such table") {
		t.Errorf("store without tables: %v", err)
	}
}

func TestPermissions(t *testing.T) {
	appts := tables.TPP("appointments")
	pats := tables.Core("patients")
	cases := []struct {
		name    string
		claimed []string
		env     string
		dummy   bool
		wantErr string
	}{
		{"dummy unclaimed", nil, "", true, `ClaimPermissions("appointments")`},
		{"dummy claimed", []string{"appointments"}, "", true, ""},
		{"real, claims do not grant", []string{"appointments"}, "", false, "access: appointments"},
		{"real granted", nil, `["appointments"]`, false, ""},
		{"real, bad env", nil, `appointments`, false, "JSON list"},
	}
	for _, c := range cases {
		err := engine.CheckPermissions([]*model.Table{pats, appts}, c.claimed, c.env, c.dummy)
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.wantErr)
		}
	}
}
