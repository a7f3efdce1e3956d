package model

import (
	"fmt"
)

// TestData is ehrQL's test_data: the test patients of an assurance test, in
// the order they are given. Each patient has rows for the tables the
// dataset reads and says whether it expects the patient in the population
// and, if so, with which values.
type TestData struct {
	Patients []TestPatient
}

// TestPatient is one test patient.
type TestPatient struct {
	ID int64
	// Tables are the rows given for each table, in the order given.
	Tables []TestTable
	// ExpectedInPopulation is nil when not given: ehrQL then expects the
	// patient in the population.
	ExpectedInPopulation *bool
	// ExpectedColumns are the values expected in the dataset, by column, in
	// the order given; nil when not given.
	ExpectedColumns []TestValue
}

// InPopulation says whether the patient is expected in the population.
func (p *TestPatient) InPopulation() bool {
	return p.ExpectedInPopulation == nil || *p.ExpectedInPopulation
}

// Table returns the rows given for the named table, and whether any were.
func (p *TestPatient) Table(name string) (TestTable, bool) {
	for _, t := range p.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return TestTable{}, false
}

// TestTable is the rows of one table for one test patient.
type TestTable struct {
	Name string
	// Single is true when the rows were given as one record rather than a
	// list of records (ehrQL's form for one-row-per-patient tables).
	Single bool
	Rows   []TestRow
}

// TestRow is one record: its values by column, in the order given.
type TestRow []TestValue

// TestValue is one column's value; Value is nil for NULL (None).
type TestValue struct {
	Column string
	Value  *Literal
}

// Go returns the value as the engines hold values: nil, bool, int64,
// float64, string or CivilDate.
func (v TestValue) Go() any {
	if v.Value == nil {
		return nil
	}
	return v.Value.Go()
}

// The keys of a test patient that are not tables.
const (
	testKeyInPopulation = "expected_in_population"
	testKeyColumns      = "expected_columns"
)

// The wire kinds of test data: a dict of patients by id, each a dict of
// tables (a record or a list of records) and expectations.
var (
	kindTestRecord  = dictOf(kindStr, nullable(kindLiteral))
	kindTestEntry   = oneOf(kindBool, kindTestRecord, listOf(kindTestRecord))
	kindTestPatient = dictOf(kindStr, kindTestEntry)
	kindTestData    = nullable(dictOf(kindInt, kindTestPatient))
)

// buildTestData makes TestData from a decoded kindTestData value.
func buildTestData(v any) (*TestData, error) {
	if v == nil {
		return nil, nil
	}
	td := &TestData{}
	seen := map[int64]bool{}
	for _, kv := range v.([][2]any) {
		id := kv[0].(int64)
		if seen[id] {
			return nil, fmt.Errorf("test_data: patient %d appears twice", id)
		}
		seen[id] = true
		p := TestPatient{ID: id}
		for _, entry := range kv[1].([][2]any) {
			key := entry[0].(string)
			where := fmt.Sprintf("test_data: patient %d: %s", id, key)
			switch key {
			case testKeyInPopulation:
				b, ok := entry[1].(bool)
				if !ok {
					return nil, fmt.Errorf("%s: expected true or false", where)
				}
				p.ExpectedInPopulation = &b
			case testKeyColumns:
				rec, ok := entry[1].([][2]any)
				if !ok {
					return nil, fmt.Errorf("%s: expected a dict of column values", where)
				}
				p.ExpectedColumns = testRow(rec)
				if p.ExpectedColumns == nil {
					p.ExpectedColumns = TestRow{}
				}
			default:
				t := TestTable{Name: key}
				switch x := entry[1].(type) {
				case [][2]any:
					t.Single = true
					t.Rows = []TestRow{testRow(x)}
				case []any:
					for _, r := range x {
						t.Rows = append(t.Rows, testRow(r.([][2]any)))
					}
				default:
					return nil, fmt.Errorf("%s: expected a record or a list of records", where)
				}
				p.Tables = append(p.Tables, t)
			}
		}
		td.Patients = append(td.Patients, p)
	}
	return td, nil
}

func testRow(rec [][2]any) TestRow {
	var row TestRow
	for _, kv := range rec {
		v := TestValue{Column: kv[0].(string)}
		if kv[1] != nil {
			l := kv[1].(Literal)
			v.Value = &l
		}
		row = append(row, v)
	}
	return row
}

// testDataParts is the kindTestData value of td, for encoding.
func testDataParts(td *TestData) any {
	if td == nil {
		return nil
	}
	patients := make([][2]any, 0, len(td.Patients))
	for _, p := range td.Patients {
		var entries [][2]any
		for _, t := range p.Tables {
			if t.Single && len(t.Rows) == 1 {
				entries = append(entries, [2]any{t.Name, recordParts(t.Rows[0])})
				continue
			}
			rows := make([]any, len(t.Rows))
			for i, r := range t.Rows {
				rows[i] = recordParts(r)
			}
			entries = append(entries, [2]any{t.Name, rows})
		}
		if p.ExpectedInPopulation != nil {
			entries = append(entries, [2]any{testKeyInPopulation, *p.ExpectedInPopulation})
		}
		if p.ExpectedColumns != nil {
			entries = append(entries, [2]any{testKeyColumns, recordParts(p.ExpectedColumns)})
		}
		if entries == nil {
			entries = [][2]any{}
		}
		patients = append(patients, [2]any{p.ID, entries})
	}
	return patients
}

func recordParts(r TestRow) [][2]any {
	out := make([][2]any, len(r))
	for i, v := range r {
		var val any
		if v.Value != nil {
			val = *v.Value
		}
		out[i] = [2]any{v.Column, val}
	}
	return out
}
