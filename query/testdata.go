package query

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/query/model"
)

// Test patients for assurance tests (ehrQL's test_data). A test file
// declares them in an init function, next to the definition it tests:
//
//	//ehrql:definition dataset_definition.go
//
//	func init() {
//		q.TestPatients(
//			q.Patient(1,
//				q.Record(core.Patients, q.Values{"date_of_birth": "1950-01-01", "sex": "female"}),
//				q.Records(core.Medications,
//					q.Values{"date": "2010-01-01", "dmd_code": "39113311000001107"},
//				),
//				q.ExpectInPopulation(q.Values{"age": 73, "has_asthma_med": true}),
//			),
//			q.Patient(2, q.Record(core.Patients, q.Values{"date_of_birth": "2010-01-01"}), q.ExpectNotInPopulation()),
//		)
//	}
//
// `ehrql assure` builds the test file together with the definition its
// //ehrql:definition line names, runs the definition on these patients and
// reports every difference from what they expect.
//
// Column names and the Go types of values are checked against the table
// schemas when the definition runs: a date column takes "YYYY-MM-DD" (or a
// time.Time), a code column a valid code, nil is NULL. The schemas'
// constraints (NotNull, Categorical, ...) are checked by `ehrql assure`,
// which reports values that break them, as ehrQL does.

// Values are the values of one record, or a patient's expected dataset
// values, by column name.
type Values map[string]any

// TestPatient is one test patient; make it with Patient.
type TestPatient struct {
	id       int64
	loc      string
	parts    []PatientPart
	declared bool
}

// PatientPart is a table's rows or an expectation of a test patient: see
// Record, Records, ExpectInPopulation and ExpectNotInPopulation.
type PatientPart struct {
	loc    string
	table  *model.Table
	single bool
	rows   []Values
	expect *bool
	cols   Values
	err    error
}

// Patient declares test patient id: its rows in each table and what it
// expects.
func Patient(id int64, parts ...PatientPart) TestPatient {
	return TestPatient{id: id, loc: callsite.Location(), parts: parts, declared: true}
}

// Record gives the patient one row of a table (ehrQL's single record, the
// form for one-row-per-patient tables such as patients).
func Record(table Frame, values Values) PatientPart {
	p := records(table, values)
	p.single = true
	return p
}

// Records gives the patient rows of a table, one per Values (none for no
// rows).
func Records(table Frame, rows ...Values) PatientPart { return records(table, rows...) }

func records(table Frame, rows ...Values) PatientPart {
	p := PatientPart{loc: callsite.Location(), rows: rows}
	n, err := table.frameNode()
	switch {
	case err != nil:
		p.err = err
	case n.Op() != model.OpSelectTable && n.Op() != model.OpSelectPatientTable:
		p.err = errors.New("test records are given for a table, not for a filtered or sorted frame")
	default:
		p.table = n.Table()
	}
	return p
}

// ExpectInPopulation says the patient is in the population, with these
// dataset values (columns not given are not checked).
func ExpectInPopulation(columns Values) PatientPart {
	in := true
	if columns == nil {
		columns = Values{}
	}
	return PatientPart{loc: callsite.Location(), expect: &in, cols: columns}
}

// ExpectNotInPopulation says the patient is not in the population.
func ExpectNotInPopulation() PatientPart {
	out := false
	return PatientPart{loc: callsite.Location(), expect: &out}
}

// testPatients are the patients declared by TestPatients, for Emit.
var testPatients struct {
	declared bool
	patients []TestPatient
	loc      string
}

// TestPatients declares the definition's test patients (call it from an
// init function of a test file). Emit writes them as the definition's
// test_data.
func TestPatients(patients ...TestPatient) {
	if !testPatients.declared {
		testPatients.loc = callsite.Location()
	}
	testPatients.declared = true
	testPatients.patients = append(testPatients.patients, patients...)
}

// declaredTestData converts the declared test patients, checking them
// against the table schemas and, for expected values, the dataset's
// columns (nil when none were declared).
func declaredTestData(ds *model.Dataset) (*model.TestData, error) {
	if !testPatients.declared {
		return nil, nil
	}
	return buildTestData(testPatients.patients, ds)
}

