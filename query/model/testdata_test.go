package model_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// pythonTestData is test_data as ehrQL's serializer writes it for
//
//	{1: {"patients": {"date_of_birth": date(1950, 1, 1), "sex": None},
//	     "clinical_events": [{"date": date(2010, 1, 1), "numeric_value": 1.0}],
//	     "expected_in_population": True,
//	     "expected_columns": {"x": 0}},
//	 2: {"clinical_events": [], "expected_in_population": False}}
const pythonTestData = `{"dict": [
  [1, {"dict": [
    ["patients", {"dict": [["date_of_birth", {"date": "1950-01-01"}], ["sex", null]]}],
    ["clinical_events", [{"dict": [["date", {"date": "2010-01-01"}], ["numeric_value", 1.0]]}]],
    ["expected_in_population", true],
    ["expected_columns", {"dict": [["x", 0]]}]]}],
  [2, {"dict": [["clinical_events", []], ["expected_in_population", false]]}]]}`

func withTestData(td string) []byte {
	root := strings.Replace(moduleDetailsRoot, `"test_data": null`, `"test_data": `+td, 1)
	return doc(root, map[string]string{
		"1": `{"Dataset": {"population": {"ref": "2"}, "variables": {"dict": [["x", {"ref": "3"}]]}, "events": {"dict": []}, "measures": null}}`,
		"2": `{"AggregateByPatient.Exists": {"source": ` + eventsRef + `}}`,
		"3": `{"AggregateByPatient.Count": {"source": ` + eventsRef + `}}`,
	})
}

func TestTestDataDecode(t *testing.T) {
	def, err := model.Decode(withTestData(pythonTestData), tables.Default())
	if err != nil {
		t.Fatal(err)
	}
	td := def.TestData
	if td == nil || len(td.Patients) != 2 {
		t.Fatalf("test data = %+v", td)
	}
	p1, p2 := td.Patients[0], td.Patients[1]
	if p1.ID != 1 || !p1.InPopulation() || p2.ID != 2 || p2.InPopulation() {
		t.Errorf("patients %d (in %v), %d (in %v)", p1.ID, p1.InPopulation(), p2.ID, p2.InPopulation())
	}
	pt, ok := p1.Table("patients")
	if !ok || !pt.Single || len(pt.Rows) != 1 {
		t.Fatalf("patients table = %+v", pt)
	}
	row := pt.Rows[0]
	if row[0].Column != "date_of_birth" || row[0].Go() != model.MustParseDate("1950-01-01") || row[1].Column != "sex" || row[1].Go() != nil {
		t.Errorf("patients row = %v %v, %v %v", row[0].Column, row[0].Go(), row[1].Column, row[1].Go())
	}
	ev, _ := p1.Table("clinical_events")
	if ev.Single || len(ev.Rows) != 1 || ev.Rows[0][1].Go() != 1.0 {
		t.Errorf("clinical_events = %+v", ev)
	}
	if len(p1.ExpectedColumns) != 1 || p1.ExpectedColumns[0].Column != "x" || p1.ExpectedColumns[0].Go() != int64(0) {
		t.Errorf("expected columns = %+v", p1.ExpectedColumns)
	}
	if ev2, ok := p2.Table("clinical_events"); !ok || len(ev2.Rows) != 0 || p2.ExpectedColumns != nil {
		t.Errorf("patient 2 = %+v", p2)
	}

	// Written back, it is ehrQL's form (compact) and reads the same.
	data, err := model.Encode(def)
	if err != nil {
		t.Fatal(err)
	}
	compact := strings.Join(strings.Fields(pythonTestData), " ")
	compact = strings.NewReplacer("[ ", "[", " ]", "]").Replace(compact)
	if !strings.Contains(string(data), `"test_data": `+compact+`, "measures"`) {
		t.Errorf("encoded:\n%s\nwant test_data:\n%s", data, compact)
	}
	again, err := model.Decode(data, tables.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(again.TestData.Patients) != 2 || again.TestData.Patients[0].Tables[0].Rows[0][0].Go() != model.MustParseDate("1950-01-01") {
		t.Errorf("round trip = %+v", again.TestData)
	}
}

func TestTestDataMalformed(t *testing.T) {
	for _, tt := range []struct{ td, want string }{
		{`[1]`, `test_data: expected`},
		{`{"dict": [["1", {"dict": []}]]}`, `expected an integer`},
		{`{"dict": [[1, {"dict": []}], [1, {"dict": []}]]}`, `patient 1 appears twice`},
		{`{"dict": [[1, {"dict": [["patients", true]]}]]}`, `patient 1: patients: expected a record or a list of records`},
		{`{"dict": [[1, {"dict": [["expected_in_population", {"dict": []}]]}]]}`, `patient 1: expected_in_population: expected true or false`},
		{`{"dict": [[1, {"dict": [["expected_columns", []]]}]]}`, `patient 1: expected_columns: expected a dict of column values`},
		{`{"dict": [[1, {"dict": [["patients", [{"dict": [["sex", [1]]]}]]]}]]}`, `expected`},
	} {
		_, err := model.Decode(withTestData(tt.td), tables.Default())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("test_data %s: error %v, want %q", tt.td, err, tt.want)
		}
	}
}
