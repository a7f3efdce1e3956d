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

// TestTableFromFileErrors: a table file that cannot be read ends the run
// with ehrQL's exit code for it, 11 (FileValidationError), naming the file
// and, for a bad value, its line and column; a file type the language does
// not read is a mistake in the definition (10).
func TestTableFromFileErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	src, err := os.ReadFile("testdata/from_file/main.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, file, content string
		code                int
		want                string
	}{
		{"missing file", "", "", exitFileValidation, "index_dates.csv"},
		{"bad date", "index_dates.csv", "patient_id,index_date,score\n1,2010-13-01,1.5\n", exitFileValidation, "line 2, column 'index_date'"},
		{"missing column", "index_dates.csv", "patient_id,index_date\n1,2010-06-01\n", exitFileValidation, "Missing columns: score"},
		{"unsupported type", "index_dates.tsv", "", exitDefinition, "unsupported file type .tsv"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			code := string(src)
			if c.file == "index_dates.tsv" {
				code = strings.Replace(code, `"index_dates.csv"`, `"index_dates.tsv"`, 1)
			}
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.file != "" {
				if err := os.WriteFile(filepath.Join(dir, c.file), []byte(c.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, stderr, got := ehrql(t, "generate-dataset", dir, "--dummy-tables", "testdata/tables_ok")
			if got != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want %d, and stderr with %q:\n%s", got, c.code, c.want, stderr)
			}
		})
	}
}
