package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEventTables writes a dataset with an event-level output table: to
// stdout, to a directory, and refuses a single file or a missing permission.
func TestEventTables(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	args := []string{"generate-dataset", "testdata/event_table", "--dummy-tables", "testdata/tables_events"}
	stdout, stderr, code := ehrql(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	events := "patient_id,date,code,sex\r\n" +
		"1,2020-01-01,123456,female\r\n" + // by patient, then by the columns
		"1,2020-02-01,234567,female\r\n" +
		"2,2020-05-01,123456,male\r\n" // patient 3 is not in the population
	want := "dataset\npatient_id,sex\r\n1,female\r\n2,male\r\n\nrecent_events\n" + events
	if stdout != want {
		t.Errorf("stdout:\n%q\nwant\n%q", stdout, want)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := ehrql(t, append(args, "--output", dir+":csv")...); code != 0 {
		t.Fatalf("directory output: exit %d\n%s", code, stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, "recent_events.csv"))
	if err != nil || string(got) != events {
		t.Errorf("recent_events.csv: %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dataset.csv")); err != nil {
		t.Error(err)
	}
	_, stderr, code = ehrql(t, append(args, "--output", filepath.Join(t.TempDir(), "one.csv"))...)
	if code != 11 || !strings.Contains(stderr, "Attempting to write 2 tables") {
		t.Errorf("single file: exit %d\n%s", code, stderr)
	}
	t.Setenv("EHRQL_PERMISSIONS", "[]")
	store := filepath.Join(t.TempDir(), "store.duckdb")
	if _, stderr, code := ehrql(t, "store", "import", "testdata/tables_events", "--output", store, "--module", "ehrql.tables.core"); code != 0 {
		t.Fatalf("store import: exit %d\n%s", code, stderr)
	}
	_, stderr, code = ehrql(t, "generate-dataset", "testdata/event_table", "--database", store)
	if code != 12 || !strings.Contains(stderr, "event_level_data") {
		t.Errorf("without permission: exit %d\n%s", code, stderr)
	}
}
