package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

func TestCLIErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	out := filepath.Join(t.TempDir(), "out.csv")
	cases := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"no definition", []string{"generate-dataset"}, 2, []string{"required: DEFINITION_FILE"}},
		{"missing definition", []string{"generate-dataset", "nope.go"}, 2, []string{"nope.go does not exist"}},
		{"bad output format", []string{"generate-dataset", "testdata/small", "--output", "x.parquet"}, 2, []string{"'.parquet' is not a supported format"}},
		{"no output extension", []string{"generate-dataset", "testdata/small", "--output", "x"}, 2, []string{"No file format specified"}},
		{"unknown argument", []string{"generate-dataset", "testdata/small", "--start-date", "2020-01-01"}, 2, []string{"unknown flag", "must follow a double-dash"}},
		{"stray positional", []string{"generate-dataset", "testdata/small", "extra"}, 2, []string{"unknown arguments: extra"}},
		{"dummy tables missing", []string{"generate-dataset", "testdata/small", "--dummy-tables", "testdata/nope"}, 2, []string{"testdata/nope does not exist"}},
		{"no data source: dummy data", []string{"generate-dataset", "testdata/small", "--", "--index-date", "2020-01-01"}, 0, []string{"Generated 10 of 10 patients (seed 0)"}},
		{"missing parameter", []string{"generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_ok"}, 10, []string{"main.go:10", "parameter `index-date` defined but no values found"}},
		{"malformed parameter", []string{"generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_ok", "--", "--index-date", "2020-02-30"}, 2, []string{"invalid date value"}},
		{"definition mistakes", []string{"generate-dataset", "testdata/bad_date", "--dummy-tables", "testdata/tables_ok"}, 10,
			[]string{"main.go:11: month must be in 1..12", "main.go:12: 'born_late' is already set"}},
		{"bad cell", []string{"generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_bad", "--output", out, "--", "--index-date", "2020-01-01"}, 11,
			[]string{"patients.csv, line 3, column 'date_of_birth'", "1990-13-01"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{"unknown command"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := ehrql(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, stderr)
			}
			for _, s := range c.contains {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s behind", out)
	}
}

func TestSmallDatasetToStdout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	stdout, stderr, code := ehrql(t, "generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_ok", "--", "--index-date", "2020-06-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "patient_id,age,sex\r\n1,40,female\r\n2,30,male\r\n"
	if stdout != want {
		t.Errorf("got %q, want %q", stdout, want)
	}
}

// TestGoDefinitionMatchesEhrQL checks that the study's Go definition compiles
// to exactly the query model ehrQL serialized for it.
func TestGoDefinitionMatchesEhrQL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	for _, r := range ranges {
		stdout, stderr, code := ehrql(t, "serialize-definition", study+"/dataset_definition.go", "--", "--start-date", r[0], "--end-date", r[1])
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		ours, err := model.Decode([]byte(stdout), tables.Default())
		if err != nil {
			t.Fatalf("our JSON does not decode: %v", err)
		}
		data, err := os.ReadFile(study + "/ehrql-json/consultation_dataset_" + r[0] + "_to_" + r[1] + ".json")
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := model.Decode(data, tables.Default())
		if err != nil {
			t.Fatal(err)
		}
		if ours.Dataset.Population.ID() != theirs.Dataset.Population.ID() {
			t.Errorf("%v: population differs from ehrQL's", r)
		}
		if len(ours.Dataset.Variables) != len(theirs.Dataset.Variables) {
			t.Fatalf("%v: %d variables, ehrQL has %d", r, len(ours.Dataset.Variables), len(theirs.Dataset.Variables))
		}
		for i, v := range ours.Dataset.Variables {
			w := theirs.Dataset.Variables[i]
			if v.Name != w.Name || v.Series.ID() != w.Series.ID() {
				t.Errorf("%v: variable %d is %s, ehrQL's is %s, or their query models differ", r, i, v.Name, w.Name)
			}
		}
		if *ours.DatasetDummyDataConfig != *theirs.DatasetDummyDataConfig {
			t.Errorf("dummy data config %+v, ehrQL's %+v", *ours.DatasetDummyDataConfig, *theirs.DatasetDummyDataConfig)
		}
		if strings.Join(ours.ClaimedPermissions, ",") != strings.Join(theirs.ClaimedPermissions, ",") {
			t.Errorf("claimed permissions %v, ehrQL's %v", ours.ClaimedPermissions, theirs.ClaimedPermissions)
		}
	}
}

func TestDumpDatasetSQL(t *testing.T) {
	stdout, stderr, code := ehrql(t, "dump-dataset-sql", study+"/ehrql-json/consultation_dataset_2019-04-01_to_2020-03-31.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"CREATE OR REPLACE TEMP MACRO ehrql_add_months", `FROM main."clinical_events"`, `ORDER BY "pt_patients".patient_id`} {
		if !strings.Contains(stdout, s) {
			t.Errorf("SQL lacks %q", s)
		}
	}
}
