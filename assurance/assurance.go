// Package assurance runs ehrQL's assurance tests: a dataset definition's
// test patients (model.TestData) are checked against the table schemas'
// constraints, run through the definition, and every difference from what
// each patient expects is reported, by patient, table, column and value,
// in the words of ehrQL's report.
package assurance

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/query/model"
)

// The kinds of problem, named as ehrQL names them.
const (
	UnexpectedTestValue            = "unexpected-test-value"
	UnexpectedColumn               = "unexpected-column"
	UnexpectedRowCount             = "unexpected-row-count"
	UnexpectedInPopulation         = "unexpected-in-population"
	UnexpectedNotInPopulation      = "unexpected-not-in-population"
	UnexpectedKeyInExpectedColumns = "unexpected-key-in-expected-columns"
	UnexpectedOutputValue          = "unexpected-output-value"
)

// Results are what an assurance run found: the patients whose test data
// break the tables' constraints, and those whose results differ from what
// they expect, each in test-data order.
type Results struct {
	Constraints []PatientProblems
	Outputs     []OutputProblem
}

// OK reports whether nothing was found.
func (r *Results) OK() bool { return len(r.Constraints) == 0 && len(r.Outputs) == 0 }

// PatientProblems are one patient's problems with its test data, table by
// table (tables in name order).
type PatientProblems struct {
	Patient  int64
	Problems []DataProblem
}

// DataProblem is one problem with a patient's rows of one table.
type DataProblem struct {
	Kind  string // UnexpectedTestValue, UnexpectedColumn or UnexpectedRowCount
	Table string
	// Values break the column's constraints (UnexpectedTestValue).
	Values []BadValue
	// Invalid columns are not in the table, whose Valid columns these are
	// (UnexpectedColumn).
	Invalid, Valid []string
	// Rows were given for a one-row-per-patient table (UnexpectedRowCount).
	Rows int
}

// BadValue is a value that breaks a constraint, each as ehrQL writes them.
type BadValue struct{ Column, Constraint, Value string }

// OutputProblem is how one patient's results differ from its expectations.
type OutputProblem struct {
	Patient int64
	Kind    string
	// DatasetColumns and UnexpectedKeys: expected columns the dataset does
	// not have (UnexpectedKeyInExpectedColumns).
	DatasetColumns, UnexpectedKeys []string
	// Values that differ (UnexpectedOutputValue), as ehrQL writes them.
	Values []BadOutput
}

// BadOutput is an expected value and the value the dataset has.
type BadOutput struct{ Column, Expected, Actual string }

// Engine runs a dataset on tables of test rows and returns the dataset's
// rows (patient_id first).
type Engine func(ctx context.Context, ds *model.Dataset, tables []*model.Table, data memory.Data) (memory.Table, error)

// DuckDB is the production engine: the test rows are loaded into an
// in-memory DuckDB session and the compiled dataset query runs on them.
func DuckDB(opts engine.Options) Engine {
	return func(ctx context.Context, ds *model.Dataset, tables []*model.Table, data memory.Data) (memory.Table, error) {
		q, err := engine.CompileDataset(ds)
		if err != nil {
			return memory.Table{}, err
		}
		s, err := engine.OpenRows(ctx, tables, data, opts)
		if err != nil {
			return memory.Table{}, err
		}
		defer s.Close()
		res, err := q.Results(ctx, s)
		if err != nil {
			return memory.Table{}, err
		}
		return res.Dataset, nil
	}
}

// Memory is the reference engine (engine/memory), for checking DuckDB.
func Memory(_ context.Context, ds *model.Dataset, _ []*model.Table, data memory.Data) (memory.Table, error) {
	res, err := memory.Run(ds, data, memory.Options{})
	if err != nil {
		return memory.Table{}, err
	}
	return res.Dataset, nil
}

// TablesOf lists the tables the dataset reads, in name order (the order
// ehrQL checks them in).
func TablesOf(ds *model.Dataset) ([]*model.Table, error) {
	q, err := engine.CompileDataset(ds)
	if err != nil {
		return nil, err
	}
	tables := slices.Clone(q.Tables)
	slices.SortFunc(tables, func(a, b *model.Table) int { return cmp.Compare(a.Name, b.Name) })
	return tables, nil
}

