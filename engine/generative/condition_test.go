package generative

import (
	"context"
	"math"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestAndWithNullOperandInCondition (seed 1153, reduced): a patient whose
// b1 is NULL, where the And's other operand adds 2^63-1 years to a date.
// The eager reference run fails; DuckDB, evaluating the And in a CASE WHEN
// or WHERE, drops the patient's row at the NULL operand and never adds the
// years; the lazy reference run must not fail either, since NULL And
// anything is not true whatever the other operand, and must agree.
func TestAndWithNullOperandInCondition(t *testing.T) {
	p, e := must(model.SelectTable(tableP0)), must(model.SelectTable(tableE0))
	far := func(f *model.Node) *model.Node {
		b := col(f, "b1")
		late := fn(model.OpGE, col(f, "d2"), fn(model.OpDateAddYears, col(f, "d1"), model.MustValue(model.IntLit(math.MaxInt64))))
		return fn(model.OpAnd, b, late)
	}
	exists := must(model.Aggregate(model.OpExists, p))
	day := model.MustParseDate("2020-01-01")
	row := memory.Row{PatientID: 1, Values: map[string]any{"b1": nil, "d1": day, "d2": day}}
	data := memory.Data{"p0": {row}, "e0": {row}}
	for _, tc := range []struct {
		name    string
		dataset *model.Dataset
	}{
		{"case condition", &model.Dataset{Population: must(model.Case(
			[]*model.Node{far(p)}, []*model.Node{model.MustValue(model.BoolLit(false))}, exists))}},
		{"filter condition", &model.Dataset{Population: exists, Variables: []model.Variable{
			{Name: "v", Series: must(model.Aggregate(model.OpCount, must(model.Filter(e, far(e)))))}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			r := testRunner(t, ctx, 0)
			if _, err := memory.Run(tc.dataset, data, memory.Options{}); err == nil {
				t.Fatal("eager reference run: no error")
			}
			if _, err := memory.Run(tc.dataset, data, memory.Options{Lazy: true}); err != nil {
				t.Errorf("lazy reference run: %v", err)
			}
			if err := r.Check(ctx, Case{Dataset: tc.dataset, Data: data}); err != nil {
				t.Error(err)
			}
		})
	}
}
