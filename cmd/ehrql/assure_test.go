package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/assurance"
	"github.com/ehrql-go/ehrql/engine"
)

var studyYear = []string{"--", "--start-date", "2020-04-01", "--end-date", "2021-03-31"}

const allOK = "Validate test data: All OK!\nValidate results: All OK!\n"

// wrongReport is the report of the study's deliberately wrong tests.
const wrongReport = `AssuranceTestError: 
Validate test data: Found errors with 3 patient(s)
 * Patient 1 had 1 test data value(s) in table 'patients' that did not meet the constraint(s)
   * for column 'sex' with 'Constraint.Categorical(values=('female', 'male', 'intersex', 'unknown'))', got 'F'
 * Patient 2 had 1 test data value(s) in table 'patients' that did not meet the constraint(s)
   * for column 'date_of_birth' with 'Constraint.FirstOfMonth()', got '2002-05-15'
 * Patient 3 had 1 test data value(s) in table 'practice_registrations' that did not meet the constraint(s)
   * for column 'start_date' with 'Constraint.NotNull()', got 'None'
Validate results: Found errors with 4 patient(s)
 * Patient 1 had unexpected output value(s)
   * for column 'last_virtual_consultation_code', expected '1068881000000101', got '11797002'
   * for column 'age', expected '40', got '39'
 * Patient 2 was unexpectedly not in the population
 * Patient 3 was unexpectedly in the population
 * Patient 4 results cannot be validated
   * Columns in dataset: 'patient_id', 'has_virtual_consultation', 'count_virtual_consultation', 'last_virtual_consultation_code', 'has_f2f_consultation', 'count_f2f_consultation', 'last_f2f_consultation_code', 'last_appointment_status', 'count_appointment', 'has_appointment', 'age', 'age_greater_equal_65', 'sex', 'dod', 'imd_quintile', 'ethnicity'
   * Column 'region' in expected_columns is not in the dataset
`

func TestAssureReferenceStudy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	stdout, stderr, code := ehrql(t, append([]string{"assure", study + "/test_dataset_definition.go"}, studyYear...)...)
	if code != 0 || stdout != allOK {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	stdout, stderr, code = ehrql(t, append([]string{"assure", study + "/test_dataset_definition_wrong.go"}, studyYear...)...)
	if code != 13 || stdout != "" || stderr != wrongReport {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, wrongReport)
	}
}

// TestAssureFromJSON: a serialized test definition, ours or ehrQL's,
// carries its test patients.
func TestAssureFromJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	for _, name := range []string{"test_dataset_definition", "test_dataset_definition_wrong"} {
		js := filepath.Join(dir, name+".json")
		if _, stderr, code := ehrql(t, append([]string{"serialize-definition", study + "/" + name + ".go", "--output", js}, studyYear...)...); code != 0 {
			t.Fatalf("serialize %s: exit %d: %s", name, code, stderr)
		}
		// The codelists are read when the definition runs: the JSON holds
		// their codes, so it runs from anywhere.
		stdout, stderr, code := ehrql(t, "assure", js)
		want, wantCode := allOK, 0
		if strings.HasSuffix(name, "wrong") {
			want, wantCode = wrongReport, 13
			stdout = stderr
		}
		if code != wantCode || stdout != want {
			t.Errorf("%s: exit %d:\n%s", name, code, stdout)
		}
	}
}

func TestGenerateDatasetWithTestDataFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	out := filepath.Join(t.TempDir(), "dataset.csv")
	args := func(test string) []string {
		return append([]string{"generate-dataset", study + "/dataset_definition.go", "--dummy-tables", study + "/dummy_tables",
			"--test-data-file", study + "/" + test, "--output", out}, studyYear...)
	}
	_, stderr, code := ehrql(t, args("test_dataset_definition_wrong.go")...)
	if code != 13 || !strings.Contains(stderr, wrongReport) {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("failed tests left %s behind", out)
	}
	_, stderr, code = ehrql(t, args("test_dataset_definition.go")...)
	if code != 0 || !strings.Contains(stderr, allOK) {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the dataset was not written: %v", err)
	}
}

func TestAssureErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	def := write("def.go", `package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

func main() {
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	ds.Add("sex", core.Patients.Sex)
	q.Emit(ds)
}
`)
	header := "//ehrql:definition def.go\n\npackage main\n\nimport (\n\tq \"github.com/ehrql-go/ehrql/query\"\n\t\"github.com/ehrql-go/ehrql/tables/core\"\n)\n\n"
	for _, tt := range []struct {
		name string
		file string
		code int
		want string
	}{
		{"no test data", def, 10, "No 'test_data' variable defined"},
		{"no such definition", write("t1.go", "//ehrql:definition nope.go\n\npackage main\n"), 10, "//ehrql:definition nope.go: there is no such file beside t1.go"},
		{"definition in another folder", write("t2.go", "//ehrql:definition ../def.go\n\npackage main\n"), 10, "expected the name of another .go file in the same folder"},
		{"unknown column", write("t3.go", header+"func init() {\n\tq.TestPatients(q.Patient(1, q.Record(core.Patients, q.Values{\"dob\": \"1950-01-01\"})))\n}\n"), 10,
			"t3.go:11: test patient 1: table patients: no column dob"},
		{"passes", write("t4.go", header+"func init() {\n\tq.TestPatients(q.Patient(1, q.Record(core.Patients, q.Values{\"sex\": \"male\"}), q.ExpectInPopulation(q.Values{\"sex\": \"male\"})))\n}\n"), 0, ""},
	} {
		stdout, stderr, code := ehrql(t, "assure", tt.file)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s%s", tt.name, code, tt.code, tt.want, stdout, stderr)
		}
	}
}

// TestAssureEnginesAgree: the reference study's tests give the same results
// on DuckDB, which assure uses, and on the reference engine.
func TestAssureEnginesAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	ctx := context.Background()
	for _, name := range []string{"test_dataset_definition.go", "test_dataset_definition_wrong.go"} {
		def, err := loadDataset(ctx, study+"/"+name, studyYear[1:], "")
		if err != nil {
			t.Fatal(err)
		}
		duck, err := assurance.Validate(ctx, def.Dataset, def.TestData, assurance.DuckDB(engine.Options{Threads: 1}))
		if err != nil {
			t.Fatal(err)
		}
		mem, err := assurance.Validate(ctx, def.Dataset, def.TestData, assurance.Memory)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(duck, mem) {
			t.Errorf("%s: the engines disagree:\nduckdb: %+v\nmemory: %+v", name, duck, mem)
		}
		if len(def.TestData.Patients) < 4 {
			t.Errorf("%s: %d patients", name, len(def.TestData.Patients))
		}
	}
}

// pythonTestData is test_data as ehrQL's serializer writes it for a
// Python test file (patients as a single record, the other tables as
// lists, floats and None):
//
//	{1: {"patients": {"date_of_birth": date(1980, 6, 1), "sex": "female"},
//	     "practice_registrations": [{"start_date": date(2010, 1, 1)}],
//	     "addresses": [{"start_date": date(2015, 1, 1), "imd_rounded": 20000}],
//	     "expected_in_population": True,
//	     "expected_columns": {"age": 39.0, "imd_quintile": "4", "dod": None}},
//	 2: {"patients": {"date_of_birth": date(2003, 6, 1), "sex": "male"},
//	     "practice_registrations": [{"start_date": date(2010, 1, 1)}],
//	     "expected_in_population": True}}
const pythonTestData = `{
        "dict": [
          [
            1,
            {
              "dict": [
                ["patients", {"dict": [["date_of_birth", {"date": "1980-06-01"}], ["sex", "female"]]}],
                ["practice_registrations", [{"dict": [["start_date", {"date": "2010-01-01"}]]}]],
                ["addresses", [{"dict": [["start_date", {"date": "2015-01-01"}], ["imd_rounded", 20000]]}]],
                ["expected_in_population", true],
                ["expected_columns", {"dict": [["age", 39.0], ["imd_quintile", "4"], ["dod", null]]}]
              ]
            }
          ],
          [
            2,
            {
              "dict": [
                ["patients", {"dict": [["date_of_birth", {"date": "2003-06-01"}], ["sex", "male"]]}],
                ["practice_registrations", [{"dict": [["start_date", {"date": "2010-01-01"}]]}]],
                ["expected_in_population", true]
              ]
            }
          ]
        ]
      }`

// TestAssureEhrQLJSON: ehrQL's own serialization of the study's dataset,
// with test patients in the form a Python test file gives them.
func TestAssureEhrQLJSON(t *testing.T) {
	data, err := os.ReadFile(study + "/ehrql-json/consultation_dataset_2020-04-01_to_2021-03-31.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(data), `"test_data": null`, `"test_data": `+pythonTestData, 1)
	if doc == string(data) {
		t.Fatal("no test_data in the JSON")
	}
	path := filepath.Join(t.TempDir(), "test_dataset_definition.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := ehrql(t, "assure", path)
	want := "AssuranceTestError: \n" +
		"Validate test data: All OK!\n" +
		"Validate results: Found errors with 1 patient(s)\n" +
		" * Patient 2 was unexpectedly not in the population\n"
	if code != 13 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
}