// Validate checks the test data against the tables' constraints, runs the
// dataset on it with run, and compares each patient's results with what it
// expects. Test data whose values cannot be held by their columns at all
// (a string in a date column) is an error.
func Validate(ctx context.Context, ds *model.Dataset, td *model.TestData, run Engine) (*Results, error) {
	tables, err := TablesOf(ds)
	if err != nil {
		return nil, err
	}
	data, err := load(td, tables)
	if err != nil {
		return nil, err
	}
	res := &Results{Constraints: CheckData(td, tables)}
	out, err := run(ctx, ds, tables, data)
	if err != nil {
		return nil, err
	}
	results := map[int64][]any{}
	for _, row := range out.Rows {
		results[row[0].(int64)] = row
	}
	for _, p := range td.Patients {
		if prob := checkPatient(p, out.Columns, results); prob != nil {
			res.Outputs = append(res.Outputs, *prob)
		}
	}
	return res, nil
}

// TestDataError is test data that cannot be run at all: a value its
// column cannot hold.
type TestDataError struct{ Msg string }

// Error implements the error interface.
func (e *TestDataError) Error() string { return e.Msg }

// CheckData checks each patient's rows of the tables against their
// constraints and schemas (ehrQL's validate_constraints), and returns the
// patients with problems.
func CheckData(td *model.TestData, tables []*model.Table) []PatientProblems {
	var out []PatientProblems
	for _, p := range td.Patients {
		var problems []DataProblem
		for _, t := range tables {
			given, _ := p.Table(t.Name)
			problems = append(problems, checkConstraints(given.Rows, t)...)
		}
		if len(problems) > 0 {
			out = append(out, PatientProblems{Patient: p.ID, Problems: problems})
		}
	}
	return out
}

// load is the test patients' rows of the tables, as the engines read
// them; columns not in a table are left out.
func load(td *model.TestData, tables []*model.Table) (memory.Data, error) {
	data := memory.Data{}
	for _, p := range td.Patients {
		for _, t := range tables {
			given, _ := p.Table(t.Name)
			for _, r := range given.Rows {
				row := memory.Row{PatientID: p.ID, Values: map[string]any{}}
				for _, v := range r {
					c, ok := t.Column(v.Column)
					if !ok {
						continue
					}
					val, err := columnValue(v.Go(), c.Type)
					if err != nil {
						return nil, &TestDataError{fmt.Sprintf("test data: patient %d: table %s: column %s: %v", p.ID, t.Name, c.Name, err)}
					}
					row.Values[c.Name] = val
				}
				data[t.Name] = append(data[t.Name], row)
			}
		}
	}
	return data, nil
}

// columnValue converts a test value to the engines' form for a column of
// type t: ints are floats in a float column; any other mismatch is an
// error.
func columnValue(v any, t model.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	ok := false
	switch x := v.(type) {
	case bool:
		ok = t.Kind == model.KindBool
	case int64:
		if t.Kind == model.KindFloat {
			return float64(x), nil
		}
		ok = t.Kind == model.KindInt
	case float64:
		ok = t.Kind == model.KindFloat
	case string:
		ok = t.Kind == model.KindStr || t.Kind == model.KindCode || t.Kind == model.KindMultiCode
	case model.CivilDate:
		ok = t.Kind == model.KindDate
	}
	if !ok {
		return nil, fmt.Errorf("%s is not of type %s", pyStr(v), t.Name())
	}
	return v, nil
}

// checkConstraints is ehrQL's check of one patient's rows of table t: the
// values given against the columns' constraints, the columns against the
// schema, and the number of rows of a one-row-per-patient table.
func checkConstraints(rows []model.TestRow, t *model.Table) []DataProblem {
	var values []BadValue
	var invalid []string
	for _, r := range rows {
		for _, v := range r {
			c, ok := t.Column(v.Column)
			if !ok {
				if !slices.Contains(invalid, v.Column) {
					invalid = append(invalid, v.Column)
				}
				continue
			}
			for _, k := range c.Constraints {
				if !satisfies(k, v.Go()) {
					values = append(values, BadValue{Column: v.Column, Constraint: constraintRepr(k), Value: pyStr(v.Go())})
				}
			}
		}
	}
	var out []DataProblem
	if len(values) > 0 {
		out = append(out, DataProblem{Kind: UnexpectedTestValue, Table: t.Name, Values: values})
	}
	if len(invalid) > 0 {
		valid := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			valid[i] = c.Name
		}
		out = append(out, DataProblem{Kind: UnexpectedColumn, Table: t.Name, Invalid: invalid, Valid: valid})
	}
	if t.PatientLevel && len(rows) > 1 {
		out = append(out, DataProblem{Kind: UnexpectedRowCount, Table: t.Name, Rows: len(rows)})
	}
	return out
}

