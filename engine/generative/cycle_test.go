package generative

import (
	"context"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestScansThatNeedEachOther (seed 2273, reduced): aggregations and picks
// of the same rows share a scan, which must not need itself through the
// scan of other rows. Two picks of e0, one sorted by an aggregation of e1,
// the other read by an aggregation of e1, would make the scans of e0 and
// e1 need each other: DuckDB refused the model with an internal error.
func TestScansThatNeedEachOther(t *testing.T) {
	e0, e1, p1 := must(model.SelectTable(tableE0)), must(model.SelectTable(tableE1)), must(model.SelectTable(tableP1))
	agg := func(op model.Op, x *model.Node) *model.Node { return must(model.Aggregate(op, x)) }
	last := func(f, key *model.Node) *model.Node {
		return must(model.PickOneRowPerPatient(must(model.Sort(f, key)), model.Last))
	}
	daysTo := func(d, pick *model.Node) *model.Node {
		return fn(model.OpDateDifferenceInDays, d, col(pick, "d1"))
	}
	// e0's last row by i1 + the count of e1's rows; e0's last row by d1
	byCount := last(e0, fn(model.OpAdd, col(e0, "i1"), agg(model.OpCount, e1)))
	byDate := last(e0, col(e0, "d1"))
	// the seed's: sorted by a Case on whether e1 has rows
	byExists := last(e0, must(model.Case([]*model.Node{agg(model.OpExists, e1)}, []*model.Node{col(p1, "i2")}, col(e0, "i2"))))
	overE1 := agg(model.OpMax, daysTo(col(e1, "d1"), byDate))
	// The same in a shared scan of e0: four frames, each read by a member
	// nesting aggregations two deep (laterBy counts p1's rows), among them
	// a pick sorted by the count of e1 and a pick a max over e1 reads.
	e0s := []*model.Node{e0}
	for _, cond := range []*model.Node{
		col(e0, "b1"),
		fn(model.OpGT, col(e0, "i1"), model.MustValue(model.IntLit(0))),
		fn(model.OpLT, col(e0, "i2"), model.MustValue(model.IntLit(5))),
	} {
		e0s = append(e0s, must(model.Filter(e0, cond)))
	}
	laterBy := func(f *model.Node) *model.Node {
		return fn(model.OpDateAddDays, col(f, "d1"), agg(model.OpCount, p1))
	}
	sharedByCount := last(e0s[0], fn(model.OpAdd, col(e0s[0], "i1"), agg(model.OpCount, e1)))
	sharedByDate := last(e0s[1], laterBy(e0s[1]))
	vars := func(series ...*model.Node) []model.Variable {
		var out []model.Variable
		for i, s := range series {
			out = append(out, model.Variable{Name: string(rune('a' + i)), Series: s})
		}
		return out
	}
	d := func(s string) any { return model.MustParseDate(s) }
	row := func(id int64, values map[string]any) memory.Row { return memory.Row{PatientID: id, Values: values} }
	data := memory.Data{
		"e0": {
			row(1, map[string]any{"i1": int64(1), "i2": int64(2), "b1": true, "d1": d("2020-03-01")}),
			row(1, map[string]any{"i1": int64(-1), "i2": int64(9), "b1": true, "d1": d("2020-05-01")}),
			row(1, map[string]any{"i1": int64(3), "i2": int64(1), "b1": false, "d1": d("2020-01-01")}),
			row(2, map[string]any{"i1": int64(4), "i2": int64(3), "b1": true, "d1": d("2021-01-01")}),
			row(2, map[string]any{"i1": int64(-7), "i2": int64(7), "b1": nil, "d1": nil}),
			row(3, map[string]any{"i1": int64(2), "i2": int64(0), "b1": true, "d1": d("2019-06-30")}),
		},
		"e1": {
			row(1, map[string]any{"i1": int64(7), "d1": d("2020-06-01")}),
			row(1, map[string]any{"i1": int64(5), "d1": d("2020-02-01")}),
			row(2, map[string]any{"i1": int64(-1), "d1": d("2020-12-25")}),
			row(4, map[string]any{"i1": int64(2), "d1": d("2022-01-01")}),
		},
		"p1": {
			row(1, map[string]any{"i2": int64(5)}), row(2, map[string]any{"i2": nil}),
			row(3, map[string]any{"i2": int64(-1)}), row(4, map[string]any{"i2": int64(0)}),
		},
	}
	ctx := context.Background()
	r := testRunner(t, ctx, 0)
	for _, tc := range []struct {
		name string
		vars []model.Variable
	}{
		{"a pick sorted by an aggregation of e1, a pick an aggregation of e1 reads",
			vars(col(byCount, "i2"), overE1)},
		{"the same, the aggregation of e1 first", vars(overE1, col(byCount, "i2"))},
		{"seed 2273", vars(
			agg(model.OpMin, daysTo(col(e0, "d1"), byExists)),
			agg(model.OpMin, must(model.Case(
				[]*model.Node{fn(model.OpLT, agg(model.OpMin, daysTo(col(e0, "d1"), byDate)), model.MustValue(model.IntLit(6)))},
				[]*model.Node{col(e1, "i1")}, nil))),
		)},
		{"a shared scan of e0", vars(
			col(sharedByCount, "i2"),
			agg(model.OpMax, daysTo(col(e1, "d1"), sharedByDate)),
			agg(model.OpMax, laterBy(e0s[2])),
			agg(model.OpMax, laterBy(e0s[3])))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := &model.Dataset{Population: agg(model.OpExists, p1), Variables: tc.vars}
			ref, err := memory.Run(ds, data, memory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("reference engine: %v", ref.Dataset.Rows)
			if err := r.Check(ctx, Case{Dataset: ds, Data: data}); err != nil {
				t.Error(err)
			}
		})
	}
}
