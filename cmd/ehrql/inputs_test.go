package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Measures written as Arrow are read back by --dummy-data-file: the same
// results as the run that wrote them; an Arrow file whose columns are of
// the wrong types says so.
func TestMeasuresArrowDummyDataFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	want, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-tables", "testdata/tables_ok")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	arrowFile := filepath.Join(dir, "m.arrow")
	if _, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-tables", "testdata/tables_ok", "--output", arrowFile); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	got, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-data-file", arrowFile)
	if code != 0 || got != want {
		t.Errorf("from %s: exit %d, got\n%s\nwant\n%s\n%s", arrowFile, code, got, want, stderr)
	}

	// A folder of one file per measure, as --output DIR/:arrow writes it.
	for _, format := range []string{"csv", "arrow"} {
		folder := filepath.Join(dir, "per_measure_"+format)
		if _, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-tables", "testdata/tables_ok", "--output", folder+"/:"+format); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		got, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-data-file", folder)
		if code != 0 || got != want {
			t.Errorf("from %s: exit %d, got\n%s\nwant\n%s\n%s", folder, code, got, want, stderr)
		}
	}

	// A dataset's Arrow file is not a measures file.
	dataset := filepath.Join(dir, "d.arrow")
	if _, stderr, code := ehrql(t, "generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_ok", "--output", dataset, "--", "--index-date", "2020-01-01"); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	_, stderr, code = ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-data-file", dataset)
	if code == 0 || !strings.Contains(stderr, "Missing columns: measure, interval_start") {
		t.Errorf("dataset as measures: exit %d\n%s", code, stderr)
	}
}

// A dataset with event tables takes a folder --dummy-data-file, one file per
// output table as a directory output writes them, in either format; a
// single file is refused, saying what to give.
func TestEventTablesDummyDataFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	args := []string{"generate-dataset", "testdata/event_table"}
	want, stderr, code := ehrql(t, append(args, "--dummy-tables", "testdata/tables_events")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, format := range []string{"csv", "arrow"} {
		dir := filepath.Join(t.TempDir(), "dummy")
		if _, stderr, code := ehrql(t, append(args, "--dummy-tables", "testdata/tables_events", "--output", dir+":"+format)...); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		got, stderr, code := ehrql(t, append(args, "--dummy-data-file", dir)...)
		if code != 0 || got != want {
			t.Errorf("%s folder: exit %d: %q, want %q\n%s", format, code, got, want, stderr)
		}
		out := filepath.Join(t.TempDir(), "out")
		if _, stderr, code := ehrql(t, append(args, "--dummy-data-file", dir, "--output", out+":csv")...); code != 0 {
			t.Fatalf("%s folder to a folder: exit %d\n%s", format, code, stderr)
		}
		if b, err := os.ReadFile(filepath.Join(out, "recent_events.csv")); err != nil || !strings.Contains(want, string(b)) {
			t.Errorf("%s folder: recent_events.csv %q (%v) is not in %q", format, b, err, want)
		}
	}
	single := filepath.Join(t.TempDir(), "d.csv")
	os.WriteFile(single, []byte("patient_id,sex\n1,female\n"), 0o644)
	_, stderr, code = ehrql(t, append(args, "--dummy-data-file", single)...)
	if code != exitFileValidation || !strings.Contains(stderr, "the dataset has 1 event table(s) besides the dataset: give a folder") {
		t.Errorf("single file: exit %d\n%s", code, stderr)
	}
}

// Long flags abbreviated as argparse allows, as project.yaml files written
// for ehrQL hold them; an ambiguous prefix is refused as argparse refuses
// it.
func TestAbbreviatedFlags(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "patients.json")
	if err := os.WriteFile(def, patientsModel(t), 0o644); err != nil {
		t.Fatal(err)
	}
	tables := filepath.Join(dir, "tables")
	os.Mkdir(tables, 0o755)
	os.WriteFile(filepath.Join(tables, "patients.csv"), []byte("patient_id,date_of_birth,sex\n1,1980-01-01,female\n"), 0o644)
	want := "patient_id,date_of_birth,sex,date_of_death\r\n1,1980-01-01,female,\r\n"
	for _, args := range [][]string{
		{"--dummy-t", tables},
		{"--dummy-tables=" + tables, "--out", filepath.Join(dir, "a.csv")},
		{"--dummy-tab=" + tables, "--outp=-"},
	} {
		stdout, stderr, code := ehrql(t, append([]string{"generate-dataset", def}, args...)...)
		if code != 0 {
			t.Fatalf("%q: exit %d\n%s", args, code, stderr)
		}
		got := stdout
		if args[1] == "--out" {
			b, err := os.ReadFile(args[2])
			if err != nil {
				t.Fatal(err)
			}
			got = string(b)
		}
		if got != want {
			t.Errorf("%q: %q, want %q", args, got, want)
		}
	}
	_, stderr, code := ehrql(t, "generate-dataset", def, "--dummy", tables)
	if want := "ambiguous option: --dummy could match --dummy-tables, --dummy-data-file"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("ambiguous: exit %d, want %d and %q\n%s", code, exitUsage, want, stderr)
	}
}

