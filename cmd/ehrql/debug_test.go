package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDebugShows runs a definition with five show() calls (a table, two
// event series side by side with head and tail, patient series side by
// side, a sorted frame, a dataset) on the events dummy tables, in both
// display formats; the expected outputs were checked by hand against the
// tables.
func TestDebugShows(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	for _, format := range []string{"ascii", "html"} {
		want, err := os.ReadFile(filepath.Join("testdata", "debug_output", format+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := ehrql(t, "debug", "testdata/debug", "--dummy-tables", "testdata/tables_events", "--display-format", format)
		if code != 0 || stdout != "" || stderr != string(want) {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", format, code, stdout, stderr, want)
		}
	}
	// Anywhere else show() does nothing.
	stdout, stderr, code := ehrql(t, "generate-dataset", "testdata/debug", "--dummy-tables", "testdata/tables_events")
	if code != 0 || stdout != "patient_id,sex,last\r\n1,female,2020-02-01\r\n2,male,2020-05-01\r\n" || strings.Contains(stderr, "Show") {
		t.Errorf("generate-dataset: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}

func TestDebugErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		src := "package main\n\nimport (\n\tq \"github.com/ehrql-go/ehrql/query\"\n\t\"github.com/ehrql-go/ehrql/tables/core\"\n)\n\nfunc main() {\n" + body + "}\n"
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	usage := "TypeError: \n\nshow() can be used in two ways. Either:\n" +
		" - call it with a single argument such as:\n" +
		"     show(dataset)\n" +
		"     show(patients)\n" +
		"     show(clinical_events.date.is_after(\"2024-01-01\"))\n" +
		" - or call it with multiple columns/series:\n" +
		"     show(patients.sex, patients.date_of_birth)\n" +
		"     show(patients.sex == \"male\", patients.date_of_birth.is_before(\"2006-01-01\"))\n\n" +
		"If passing in multiple arguments, they must either have:\n" +
		" - one row per patient (e.g. patients.sex, clinical_events.count_for_patient()), or\n" +
		" - multiple rows per patient AND be from the same table (e.g. clinical_events.date, clinical_events.numeric_values)"
	for _, tt := range []struct {
		name, body string
		code       int
		stderr     string
	}{
		{"event and patient series", "\tq.Show(core.ClinicalEvents.Date, core.Patients.Sex)\n", 10, "mixed.go:9: " + usage},
		{"two tables", "\tq.Show(core.ClinicalEvents.Date, core.Medications.Date)\n", 10, "two.go:9: " + usage},
		{"frame among series", "\tq.Show(core.ClinicalEvents, core.ClinicalEvents.Date)\n", 10, "frame.go:9: " + usage},
		{"date differences in days", "\tq.Show(core.Patients.DateOfDeath.Minus(core.Patients.DateOfBirth), core.Patients.Sex)\n", 0,
			"Show line 9 (days.go):\npatient_id        | series_1          | series_2\n------------------+-------------------+------------------\n1                 |                   | female\n2                 | 10806 days        | male\n"},
		{"only shows, a constant", "\tq.Show(q.Int(1), q.Label(\"one\"))\n\t_ = core.Patients\n", 0, "Show line 9 (only.go): one\n\n\n"},
		{"shown before a mistake", "\tq.Show(core.Patients.Sex)\n\tq.Emit(q.NewDataset())\n", 10, "Show line 9 (before.go):\npatient_id        | value\n------------------+------------------\n1                 | female\n2                 | male\n"},
	} {
		file := strings.Fields(tt.stderr)[0]
		if strings.HasPrefix(tt.stderr, "Show") {
			file = strings.Trim(strings.Fields(tt.stderr)[3], "():")
		}
		file = strings.Split(file, ":")[0]
		path := write(file, tt.body)
		_, stderr, code := ehrql(t, "debug", path, "--dummy-tables", "testdata/tables_events")
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s\nwant it to hold:\n%s", tt.name, code, tt.code, stderr, tt.stderr)
		}
	}
	// The display format is checked.
	if _, stderr, code := ehrql(t, "debug", "testdata/debug", "--display-format", "pdf"); code != 2 || !strings.Contains(stderr, "invalid choice: 'pdf'") {
		t.Errorf("bad format: exit %d: %s", code, stderr)
	}
}