// satisfies is ehrQL's Constraint.validate for one value.
func satisfies(k model.Constraint, v any) bool {
	if v == nil {
		_, notNull := k.(model.NotNull)
		return !notNull
	}
	switch k := k.(type) {
	case model.Categorical:
		return slices.ContainsFunc(k.Values, func(l model.Literal) bool { return pyEqual(l.Go(), v) })
	case model.FirstOfMonth:
		d, ok := v.(model.CivilDate)
		return !ok || d.Day == 1
	case model.Regex:
		s, ok := v.(string)
		re, err := regexp.Compile(`^(?:` + k.Pattern + `)`)
		return ok && err == nil && re.MatchString(s)
	case model.ClosedRange:
		f, ok := number(v)
		return ok && float64(k.Min) <= f && f <= float64(k.Max)
	case model.GeneralRange:
		if k.Min != nil {
			c, ok := compare(k.Min.Go(), v)
			if !ok || c > 0 || c == 0 && !k.IncludesMinimum {
				return false
			}
		}
		if k.Max != nil {
			c, ok := compare(k.Max.Go(), v)
			if !ok || c < 0 || c == 0 && !k.IncludesMaximum {
				return false
			}
		}
	}
	return true
}

// number is a bool, int or float as Python compares them.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// compare orders two values as Python does, where they can be ordered.
func compare(a, b any) (int, bool) {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			return cmp.Compare(x, y), true
		}
		return 0, false
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case model.CivilDate:
		if y, ok := b.(model.CivilDate); ok {
			return x.DaysSince(y), true
		}
	}
	return 0, false
}

// pyEqual is Python's == for test values: numbers compare by value
// (True == 1 == 1.0), NaN equals nothing.
func pyEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := number(a); ok {
		y, ok := number(b)
		if xi, isInt := a.(int64); isInt {
			if yi, isInt := b.(int64); isInt {
				return xi == yi
			}
		}
		return ok && x == y && !math.IsNaN(x)
	}
	return a == b
}

// checkPatient is ehrQL's check of one patient's results.
func checkPatient(p model.TestPatient, columns []string, results map[int64][]any) *OutputProblem {
	row, in := results[p.ID]
	if !p.InPopulation() {
		if in {
			return &OutputProblem{Patient: p.ID, Kind: UnexpectedInPopulation}
		}
		return nil
	}
	if !in {
		return &OutputProblem{Patient: p.ID, Kind: UnexpectedNotInPopulation}
	}
	var unknown []string
	for _, e := range p.ExpectedColumns {
		if !slices.Contains(columns, e.Column) {
			unknown = append(unknown, e.Column)
		}
	}
	if len(unknown) > 0 {
		return &OutputProblem{Patient: p.ID, Kind: UnexpectedKeyInExpectedColumns, DatasetColumns: columns, UnexpectedKeys: unknown}
	}
	var bad []BadOutput
	for _, e := range p.ExpectedColumns {
		actual := row[slices.Index(columns, e.Column)]
		if !pyEqual(e.Go(), actual) {
			bad = append(bad, BadOutput{Column: e.Column, Expected: pyStr(e.Go()), Actual: pyStr(actual)})
		}
	}
	if len(bad) > 0 {
		return &OutputProblem{Patient: p.ID, Kind: UnexpectedOutputValue, Values: bad}
	}
	return nil
}

// pyStr writes a value as Python's str() does.
var pyStr = output.PyStr

// pyRepr writes a value as Python's repr() does.
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return output.PyRepr(x)
	case model.CivilDate:
		return fmt.Sprintf("datetime.date(%d, %d, %d)", x.Year, int(x.Month), x.Day)
	}
	return pyStr(v)
}

// pyTuple writes values as Python's repr of a tuple.
func pyTuple[T any](items []T, repr func(T) string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = repr(it)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// constraintRepr writes a constraint as ehrQL's dataclass repr does.
func constraintRepr(k model.Constraint) string {
	var args string
	switch k := k.(type) {
	case model.Categorical:
		args = "values=" + pyTuple(k.Values, func(l model.Literal) string { return pyRepr(l.Go()) })
	case model.Regex:
		args = "regex=" + pyRepr(k.Pattern)
	case model.ClosedRange:
		args = fmt.Sprintf("minimum=%d, maximum=%d, step=%d", k.Min, k.Max, k.Step)
	case model.GeneralRange:
		bound := func(l *model.Literal) string {
			if l == nil {
				return "None"
			}
			return pyRepr(l.Go())
		}
		args = fmt.Sprintf("minimum=%s, maximum=%s, includes_minimum=%s, includes_maximum=%s",
			bound(k.Min), bound(k.Max), pyStr(k.IncludesMinimum), pyStr(k.IncludesMaximum))
	case model.DateAfter:
		args = "column_names=" + pyTuple(k.Columns, func(s string) string { return pyRepr(s) })
	}
	return "Constraint." + k.ConstraintName() + "(" + args + ")"
}