// create-dummy-tables writes the tables of a dataset or of measures, as CSV,
// CSV.gz or Arrow; the folder then serves as --dummy-tables, giving what
// the tables generated in memory give.
func TestCreateDummyTablesFormats(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	for _, tc := range []struct {
		command, def string
		params       []string
	}{
		{"generate-dataset", "testdata/small", []string{"--", "--index-date", "2020-01-01"}},
		{"generate-measures", "testdata/measures_small", nil},
	} {
		want, stderr, code := ehrql(t, append([]string{tc.command, tc.def}, tc.params...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", tc.def, code, stderr)
		}
		for _, format := range []string{"", ":csv", ":csv.gz", ":arrow"} {
			dir := filepath.Join(t.TempDir(), "tables")
			if _, stderr, code := ehrql(t, append([]string{"create-dummy-tables", tc.def, dir + format}, tc.params...)...); code != 0 {
				t.Fatalf("%s%s: exit %d\n%s", tc.def, format, code, stderr)
			}
			ext := strings.TrimPrefix(format, ":")
			if ext == "" {
				ext = "csv"
			}
			if _, err := os.Stat(filepath.Join(dir, "patients."+ext)); err != nil {
				t.Errorf("%s%s: %v", tc.def, format, err)
			}
			got, stderr, code := ehrql(t, append([]string{tc.command, tc.def, "--dummy-tables", dir}, tc.params...)...)
			if code != 0 || got != want {
				t.Errorf("%s on its %s tables: exit %d: got\n%s\nwant\n%s\n%s", tc.def, format, code, got, want, stderr)
			}
		}
	}
	_, stderr, code := ehrql(t, "create-dummy-tables", "testdata/small", t.TempDir()+":parquet")
	if want := "':parquet' is not a supported format, must be one of: `:arrow`, `:csv`, `:csv.gz`"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("parquet: exit %d\n%s", code, stderr)
	}
}

// --dsn (or DATABASE_URL) may name a folder of table files, as ehrQL
// accepts for local runs: read as --dummy-tables, with the permissions of
// a real run.
func TestDatabaseFolder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"patients.csv":     "patient_id,date_of_birth,sex,date_of_death\n1,1980-01-01,female,\n2,1990-06-01,male,\n",
		"appointments.csv": "patient_id,booked_date,status\n1,2020-01-01,Finished\n1,2020-02-01,Booked\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	def := filepath.Join(t.TempDir(), "appointments.json")
	if err := os.WriteFile(def, []byte(appointmentsModel(`{"external_ref": {"module": "ehrql.tables.tpp", "name": "appointments"}}`)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", "")
	t.Setenv("EHRQL_PERMISSIONS", "")
	want := "patient_id,n\r\n1,2\r\n2,0\r\n"
	// As a database, the permission is needed from the environment...
	_, stderr, code := ehrql(t, "generate-dataset", def, "--dsn", dir)
	if code != exitPermission || !strings.Contains(stderr, "appointments") {
		t.Errorf("--dsn without the permission: exit %d\n%s", code, stderr)
	}
	// ...and given, the folder is read.
	t.Setenv("EHRQL_PERMISSIONS", `["appointments"]`)
	for _, args := range [][]string{{"--dsn", dir}, {"--database", dir}} {
		if stdout, stderr, code := ehrql(t, append([]string{"generate-dataset", def}, args...)...); code != 0 || stdout != want {
			t.Errorf("%q: exit %d: %q\n%s", args, code, stdout, stderr)
		}
	}
	t.Setenv("DATABASE_URL", dir)
	if stdout, stderr, code := ehrql(t, "generate-dataset", def); code != 0 || stdout != want {
		t.Errorf("DATABASE_URL: exit %d: %q\n%s", code, stdout, stderr)
	}
}

// A measures run past ehrQL's time limit stops with ehrQL's MeasuresTimeout
// and its exit code, 14.
func TestMeasuresTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	defer func(d time.Duration) { measuresTimeout = d }(measuresTimeout)
	measuresTimeout = time.Nanosecond
	_, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-tables", "testdata/tables_ok")
	if want := "MeasuresTimeout: Generating measures exceeded 0s time limit."; code != 14 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, want 14 and %q\n%s", code, want, stderr)
	}
	if got := (&measuresTimeoutError{72 * time.Hour}).Error(); got != "Generating measures exceeded 259200s time limit." {
		t.Errorf("ehrQL's limit: %q", got)
	}
}
