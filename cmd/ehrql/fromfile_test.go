package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTableFromFile reads a patient table from a CSV beside the definition
// (ehrQL's table_from_file); its rows travel inside the query model, so the
// serialized definition replays without the file.
func TestTableFromFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	want := "patient_id,index_date,score,age_at_index\r\n1,2010-06-01,1.5,30\r\n2,,,\r\n"
	stdout, stderr, code := ehrql(t, "generate-dataset", "testdata/from_file", "--dummy-tables", "testdata/tables_ok")
	if code != 0 || stdout != want {
		t.Fatalf("exit %d: got %q, want %q\n%s", code, stdout, want, stderr)
	}
	js, stderr, code := ehrql(t, "serialize-definition", "testdata/from_file")
	if code != 0 {
		t.Fatalf("serialize: exit %d\n%s", code, stderr)
	}
	saved := filepath.Join(t.TempDir(), "def.json")
	if err := os.WriteFile(saved, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = ehrql(t, "generate-dataset", saved, "--dummy-tables", "testdata/tables_ok")
	if code != 0 || stdout != want {
		t.Errorf("replayed from JSON: exit %d: %q\n%s", code, stdout, stderr)
	}
	if !strings.Contains(js, `"InlinePatientTable"`) {
		t.Error("the JSON does not hold the inline table")
	}
}
