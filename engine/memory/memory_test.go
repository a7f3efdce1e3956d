package memory_test

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

var (
	pTable = &model.Table{Name: "p", PatientLevel: true, Columns: []model.Column{{Name: "d", Type: model.Date}, {Name: "n", Type: model.Int}}}
	eTable = &model.Table{Name: "e", Columns: []model.Column{{Name: "d", Type: model.Date}, {Name: "n", Type: model.Int}}}
)

func must(n *model.Node, err error) *model.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// TestEagerAndLazy: an error in a value that the results do not need fails
// the eager run (ehrQL's) but not the lazy one.
func TestEagerAndLazy(t *testing.T) {
	p := must(model.SelectTable(pTable))
	e := must(model.SelectTable(eTable))
	pd, pn := must(model.SelectColumn(p, "d")), must(model.SelectColumn(p, "n"))
	ed, en := must(model.SelectColumn(e, "d")), must(model.SelectColumn(e, "n"))
	fails := must(model.Function(model.OpDateAddYears, pd, pn)) // fails where n is huge
	exists := must(model.Aggregate(model.OpExists, p))
	isNull := must(model.Function(model.OpIsNull, pn))
	data := memory.Data{
		"p": {
			{PatientID: 1, Values: map[string]any{"d": model.MustParseDate("2020-01-01"), "n": int64(1)}},
			{PatientID: 2, Values: map[string]any{"d": model.MustParseDate("2020-01-01"), "n": int64(math.MaxInt64)}},
		},
		"e": {
			{PatientID: 1, Values: map[string]any{"d": model.MustParseDate("2020-01-01"), "n": int64(1)}},
			{PatientID: 2, Values: map[string]any{"d": model.MustParseDate("2020-01-01"), "n": int64(math.MaxInt64)}},
		},
	}
	onePatient := must(model.Function(model.OpAnd, exists, must(model.Function(model.OpEQ, pn, must(model.Value(model.IntLit(1)))))))
	sortedByFailing := must(model.Sort(e, must(model.Function(model.OpDateAddYears, ed, en))))
	for _, tc := range []struct {
		name     string
		pop, v   *model.Node
		lazyRows [][]any
	}{
		{"outside the population", onePatient, fails, [][]any{{int64(1), model.MustParseDate("2021-01-01")}}},
		{"case branch not taken", exists, must(model.Case([]*model.Node{must(model.Function(model.OpNot, isNull))}, []*model.Node{pd}, fails)),
			[][]any{{int64(1), model.MustParseDate("2020-01-01")}, {int64(2), model.MustParseDate("2020-01-01")}}},
		{"exists of a pick needs no sort", exists, must(model.Aggregate(model.OpExists, must(model.PickOneRowPerPatient(sortedByFailing, model.First)))),
			[][]any{{int64(1), true}, {int64(2), true}}},
		{"is null of a count needs no count", exists, must(model.Function(model.OpIsNull, must(model.Function(model.OpCastToInt,
			must(model.Aggregate(model.OpCount, must(model.Filter(e, must(model.Function(model.OpGE, must(model.Function(model.OpDateAddYears, ed, en)), ed)))))))))),
			[][]any{{int64(1), false}, {int64(2), false}}},
	} {
		ds := &model.Dataset{Population: tc.pop, Variables: []model.Variable{{Name: "v", Series: tc.v}}}
		_, err := memory.Run(ds, data, memory.Options{})
		var me *memory.Error
		if !errors.As(err, &me) || me.Err.Kind != model.ErrDateRange {
			t.Errorf("%s: eager run gave %v, want a date-range error", tc.name, err)
		}
		res, err := memory.Run(ds, data, memory.Options{Lazy: true})
		if err != nil {
			t.Errorf("%s: lazy run: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(res.Dataset.Rows, tc.lazyRows) {
			t.Errorf("%s: lazy rows %v, want %v", tc.name, res.Dataset.Rows, tc.lazyRows)
		}
	}
}

// TestPickTiesBrokenBySelectedColumns: among rows tied on the sort keys,
// the pick takes the one with the smallest (first) or largest (last) values
// of the columns read from it, whatever the table order.
func TestPickTiesBrokenBySelectedColumns(t *testing.T) {
	e := must(model.SelectTable(eTable))
	sorted := must(model.Sort(e, must(model.SelectColumn(e, "d"))))
	day := model.MustParseDate("2020-01-01")
	data := memory.Data{"e": {
		{PatientID: 1, Values: map[string]any{"d": day, "n": int64(5)}},
		{PatientID: 1, Values: map[string]any{"d": day, "n": int64(3)}},
		{PatientID: 1, Values: map[string]any{"d": day, "n": int64(4)}},
	}}
	for pos, want := range map[model.Position]int64{model.First: 3, model.Last: 5} {
		v := must(model.SelectColumn(must(model.PickOneRowPerPatient(sorted, pos)), "n"))
		ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, e)), Variables: []model.Variable{{Name: "v", Series: v}}}
		res, err := memory.Run(ds, data, memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Dataset.Rows[0][1]; got != want {
			t.Errorf("%s: got %v, want %d", pos, got, want)
		}
	}
}

