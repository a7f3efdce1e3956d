package assurance_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/assurance"
	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/engine"
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
)

// asthmaDataset is the dataset of ehrQL's guide to testing a dataset
// definition: adults on 2023-03-31 and their latest asthma medication.
func asthmaDataset(t *testing.T) *model.Dataset {
	t.Helper()
	index := q.Date("2023-03-31")
	ds := q.NewDataset()
	age := core.Patients.AgeOn(index)
	ds.Add("age", age)
	ds.DefinePopulation(age.Gt(q.Int(18)))
	meds := core.Medications
	latest := meds.Where(meds.DmdCode.IsIn(codelists.New("39113311000001107", "39113611000001102"))).
		Where(meds.Date.IsOnOrBefore(index)).SortBy(meds.Date).LastForPatient()
	ds.Add("has_asthma_med", latest.ExistsForPatient())
	ds.Add("latest_asthma_med_date", latest.Date)
	m, err := ds.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func lit(v any) *model.Literal {
	var l model.Literal
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		l = model.BoolLit(x)
	case int:
		l = model.IntLit(int64(x))
	case float64:
		l = model.FloatLit(x)
	case string:
		if d, err := model.ParseDate(x); err == nil {
			l = model.DateLit(d)
		} else {
			l = model.StrLit(x)
		}
	}
	return &l
}

// row makes a record from alternating column names and values; strings
// that read as dates are dates.
func row(kv ...any) model.TestRow {
	var r model.TestRow
	for i := 0; i < len(kv); i += 2 {
		r = append(r, model.TestValue{Column: kv[i].(string), Value: lit(kv[i+1])})
	}
	return r
}

func patient(id int64, in *bool, expected model.TestRow, tables ...model.TestTable) model.TestPatient {
	return model.TestPatient{ID: id, Tables: tables, ExpectedInPopulation: in, ExpectedColumns: expected}
}

func single(name string, r model.TestRow) model.TestTable {
	return model.TestTable{Name: name, Single: true, Rows: []model.TestRow{r}}
}

func list(name string, rows ...model.TestRow) model.TestTable {
	return model.TestTable{Name: name, Rows: rows}
}

var (
	yes = new(bool)
	no  = new(bool)
)

func init() { *yes = true }

// engines are the production engine and the reference engine, which must
// agree on every assurance run.
var engines = map[string]assurance.Engine{
	"duckdb": assurance.DuckDB(engine.Options{Threads: 1}),
	"memory": assurance.Memory,
}

