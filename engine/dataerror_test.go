package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// rangeOfInt ends every int overflow message.
const rangeOfInt = " is outside the range of an int (-9223372036854775808 to 9223372036854775807)"

// TestIntOverflowIsDataError: an int overflow in DuckDB (in + - * // abs
// negation and sums) is a *engine.DataError naming the variable (or the
// population, event table or measure), the operation and the values, never
// DuckDB's message.
func TestIntOverflowIsDataError(t *testing.T) {
	must := mustNode(t)
	pairs := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{
		{Name: "a", Type: model.Int}, {Name: "b", Type: model.Int}, {Name: "c", Type: model.Int}}}
	events := &model.Table{Name: "ev", Columns: []model.Column{{Name: "v0", Type: model.Int}}}
	pt := must(model.SelectTable(pairs))
	ev := must(model.SelectTable(events))
	a := must(model.SelectColumn(pt, "a"))
	b := must(model.SelectColumn(pt, "b"))
	c := must(model.SelectColumn(pt, "c"))
	v0 := must(model.SelectColumn(ev, "v0"))
	lit := func(i int64) *model.Node { return model.MustValue(model.IntLit(i)) }
	fn := func(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }
	exists := must(model.Aggregate(model.OpExists, pt))

	dir := t.TempDir()
	// Each operation overflows on exactly one row.
	os.WriteFile(filepath.Join(dir, "pt.csv"), []byte("patient_id,a,b,c\n"+
		"1,1,2,0\n"+
		"2,9223372036854775807,1,0\n"+
		"3,-9223372036854775808,1,0\n"+
		"4,4611686018427387904,4,0\n"+
		"5,0,0,-9223372036854775808\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ev.csv"), []byte("patient_id,v0\n1,5\n2,9223372036854775807\n2,1\n"), 0o644)
	ctx := context.Background()
	s, err := engine.OpenCSVTables(ctx, dir, []*model.Table{pairs, events}, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	cases := []struct {
		name   string
		series *model.Node
		want   string
	}{
		{"add", fn(model.OpAdd, a, b), "variable 'total': Function.Add: arithmetic overflow: 9223372036854775807 + 1" + rangeOfInt},
		{"subtract", fn(model.OpSubtract, a, b), "variable 'total': Function.Subtract: arithmetic overflow: -9223372036854775808 - 1" + rangeOfInt},
		{"multiply", fn(model.OpMultiply, a, b), "variable 'total': Function.Multiply: arithmetic overflow: 4611686018427387904 * 4" + rangeOfInt},
		{"negate", fn(model.OpNegate, c), "variable 'total': Function.Negate: arithmetic overflow: -(-9223372036854775808)" + rangeOfInt},
		{"absolute", fn(model.OpAbsolute, c), "variable 'total': Function.Absolute: arithmetic overflow: abs(-9223372036854775808)" + rangeOfInt},
		{"floor divide", fn(model.OpFloorDivide, c, lit(-1)), "variable 'total': Function.FloorDivide: arithmetic overflow: -9223372036854775808 // -1" + rangeOfInt},
		{"sum", must(model.Aggregate(model.OpSum, v0)), "variable 'total': AggregateByPatient.Sum: arithmetic overflow: the sum 9223372036854775808" + rangeOfInt},
		{"sum of a product", must(model.Aggregate(model.OpSum, fn(model.OpMultiply, v0, lit(2)))),
			"variable 'total': Function.Multiply: arithmetic overflow: 9223372036854775807 * 2" + rangeOfInt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := engine.CompileDataset(&model.Dataset{Population: exists, Variables: []model.Variable{
				{Name: "fine", Series: a},
				{Name: "total", Series: tc.series},
			}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = q.Run(ctx, s, filepath.Join(t.TempDir(), "out.csv"), nil)
			checkDataError(t, err, tc.want)
		})
	}

	t.Run("population", func(t *testing.T) {
		pop := fn(model.OpGT, fn(model.OpAdd, a, b), lit(0))
		q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: []model.Variable{{Name: "fine", Series: a}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.Run(ctx, s, filepath.Join(t.TempDir(), "out.csv"), nil)
		checkDataError(t, err, "population: Function.Add: arithmetic overflow: 9223372036854775807 + 1"+rangeOfInt)
	})

	t.Run("event table", func(t *testing.T) {
		frame := must(model.SeriesCollectionFrame([]string{"double"}, []*model.Node{fn(model.OpMultiply, v0, lit(2))}))
		q, err := engine.CompileDataset(&model.Dataset{Population: exists, Variables: []model.Variable{{Name: "fine", Series: a}},
			Events: []model.EventTable{{Name: "big", Frame: frame}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.Run(ctx, s, filepath.Join(t.TempDir(), "out")+":csv", nil)
		checkDataError(t, err, "event table 'big': Function.Multiply: arithmetic overflow: 9223372036854775807 * 2"+rangeOfInt)
	})

	t.Run("measure", func(t *testing.T) {
		year := [][2]model.CivilDate{{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}}
		q, err := engine.CompileMeasures([]model.Measure{
			{Name: "ok", Numerator: a, Denominator: exists, Intervals: year},
			{Name: "bad", Numerator: fn(model.OpAdd, a, b), Denominator: exists, Intervals: year},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.RunMeasures(ctx, s)
		checkDataError(t, err, "measure 'bad': Function.Add: arithmetic overflow: 9223372036854775807 + 1"+rangeOfInt)
	})
}

func checkDataError(t *testing.T, err error, want string) {
	t.Helper()
	var de *engine.DataError
	if !errors.As(err, &de) {
		t.Fatalf("got %T %v, want a *engine.DataError", err, err)
	}
	if de.Msg != want {
		t.Errorf("message\n  %s\nwant\n  %s", de.Msg, want)
	}
}

// TestOverflowMessage: DuckDB's overflow messages as the engine words them;
// the operation is named only where the computation has one, a narrower
// integer type than ehrQL's is named rather than the range of an int, and
// other messages are not overflows.
func TestOverflowMessage(t *testing.T) {
	must := mustNode(t)
	pt := must(model.SelectTable(&model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "a", Type: model.Int}}}))
	a := must(model.SelectColumn(pt, "a"))
	sum := must(model.Function(model.OpAdd, a, a))
	cases := []struct {
		msg   string
		roots []*model.Node
		want  string
		ok    bool
	}{
		{"Out of Range Error: Overflow in addition of INT64 (9223372036854775807 + 1)!\n\nLINE 1: ...", []*model.Node{sum},
			"Function.Add: arithmetic overflow: 9223372036854775807 + 1" + rangeOfInt, true},
		{"Out of Range Error: Overflow in addition of INT64 (9223372036854775807 + 1)!", []*model.Node{a},
			"arithmetic overflow: 9223372036854775807 + 1" + rangeOfInt, true},
		{"Out of Range Error: Overflow in addition of INT32 (2147483647 + 1)!", []*model.Node{sum},
			"Function.Add: arithmetic overflow: 2147483647 + 1 is outside the range of DuckDB's INT32", true},
		{"Out of Range Error: Overflow in multiplication of UINT16 (65535 * 2)!", nil,
			"arithmetic overflow: 65535 * 2 is outside the range of DuckDB's UINT16", true},
		{"Conversion Error: Type INT128 with value -9223372036854775809 can't be cast because the value is out of range for the destination type INT64 when casting from source column sum(x)", nil,
			"arithmetic overflow: the sum -9223372036854775809" + rangeOfInt, true},
		{"Conversion Error: Could not convert string 'x' to INT64", []*model.Node{sum}, "", false},
		{"Binder Error: No function matches the given name and argument types 'sum(VARCHAR)'", nil, "", false},
	}
	for _, c := range cases {
		got, ok := engine.OverflowMessage(c.msg, c.roots)
		if got != c.want || ok != c.ok {
			t.Errorf("%q:\n  got  %q, %v\n  want %q, %v", c.msg, got, ok, c.want, c.ok)
		}
	}
}

// TestDateErrorNamesMeasure: an error the compiled SQL raises on the data
// (a date out of range) names the measure, or the variable when a dataset's
// results are fetched rather than written, as for a written dataset.
func TestDateErrorNamesMeasure(t *testing.T) {
	must := mustNode(t)
	people := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{
		{Name: "d", Type: model.Date}, {Name: "n", Type: model.Int}}}
	pt := must(model.SelectTable(people))
	d := must(model.SelectColumn(pt, "d"))
	n := must(model.SelectColumn(pt, "n"))
	later := must(model.Function(model.OpDateAddYears, d, n))
	exists := must(model.Aggregate(model.OpExists, pt))
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pt.csv"), []byte("patient_id,d,n\n1,2020-01-01,1\n2,2020-01-01,20000\n"), 0o644)
	ctx := context.Background()
	s, err := engine.OpenCSVTables(ctx, dir, []*model.Table{people}, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const detail = "Function.DateAddYears: date out of range: year offset 20000 is out of range"

	year := [][2]model.CivilDate{{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}}
	mq, err := engine.CompileMeasures([]model.Measure{
		{Name: "ok", Numerator: n, Denominator: exists, Intervals: year},
		{Name: "bad", Numerator: must(model.Function(model.OpGT, later, model.MustValue(model.DateLit(model.MustParseDate("2021-01-01"))))), Denominator: exists, Intervals: year},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mq.RunMeasures(ctx, s)
	checkDataError(t, err, "measure 'bad': "+detail)

	q, err := engine.CompileDataset(&model.Dataset{Population: exists, Variables: []model.Variable{
		{Name: "fine", Series: n}, {Name: "later", Series: later}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = q.Run(ctx, s, filepath.Join(t.TempDir(), "out.csv"), nil)
	checkDataError(t, err, "variable 'later': "+detail)
	_, err = q.Results(ctx, s)
	checkDataError(t, err, "variable 'later': "+detail)
}