// TestLazyConditionTruth: where only a condition's truth matters (a Case
// condition, a filter's condition, the population), an And with an
// operand that is NULL is not true whatever its other operands, so a lazy
// run need not evaluate one that fails (DuckDB does not: an AND in a CASE
// WHEN or WHERE drops a row at its first operand that is not true). Where
// the value itself is needed, or NULL must be told from false, the failing
// operand is evaluated and the lazy run fails too. A quotient by zero is
// NULL without its dividend (DuckDB's division does not compute it).
func TestLazyConditionTruth(t *testing.T) {
	cols := []model.Column{{Name: "b", Type: model.Bool}, {Name: "d", Type: model.Date}, {Name: "n", Type: model.Int}}
	pt := &model.Table{Name: "p", PatientLevel: true, Columns: cols}
	et := &model.Table{Name: "e", Columns: cols}
	p, e := must(model.SelectTable(pt)), must(model.SelectTable(et))
	col := func(f *model.Node, name string) *model.Node { return must(model.SelectColumn(f, name)) }
	fn := func(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }
	cond := func(f *model.Node) (b, late *model.Node) {
		// late fails where n is huge: d + n years.
		return col(f, "b"), fn(model.OpGE, col(f, "d"), fn(model.OpDateAddYears, col(f, "d"), col(f, "n")))
	}
	pb, plate := cond(p)
	eb, elate := cond(e)
	exists := must(model.Aggregate(model.OpExists, p))
	isNull := fn(model.OpIsNull, col(p, "d"))
	caseOf := func(c *model.Node) *model.Node {
		return must(model.Case([]*model.Node{c}, []*model.Node{col(p, "n")}, nil))
	}
	// the day of d + n years, and the count of e's rows where b is true
	lateDay := fn(model.OpDayFromDate, fn(model.OpDateAddYears, col(p, "d"), col(p, "n")))
	countB := must(model.Aggregate(model.OpCount, must(model.Filter(e, eb))))
	day := model.MustParseDate("2020-01-01")
	// Patient 1's b is NULL and n huge; patient 2's b is true and n -1.
	rows := []memory.Row{
		{PatientID: 1, Values: map[string]any{"b": nil, "d": day, "n": int64(math.MaxInt64)}},
		{PatientID: 2, Values: map[string]any{"b": true, "d": day, "n": int64(-1)}},
	}
	data := memory.Data{"p": rows, "e": rows}
	for _, tc := range []struct {
		name     string
		pop, v   *model.Node
		lazyRows [][]any // nil: the lazy run fails too
	}{
		{"and in a case condition", exists, caseOf(fn(model.OpAnd, pb, plate)),
			[][]any{{int64(1), nil}, {int64(2), int64(-1)}}},
		{"and in a case condition, failing operand first", exists, caseOf(fn(model.OpAnd, plate, pb)),
			[][]any{{int64(1), nil}, {int64(2), int64(-1)}}},
		{"and under or in a case condition", exists, caseOf(fn(model.OpOr, fn(model.OpAnd, pb, plate), isNull)),
			[][]any{{int64(1), nil}, {int64(2), int64(-1)}}},
		{"and in a filter's condition", exists, must(model.Aggregate(model.OpCount, must(model.Filter(e, fn(model.OpAnd, eb, elate))))),
			[][]any{{int64(1), int64(0)}, {int64(2), int64(1)}}},
		{"and in the population", fn(model.OpAnd, pb, plate), col(p, "n"),
			[][]any{{int64(2), int64(-1)}}},
		{"and as a value", exists, fn(model.OpAnd, pb, plate), nil},
		{"not of and in a case condition", exists, caseOf(fn(model.OpNot, fn(model.OpAnd, pb, plate))), nil},
		{"or in a case condition", exists, caseOf(fn(model.OpOr, pb, plate)), nil},
		{"is null of a max", exists, fn(model.OpIsNull, must(model.Aggregate(model.OpMax, col(must(model.Filter(e, elate)), "d")))), nil},
		{"is null of a count", exists, fn(model.OpIsNull, must(model.Aggregate(model.OpCount, must(model.Filter(e, elate))))),
			[][]any{{int64(1), false}, {int64(2), false}}},
		// a quotient by zero is NULL whatever the dividend: not needed
		{"a quotient by zero", exists, fn(model.OpTrueDivide, lateDay, countB),
			[][]any{{int64(1), nil}, {int64(2), 1.0}}},
		{"a floor quotient by zero", exists, fn(model.OpFloorDivide, lateDay, countB),
			[][]any{{int64(1), nil}, {int64(2), int64(1)}}},
		{"a quotient by a non-zero count", exists, fn(model.OpTrueDivide, lateDay, must(model.Aggregate(model.OpCount, e))), nil},
	} {
		ds := &model.Dataset{Population: tc.pop, Variables: []model.Variable{{Name: "v", Series: tc.v}}}
		_, err := memory.Run(ds, data, memory.Options{})
		var me *memory.Error
		if !errors.As(err, &me) || me.Err.Kind != model.ErrDateRange {
			t.Errorf("%s: eager run gave %v, want a date-range error", tc.name, err)
		}
		res, err := memory.Run(ds, data, memory.Options{Lazy: true})
		switch {
		case tc.lazyRows == nil:
			if !errors.As(err, &me) || me.Err.Kind != model.ErrDateRange {
				t.Errorf("%s: lazy run gave %v, want a date-range error", tc.name, err)
			}
		case err != nil:
			t.Errorf("%s: lazy run: %v", tc.name, err)
		case !reflect.DeepEqual(res.Dataset.Rows, tc.lazyRows):
			t.Errorf("%s: lazy rows %v, want %v", tc.name, res.Dataset.Rows, tc.lazyRows)
		}
	}
}
