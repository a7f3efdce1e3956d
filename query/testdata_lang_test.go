package query_test

import (
	"strings"
	"testing"
	"time"

	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables/core"
)

func testDataset(t *testing.T) *model.Dataset {
	t.Helper()
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	ds.Add("age", core.Patients.AgeOn(q.Date("2023-03-31")))
	ds.Add("dob", core.Patients.DateOfBirth)
	ds.Add("last_value", core.ClinicalEvents.SortBy(core.ClinicalEvents.Date).LastForPatient().NumericValue)
	m, err := ds.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTestPatientsEncoded(t *testing.T) {
	ds := testDataset(t)
	td, err := q.BuildTestData([]q.TestPatient{
		q.Patient(1,
			q.Record(core.Patients, q.Values{"sex": "female", "date_of_birth": "1950-01-01", "date_of_death": nil}),
			q.Records(core.ClinicalEvents,
				q.Values{"date": time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), "snomedct_code": "123456", "numeric_value": 2},
				q.Values{"numeric_value": 1.5},
			),
			q.ExpectInPopulation(q.Values{"zzz": "x", "last_value": 1.5, "age": 73, "dob": "1950-01-01"}),
		),
		q.Patient(2, q.Records(core.ClinicalEvents), q.ExpectNotInPopulation()),
		q.Patient(3),
	}, ds)
	if err != nil {
		t.Fatal(err)
	}
	data, err := model.Encode(&model.Definition{Dataset: ds, TestData: td})
	if err != nil {
		t.Fatal(err)
	}
	want := `"test_data": {"dict": [` +
		`[1, {"dict": [["patients", {"dict": [["date_of_birth", {"date": "1950-01-01"}], ["sex", "female"], ["date_of_death", null]]}], ` +
		`["clinical_events", [{"dict": [["date", {"date": "2010-01-01"}], ["snomedct_code", "123456"], ["numeric_value", 2.0]]}, {"dict": [["numeric_value", 1.5]]}]], ` +
		`["expected_in_population", true], ` +
		`["expected_columns", {"dict": [["age", 73], ["dob", {"date": "1950-01-01"}], ["last_value", 1.5], ["zzz", "x"]]}]]}], ` +
		`[2, {"dict": [["clinical_events", []], ["expected_in_population", false]]}], ` +
		`[3, {"dict": []}]]}`
	if !strings.Contains(string(data), want) {
		t.Errorf("encoded:\n%s\nwant:\n%s", data, want)
	}
}

func TestTestPatientsChecked(t *testing.T) {
	ds := testDataset(t)
	for _, tt := range []struct {
		name     string
		patients []q.TestPatient
		want     string
	}{
		{"unknown column", []q.TestPatient{q.Patient(1, q.Record(core.Patients, q.Values{"dob": "1950-01-01"}))},
			"test patient 1: table patients: no column dob (the columns are [date_of_birth sex date_of_death])"},
		{"date as int", []q.TestPatient{q.Patient(1, q.Record(core.Patients, q.Values{"date_of_birth": 1950}))},
			"test patient 1: table patients: column date_of_birth: 1950 (int) is not of type date"},
		{"malformed date", []q.TestPatient{q.Patient(1, q.Record(core.Patients, q.Values{"date_of_birth": "1950-13-01"}))},
			"test patient 1: table patients: column date_of_birth: "},
		{"bad code", []q.TestPatient{q.Patient(1, q.Records(core.ClinicalEvents, q.Values{"snomedct_code": "abc"}))},
			"test patient 1: table clinical_events: column snomedct_code: "},
		{"row numbered", []q.TestPatient{q.Patient(1, q.Records(core.ClinicalEvents, q.Values{}, q.Values{"numeric_value": "1"}))},
			`test patient 1: table clinical_events: row 2: column numeric_value: "1" (string) is not of type float`},
		{"two patients rows", []q.TestPatient{q.Patient(1, q.Records(core.Patients, q.Values{}, q.Values{}))},
			"test patient 1: table patients has at most one row per patient, but 2 rows are given"},
		{"table twice", []q.TestPatient{q.Patient(1, q.Records(core.ClinicalEvents), q.Records(core.ClinicalEvents))},
			"test patient 1: rows for table clinical_events are given twice"},
		{"filtered frame", []q.TestPatient{q.Patient(1, q.Records(core.ClinicalEvents.Where(core.ClinicalEvents.NumericValue.Gt(q.Float(1)))))},
			"test patient 1: test records are given for a table, not for a filtered or sorted frame"},
		{"expected type", []q.TestPatient{q.Patient(1, q.ExpectInPopulation(q.Values{"age": "73"}))},
			`test patient 1: expected column age: "73" (string) is not of type int`},
		{"expectation twice", []q.TestPatient{q.Patient(1, q.ExpectNotInPopulation(), q.ExpectNotInPopulation())},
			"test patient 1: its population expectation is given twice"},
		{"duplicate id", []q.TestPatient{q.Patient(1), q.Patient(1)},
			"test patient 1: declared twice (first at testdata_lang_test.go:"},
		{"zero patient", []q.TestPatient{{}}, "a test patient must be made with Patient()"},
	} {
		_, err := q.BuildTestData(tt.patients, ds)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v\nwant %q", tt.name, err, tt.want)
			continue
		}
		if tt.name != "zero patient" && !strings.HasPrefix(err.Error(), "testdata_lang_test.go:") {
			t.Errorf("%s: error %q does not name the line", tt.name, err)
		}
	}
}
