package generative

import (
	"context"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestConstantDenominator: a denominator that reads no table and is never
// true counts nobody: no rows, on both engines.
func TestConstantDenominator(t *testing.T) {
	p := must(model.SelectTable(tableP0))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	for _, den := range []*model.Node{
		model.MustValue(model.BoolLit(false)),
		must(model.Function(model.OpNot, model.MustValue(model.BoolLit(true)))),
	} {
		ms := []model.Measure{{Name: "m", Numerator: must(model.Aggregate(model.OpExists, p)), Denominator: den, Intervals: [][2]model.CivilDate{iv}}}
		data := memory.Data{"p0": {{PatientID: 1, Values: map[string]any{"i1": int64(1)}}}}
		ref, err := memory.RunMeasures(ms, data, memory.Options{})
		if err != nil || len(ref) != 0 {
			t.Errorf("reference engine: %v, %v; want no rows", ref, err)
		}
		ctx := context.Background()
		r, err := NewRunner(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		duck, err := r.RunMeasuresDuckDB(ctx, ms, data)
		if err != nil || len(duck) != 0 {
			t.Errorf("DuckDB: %v, %v; want no rows", duck, err)
		}
	}
}