func validate(t *testing.T, ds *model.Dataset, td *model.TestData) string {
	t.Helper()
	var reports []string
	var first *assurance.Results
	for _, name := range []string{"duckdb", "memory"} {
		res, err := assurance.Validate(context.Background(), ds, td, engines[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if first == nil {
			first = res
		} else if !reflect.DeepEqual(first, res) {
			t.Errorf("the engines disagree:\nduckdb: %+v\nmemory: %+v", first, res)
		}
		reports = append(reports, assurance.Present(res))
	}
	return reports[0]
}

func TestGuideExamplePasses(t *testing.T) {
	td := &model.TestData{Patients: []model.TestPatient{
		patient(1, yes, row("age", 73, "has_asthma_med", true, "latest_asthma_med_date", "2020-01-01"),
			single("patients", row("date_of_birth", "1950-01-01")),
			list("medications",
				row("date", "2010-01-01", "dmd_code", "39113311000001107"),
				row("date", "2020-01-01", "dmd_code", "39113311000001107"),
				row("date", "2023-06-01", "dmd_code", "39113311000001107"))),
		patient(2, yes, row("age", 73, "has_asthma_med", false, "latest_asthma_med_date", nil),
			list("patients", row("date_of_birth", "1950-01-01")), list("medications")),
		patient(3, no, nil, list("patients", row("date_of_birth", "2010-01-01")), list("medications")),
	}}
	got := validate(t, asthmaDataset(t), td)
	want := "Validate test data: All OK!\nValidate results: All OK!"
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestEveryProblemReported(t *testing.T) {
	td := &model.TestData{Patients: []model.TestPatient{
		// Wrong values: an age and a date off by one, a float age.
		patient(1, yes, row("age", 72, "has_asthma_med", true, "latest_asthma_med_date", "2021-01-01"),
			single("patients", row("date_of_birth", "1950-01-01", "sex", "woman")),
			list("medications", row("date", "2020-01-01", "dmd_code", "39113311000001107"))),
		// Constraints: no date of birth, a date not the first of a month.
		patient(2, yes, row("age", 73.0),
			single("patients", row("date_of_birth", nil, "sex", "female")),
			list("medications")),
		patient(3, yes, row("age", 73, "agee", 1, "has_asthma_med", false),
			list("patients", row("date_of_birth", "1950-01-15", "sex", "male"), row("date_of_birth", "1950-02-01"))),
		patient(4, no, nil, single("patients", row("date_of_birth", "1950-01-01", "ethnicity", "x", "colour", "y", "ethnicity", "z"))),
		patient(5, yes, row("age", 73), single("patients", row("date_of_birth", "2015-01-01"))),
		patient(6, nil, row("age", 73.0, "has_asthma_med", false, "latest_asthma_med_date", nil),
			single("patients", row("date_of_birth", "1950-01-01"))),
	}}
	got := validate(t, asthmaDataset(t), td)
	want := strings.Join([]string{
		"Validate test data: Found errors with 4 patient(s)",
		" * Patient 1 had 1 test data value(s) in table 'patients' that did not meet the constraint(s)",
		"   * for column 'sex' with 'Constraint.Categorical(values=('female', 'male', 'intersex', 'unknown'))', got 'woman'",
		" * Patient 2 had 1 test data value(s) in table 'patients' that did not meet the constraint(s)",
		"   * for column 'date_of_birth' with 'Constraint.NotNull()', got 'None'",
		" * Patient 3 had 1 test data value(s) in table 'patients' that did not meet the constraint(s)",
		"   * for column 'date_of_birth' with 'Constraint.FirstOfMonth()', got '1950-01-15'",
		" * Patient 3 had 2 rows of test data for table 'patients' but this table accepts at most one row per patient",
		" * Patient 4 had invalid columns in the test data for table 'patients'",
		"       invalid columns: 'ethnicity', 'colour'",
		"     valid columns are: 'date_of_birth', 'sex', 'date_of_death'",
		"Validate results: Found errors with 5 patient(s)",
		" * Patient 1 had unexpected output value(s)",
		"   * for column 'age', expected '72', got '73'",
		"   * for column 'latest_asthma_med_date', expected '2021-01-01', got '2020-01-01'",
		" * Patient 2 was unexpectedly not in the population",
		" * Patient 3 results cannot be validated",
		"   * Columns in dataset: 'patient_id', 'age', 'has_asthma_med', 'latest_asthma_med_date'",
		"   * Column 'agee' in expected_columns is not in the dataset",
		" * Patient 4 was unexpectedly in the population",
		" * Patient 5 was unexpectedly not in the population",
	}, "\n")
	if got != want {
		t.Errorf("report:\n%s\n\nwant:\n%s", got, want)
	}
}

func TestConstraintReprs(t *testing.T) {
	// Each constraint of the catalogue written as ehrQL's repr, checked on
	// a value that breaks it.
	for _, tt := range []struct {
		table, column string
		value         any
		want          string
	}{
		{"addresses", "msoa_code", "X", "Constraint.Regex(regex='E020[0-9]{5}')"},
		{"addresses", "imd_rounded", 40000, "Constraint.ClosedRange(minimum=0, maximum=32800, step=100)"},
		{"addresses", "rural_urban_classification", 0, "Constraint.ClosedRange(minimum=1, maximum=8, step=1)"},
		{"practice_registrations", "start_date", nil, "Constraint.NotNull()"},
	} {
		tbl, ok := tables.Default().LookupTable(tables.ModuleTPP, tt.table)
		if !ok {
			t.Fatalf("no table %s", tt.table)
		}
		td := &model.TestData{Patients: []model.TestPatient{patient(1, no, nil, list(tt.table, row(tt.column, tt.value)))}}
		res := assurance.CheckData(td, []*model.Table{tbl})
		if len(res) != 1 || len(res[0].Problems) != 1 || res[0].Problems[0].Values[0].Constraint != tt.want {
			t.Errorf("%s.%s = %v: %+v, want %s", tt.table, tt.column, tt.value, res, tt.want)
		}
	}
}
