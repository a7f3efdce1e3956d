package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/duck"
)

func TestStatements(t *testing.T) {
	cases := []struct {
		name   string
		script string
		want   []string
	}{
		{"empty", "", nil},
		{"comments only", "-- plan: a\n  -- b\n", nil},
		{
			"dump-dataset-sql shape",
			"-- plan: aggs_1: own scan\n\nCREATE MACRO m(x) AS (\n  x + 1);\n\nWITH a AS (\n  SELECT 1 AS v\n)\nSELECT m(v) FROM a\nORDER BY 1;\n",
			[]string{"CREATE MACRO m(x) AS (\n  x + 1)", "WITH a AS (\n  SELECT 1 AS v\n)\nSELECT m(v) FROM a\nORDER BY 1"},
		},
		{"last statement without semicolon", "SELECT 1;\nSELECT 2\n", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon inside a line is not an end", "SELECT ';' AS s;  \n", []string{"SELECT ';' AS s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := statements(c.script); !reflect.DeepEqual(got, c.want) {
				t.Errorf("statements(%q) = %q, want %q", c.script, got, c.want)
			}
		})
	}
}

func TestFormatPeaks(t *testing.T) {
	cases := []struct {
		peaks map[string]int64
		want  string
	}{
		{nil, "no tag above 1 MiB"},
		{map[string]int64{"ORDER_BY": 1<<20 - 1}, "no tag above 1 MiB"},
		{
			map[string]int64{"HASH_TABLE": 65 << 20, "ALLOCATOR": 39<<20 + 5, "BASE_TABLE": 39 << 20, "METADATA": 1000},
			"HASH_TABLE 65, ALLOCATOR 39, BASE_TABLE 39",
		},
	}
	for _, c := range cases {
		if got := formatPeaks(c.peaks); got != c.want {
			t.Errorf("formatPeaks(%v) = %q, want %q", c.peaks, got, c.want)
		}
	}
}

// TestRun runs a script on a store made for the test: the setup statement
// runs, the last statement's rows are counted, and a failing statement is
// reported with its error.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "s.duckdb")
	mk := filepath.Join(dir, "mk.sql")
	if err := os.WriteFile(mk, []byte("CREATE TABLE t AS SELECT range AS patient_id FROM range(10);\nSELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runWritable(store, mk); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok.sql")
	if err := os.WriteFile(ok, []byte("-- plan: x\nCREATE TEMP MACRO two(x) AS (2 * x);\n\nSELECT two(patient_id) FROM t\nWHERE patient_id < 4;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(store, "100MB", 1, "SET preserve_insertion_order = false", ok); err != nil {
		t.Fatalf("run: %v", err)
	}
	bad := filepath.Join(dir, "bad.sql")
	if err := os.WriteFile(bad, []byte("SELECT * FROM missing;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(store, "100MB", 1, "", bad)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("run of a failing query: %v, want an error naming the missing table", err)
	}
}

// runWritable executes the statements of script on a writable database.
func runWritable(db, script string) error {
	text, err := os.ReadFile(script)
	if err != nil {
		return err
	}
	ctx := context.Background()
	d, err := duck.Open(ctx, db, duck.Settings{})
	if err != nil {
		return err
	}
	defer d.Close()
	for _, s := range statements(string(text)) {
		if _, err := d.Conn.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
