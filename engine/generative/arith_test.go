package generative

import (
	"context"
	"math"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestIntArithmeticKeepsItsOrder (seed 8752, reduced): ints are added and
// multiplied in the order the query model nests them, as ehrQL does, so an
// operation ehrQL never performs cannot overflow. DuckDB's optimizer
// regroups a chain of integer + or * around its constants ("constant order
// normalization"): it rewrote ((i2 * count) * 1) * -2 as (-2 * i2) * count
// and failed on -2 * -2^63 for a patient whose count is 0, where ehrQL
// computes 0 * 1 * -2.
func TestIntArithmeticKeepsItsOrder(t *testing.T) {
	p, e := must(model.SelectTable(tableP0)), must(model.SelectTable(tableE0))
	lit := func(n int64) *model.Node { return model.MustValue(model.IntLit(n)) }
	i1, i2 := col(p, "i1"), col(p, "i2")

	t.Run("seed 8752: measure", func(t *testing.T) {
		// numerator = ((p0.i2 * count of e0) * 1) * -2: i2 = -2^63, no e0 rows
		num := fn(model.OpMultiply, fn(model.OpMultiply, fn(model.OpMultiply, i2, must(model.Aggregate(model.OpCount, e))), lit(1)), lit(-2))
		iv := [2]model.CivilDate{model.MustParseDate("2020-09-30"), model.MustParseDate("2020-11-03")}
		ms := []model.Measure{{Name: "m1", Numerator: num, Denominator: must(model.Aggregate(model.OpExists, p)),
			Intervals: [][2]model.CivilDate{iv}}}
		data := memory.Data{"p0": {{PatientID: 1, Values: map[string]any{"i2": int64(math.MinInt64)}}}}
		checkMeasures(t, ms, data, []memory.MeasureRow{{Measure: "m1", Start: iv[0], End: iv[1], Numerator: 0, Denominator: 1}})
	})

	ctx := context.Background()
	r := testRunner(t, ctx, 0)
	for _, tc := range []struct {
		name   string
		series *model.Node
		i1, i2 int64
		want   int64
	}{
		// ((i1 * i2) * 2) * 3 with i2 = 0: DuckDB computed 6 * i1 first.
		{"product regrouped", fn(model.OpMultiply, fn(model.OpMultiply, fn(model.OpMultiply, i1, i2), lit(2)), lit(3)),
			math.MinInt64, 0, 0},
		// (i1 * 2^62) * 4 with i1 = 0: DuckDB folded 2^62 * 4 first.
		{"constants folded", fn(model.OpMultiply, fn(model.OpMultiply, i1, lit(1<<62)), lit(4)),
			0, 7, 0},
		// (i1 + 5) + (i2 + 5): DuckDB computed 10 + i1 first.
		{"sum regrouped", fn(model.OpAdd, fn(model.OpAdd, i1, lit(5)), fn(model.OpAdd, i2, lit(5))),
			math.MaxInt64 - 7, -10, math.MaxInt64 - 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, p)),
				Variables: []model.Variable{{Name: "v", Series: tc.series}}}
			data := memory.Data{"p0": {{PatientID: 1, Values: map[string]any{"i1": tc.i1, "i2": tc.i2}}}}
			ref, err := memory.Run(ds, data, memory.Options{})
			if err != nil {
				t.Fatalf("reference engine: %v", err)
			}
			if got := ref.Dataset.Rows; len(got) != 1 || got[0][1] != tc.want {
				t.Errorf("reference engine: got %v, want v = %d", got, tc.want)
			}
			if err := r.Check(ctx, Case{Dataset: ds, Data: data}); err != nil {
				t.Error(err)
			}
		})
	}
}
