package engine_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestScansGroupedByNesting: aggregations of one table's rows share one
// scan unless one reads another (or a pick) of the same rows; nesting an
// aggregation of other rows does not split them.
func TestScansGroupedByNesting(t *testing.T) {
	cols := []model.Column{{Name: "i", Type: model.Int}, {Name: "d", Type: model.Date}}
	must := func(n *model.Node, err error) *model.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	e := must(model.SelectTable(&model.Table{Name: "ev", Columns: cols}))
	f := must(model.SelectTable(&model.Table{Name: "other", Columns: cols}))
	ei := must(model.SelectColumn(e, "i"))
	count := func(x *model.Node) *model.Node { return must(model.Aggregate(model.OpCount, x)) }
	sum := func(x *model.Node) *model.Node { return must(model.Aggregate(model.OpSum, x)) }
	add := func(a, b *model.Node) *model.Node { return must(model.Function(model.OpAdd, a, b)) }
	first := must(model.PickOneRowPerPatient(must(model.Sort(e, ei)), model.First))
	firstI := must(model.SelectColumn(first, "i"))
	scans := func(vars ...*model.Node) int {
		ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, e))}
		for i, v := range vars {
			ds.Variables = append(ds.Variables, model.Variable{Name: string(rune('a' + i)), Series: v})
		}
		q, err := engine.CompileDataset(ds)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(q.SQL, `FROM main."ev" AS e`)
	}
	if n := scans(count(e), sum(add(ei, count(f)))); n != 1 {
		t.Errorf("nesting another table's count: %d scans of ev, want 1", n)
	}
	if n := scans(firstI, sum(add(ei, firstI))); n != 2 {
		t.Errorf("nesting a pick of the same rows: %d scans of ev, want 2", n)
	}
}
