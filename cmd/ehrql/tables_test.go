package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	qmodel "github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// A JSON query model from ehrQL that reads ehrql.tables.raw.tpp.medications
// runs on dummy tables, reading the table's data from medications_raw.csv,
// ehrQL's name for its file.
func TestRawTableOnDummyTables(t *testing.T) {
	dir := t.TempDir()
	tablesDir := filepath.Join(dir, "dummy_tables")
	if err := os.Mkdir(tablesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"patients.csv": "patient_id,date_of_birth,sex,date_of_death\n1,1980-01-01,female,\n2,1990-06-01,male,\n",
		"medications_raw.csv": "patient_id,date,dmd_code,consultation_id,medication_status,quantity,repeat_medication_id\n" +
			"1,2020-01-01,39113311000001107,10,0,28 tablet,\n" +
			"1,2020-02-01,39113311000001107,11,4,,5\n" +
			"2,2020-03-01,39113311000001107,12,,,\n",
		// tpp.medications' own file, which must not be read for raw.tpp.
		"medications.csv": "patient_id,date,dmd_code,consultation_id\n2,2020-01-01,39113311000001107,1\n2,2020-01-02,39113311000001107,2\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tablesDir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	def := filepath.Join(dir, "dataset.json")
	model := appointmentsModel(`{"external_ref": {"module": "ehrql.tables.raw.tpp", "name": "medications"}}`)
	if err := os.WriteFile(def, []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := ehrql(t, "generate-dataset", def, "--dummy-tables", tablesDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "patient_id,n\r\n1,2\r\n2,1\r\n"; stdout != want {
		t.Errorf("output %q, want %q", stdout, want)
	}
}

// patientsModel is a JSON query model whose dataset is core.patients'
// columns for every patient in it: its output has the shape of the
// patients dummy table.
func patientsModel(t *testing.T) []byte {
	t.Helper()
	tbl := tables.Core("patients")
	frame, err := qmodel.SelectTable(tbl)
	if err != nil {
		t.Fatal(err)
	}
	pop, err := qmodel.Aggregate(qmodel.OpExists, frame)
	if err != nil {
		t.Fatal(err)
	}
	ds := &qmodel.Dataset{Population: pop}
	for _, c := range tbl.Columns {
		s, err := qmodel.SelectColumn(frame, c.Name)
		if err != nil {
			t.Fatal(err)
		}
		ds.Variables = append(ds.Variables, qmodel.Variable{Name: c.Name, Series: s})
	}
	data, err := qmodel.Encode(&qmodel.Definition{Dataset: ds})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A dummy-tables folder of Arrow files, here the patients table written by
// generate-dataset as Arrow, reads as its CSV does.
func TestArrowDummyTables(t *testing.T) {
	dir := t.TempDir()
	csvDir, arrowDir := filepath.Join(dir, "csv"), filepath.Join(dir, "arrow")
	if err := os.Mkdir(csvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	patients := "patient_id,date_of_birth,sex,date_of_death\r\n1,1980-01-01,female,\r\n2,1990-06-01,male,2020-02-01\r\n3,2001-12-01,unknown,\r\n"
	if err := os.WriteFile(filepath.Join(csvDir, "patients.csv"), []byte(patients), 0o644); err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(dir, "patients.json")
	if err := os.WriteFile(def, patientsModel(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := ehrql(t, "generate-dataset", def, "--dummy-tables", csvDir, "--output", filepath.Join(arrowDir, "patients.arrow")); code != 0 {
		t.Fatalf("writing patients.arrow: exit %d: %s", code, stderr)
	}
	stdout, stderr, code := ehrql(t, "generate-dataset", def, "--dummy-tables", arrowDir)
	if code != 0 {
		t.Fatalf("reading patients.arrow: exit %d: %s", code, stderr)
	}
	if stdout != patients {
		t.Errorf("from Arrow dummy tables: %q, want %q", stdout, patients)
	}

	// One format per folder.
	if err := os.WriteFile(filepath.Join(arrowDir, "clinical_events.csv"), []byte("patient_id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = ehrql(t, "generate-dataset", def, "--dummy-tables", arrowDir)
	if want := "Found multiple file formats (.arrow, .csv) in: " + arrowDir; code != exitFileValidation || !strings.Contains(stderr, want) {
		t.Errorf("two formats: exit %d, want %d and %q; stderr:\n%s", code, exitFileValidation, want, stderr)
	}
}

// matchedModel is a JSON query model as ehrQL writes a dataset read from
// table_from_file("matched.arrow", ...): an InlinePatientTable whose rows an
// ArrowRowsReader reads, with the given column specs (name → type).
func matchedModel(file string, specs ...[2]string) string {
	spec := func(typ, cats string) string {
		return `{"ColumnSpec": {"type": {"type": "` + typ + `"}, "nullable": true, "categories": ` + cats + `, "min_value": null, "max_value": null}}`
	}
	column := func(typ string) string {
		return `{"Column": {"type_": {"type": "` + typ + `"}, "constraints": {"tuple": []}, "dummy_data_constraints": {"tuple": []}}}`
	}
	var specList, schema, vars []string
	for i, s := range specs {
		cats := "null"
		if s[0] == "sex" {
			cats = `{"tuple": ["female", "male", "intersex", "unknown"]}`
		}
		specList = append(specList, `["`+s[0]+`", `+spec(s[1], cats)+`]`)
		schema = append(schema, `"`+s[0]+`": `+column(s[1]))
		vars = append(vars, fmt.Sprintf(`["%s", {"ref": "%d"}]`, s[0], 10+i))
	}
	doc := `{"value": {"ModuleDetails": {"dataset": {"ref": "1"}, "dataset_dummy_data_config": null, "test_data": null,
		"measures": null, "measures_dummy_data_config": null, "measures_disclosure_control_config": null,
		"claimed_permissions": {"tuple": []}}},
	"2": {"InlinePatientTable": {"rows": {"ArrowRowsReader": {"filename": {"Path": "` + file + `"}, "column_specs": {"dict": [` +
		strings.Join(specList, ", ") + `]}, "allow_missing_columns": false}}, "schema": {"TableSchema": {` + strings.Join(schema, ", ") + `}}}},
	"3": {"AggregateByPatient.Exists": {"source": {"ref": "2"}}},`
	for i, s := range specs {
		doc += fmt.Sprintf(`"%d": {"SelectColumn": {"source": {"ref": "2"}, "name": "%s"}},`, 10+i, s[0])
	}
	return doc + `"1": {"Dataset": {"population": {"ref": "3"}, "variables": {"dict": [` + strings.Join(vars, ", ") + `]}, "events": {"dict": []}, "measures": null}}}`
}

// The case-control pattern: a dataset written as Arrow (output/matched.arrow)
// is read back by another definition through table_from_file, as ehrQL
// serializes it (an ArrowRowsReader); a file that does not fit its column
// specs is a bad input file naming what is wrong, never "Missing columns"
// for columns it has.
func TestTableFromArrowFile(t *testing.T) {
	dir := t.TempDir()
	csvDir := filepath.Join(dir, "csv")
	if err := os.Mkdir(csvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	patients := "patient_id,date_of_birth,sex,date_of_death\r\n1,1980-01-01,female,\r\n2,1990-06-01,male,2020-02-01\r\n"
	if err := os.WriteFile(filepath.Join(csvDir, "patients.csv"), []byte(patients), 0o644); err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(dir, "patients.json")
	if err := os.WriteFile(def, patientsModel(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := ehrql(t, "generate-dataset", def, "--dummy-tables", csvDir, "--output", filepath.Join(dir, "output", "matched.arrow")); code != 0 {
		t.Fatalf("writing matched.arrow: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		name  string
		specs [][2]string
		code  int
		want  string
	}{
		{"every column", [][2]string{{"date_of_birth", "date"}, {"sex", "str"}, {"date_of_death", "date"}}, 0, patients},
		{"some columns", [][2]string{{"sex", "str"}}, 0, "patient_id,sex\r\n1,female\r\n2,male\r\n"},
		{"missing column", [][2]string{{"sex", "str"}, {"age", "int"}}, exitFileValidation, "output/matched.arrow: Missing columns: age"},
		{"wrong type", [][2]string{{"sex", "int"}}, exitFileValidation, "Type mismatch in column 'sex': expected int, got dictionary<values=utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(model, []byte(matchedModel("output/matched.arrow", tc.specs...)), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := ehrql(t, "generate-dataset", model, "--dummy-tables", csvDir)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.code == 0 && stdout != tc.want {
				t.Errorf("output %q, want %q", stdout, tc.want)
			}
			if tc.code != 0 && !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr)
			}
		})
	}
}

// A Go definition's TableFromFile of an Arrow file says that Go definitions
// read CSV, not that columns are missing.
func TestGoTableFromArrowFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	src := `package main

import (
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

func main() {
	matched := query.TableFromFile("output/matched.arrow", model.Column{Name: "sex", Type: model.Str})
	ds := query.NewDataset()
	ds.DefinePopulation(matched.ExistsForPatient())
	query.Emit(ds)
}
`
	if err := os.WriteFile(filepath.Join(dir, "dataset_definition.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := ehrql(t, "generate-dataset", filepath.Join(dir, "dataset_definition.go"))
	want := `TableFromFile("output/matched.arrow"): a Go definition reads table files as CSV or CSV.gz, not Arrow`
	if code != exitDefinition || !strings.Contains(stderr, want) || strings.Contains(stderr, "Missing columns") {
		t.Errorf("exit %d, want %d and %q; stderr:\n%s", code, exitDefinition, want, stderr)
	}
}