func buildTestData(patients []TestPatient, ds *model.Dataset) (*model.TestData, error) {
	varTypes := map[string]model.Type{}
	var varOrder []string
	if ds != nil {
		for _, v := range ds.Variables {
			varTypes[v.Name] = v.Series.Type()
			varOrder = append(varOrder, v.Name)
		}
	}
	td := &model.TestData{Patients: []model.TestPatient{}}
	seen := map[int64]string{}
	var errs []error
	for _, tp := range patients {
		if !tp.declared {
			errs = append(errs, errors.New("a test patient must be made with Patient()"))
			continue
		}
		failAt := func(loc string, format string, a ...any) {
			errs = append(errs, &DefinitionError{Location: loc, Err: fmt.Errorf("test patient %d: "+format, append([]any{tp.id}, a...)...)})
		}
		if prev, dup := seen[tp.id]; dup {
			failAt(tp.loc, "declared twice (first at %s)", prev)
			continue
		}
		seen[tp.id] = tp.loc
		p := model.TestPatient{ID: tp.id}
		tablesSeen := map[string]bool{}
		for _, part := range tp.parts {
			switch {
			case part.err != nil:
				failAt(part.loc, "%v", part.err)
			case part.expect != nil:
				if p.ExpectedInPopulation != nil {
					failAt(part.loc, "its population expectation is given twice")
					continue
				}
				p.ExpectedInPopulation = part.expect
				if *part.expect {
					row, err := expectedRow(part.cols, varTypes, varOrder)
					if err != nil {
						failAt(part.loc, "%v", err)
					}
					p.ExpectedColumns = row
				}
			case part.table == nil:
				failAt(part.loc, "an empty part (make parts with Record, Records or the Expect functions)")
			default:
				t := part.table
				if tablesSeen[t.Name] {
					failAt(part.loc, "rows for table %s are given twice", t.Name)
					continue
				}
				tablesSeen[t.Name] = true
				if t.PatientLevel && len(part.rows) > 1 {
					failAt(part.loc, "table %s has at most one row per patient, but %d rows are given", t.Name, len(part.rows))
					continue
				}
				tt := model.TestTable{Name: t.Name, Single: part.single, Rows: []model.TestRow{}}
				for i, r := range part.rows {
					row, err := tableRow(t, r)
					if err != nil {
						if len(part.rows) > 1 {
							err = fmt.Errorf("row %d: %w", i+1, err)
						}
						failAt(part.loc, "table %s: %v", t.Name, err)
						continue
					}
					tt.Rows = append(tt.Rows, row)
				}
				p.Tables = append(p.Tables, tt)
			}
		}
		td.Patients = append(td.Patients, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return td, nil
}

// tableRow converts a record of t, in schema order, refusing unknown
// columns and values of the wrong type.
func tableRow(t *model.Table, r Values) (model.TestRow, error) {
	for name := range r {
		if _, ok := t.Column(name); !ok {
			valid := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				valid[i] = c.Name
			}
			return nil, fmt.Errorf("no column %s (the columns are %v)", name, valid)
		}
	}
	row := model.TestRow{}
	for _, c := range t.Columns {
		v, ok := r[c.Name]
		if !ok {
			continue
		}
		l, err := testLiteral(v, &c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		row = append(row, model.TestValue{Column: c.Name, Value: l})
	}
	return row, nil
}

// expectedRow converts expected dataset values: the dataset's columns in
// its order, then any other names (which assure reports) in name order.
func expectedRow(cols Values, types map[string]model.Type, order []string) (model.TestRow, error) {
	var names, others []string
	for _, name := range order {
		if _, ok := cols[name]; ok {
			names = append(names, name)
		}
	}
	for name := range cols {
		if _, ok := types[name]; !ok {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	row := model.TestRow{}
	for _, name := range append(names, others...) {
		var typ *model.Type
		if t, ok := types[name]; ok {
			typ = &t
		}
		l, err := testLiteral(cols[name], typ)
		if err != nil {
			return nil, fmt.Errorf("expected column %s: %w", name, err)
		}
		row = append(row, model.TestValue{Column: name, Value: l})
	}
	return row, nil
}

// testLiteral converts a Go value to a test value of type typ (nil: by
// the value's Go type). Codes and multi-code strings are written as the
// strings ehrQL's test data holds.
func testLiteral(v any, typ *model.Type) (*model.Literal, error) {
	if v == nil {
		return nil, nil
	}
	lit := func(l model.Literal) (*model.Literal, error) { return &l, nil }
	wrong := func() (*model.Literal, error) {
		return nil, fmt.Errorf("%#v (%T) is not of type %s", v, v, typ.Name())
	}
	rv := reflect.ValueOf(v)
	isInt := rv.CanInt() || rv.CanUint()
	if typ == nil {
		switch x := v.(type) {
		case bool:
			return lit(model.BoolLit(x))
		case string:
			return lit(model.StrLit(x))
		case time.Time:
			return lit(model.DateLit(model.DateOf(x)))
		case float32, float64:
			return lit(model.FloatLit(rv.Float()))
		}
		if isInt {
			t := model.Int
			return testLiteral(v, &t)
		}
		return nil, fmt.Errorf("%#v (%T) is not a test value (use bool, int, float64, string or nil)", v, v)
	}
	switch typ.Kind {
	case model.KindBool:
		if b, ok := v.(bool); ok {
			return lit(model.BoolLit(b))
		}
	case model.KindInt:
		switch {
		case rv.CanInt():
			return lit(model.IntLit(rv.Int()))
		case rv.CanUint() && rv.Uint() <= 1<<63-1:
			return lit(model.IntLit(int64(rv.Uint())))
		}
	case model.KindFloat:
		switch {
		case rv.CanFloat():
			return lit(model.FloatLit(rv.Float()))
		case rv.CanInt():
			return lit(model.FloatLit(float64(rv.Int())))
		}
	case model.KindStr:
		if s, ok := v.(string); ok {
			return lit(model.StrLit(s))
		}
	case model.KindCode:
		if s, ok := v.(string); ok {
			if _, err := model.CodeLit(typ.System, s); err != nil {
				return nil, err
			}
			return lit(model.StrLit(s))
		}
	case model.KindMultiCode:
		if s, ok := v.(string); ok {
			return lit(model.StrLit(s))
		}
	case model.KindDate:
		switch x := v.(type) {
		case string:
			d, err := model.ParseDate(x)
			if err != nil {
				return nil, err
			}
			return lit(model.DateLit(d))
		case time.Time:
			return lit(model.DateLit(model.DateOf(x)))
		}
	}
	return wrong()
}
