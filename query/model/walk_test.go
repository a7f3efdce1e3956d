package model_test

import (
	"reflect"
	"testing"

	"github.com/ehrql-go/ehrql/internal/spectest"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestWalk: every node once, parents first, and a false return keeps the
// walk out of a node's children.
func TestWalk(t *testing.T) {
	e := must(model.SelectTable(spectest.EventTable))
	i1 := must(model.SelectColumn(e, "i1"))
	sum := must(model.Aggregate(model.OpSum, i1))
	twice := must(model.Function(model.OpAdd, sum, sum))
	var got []model.Op
	model.Walk(func(n *model.Node) bool { got = append(got, n.Op()); return true }, twice, sum)
	want := []model.Op{model.OpAdd, model.OpSum, model.OpSelectColumn, model.OpSelectTable}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("visited %v, want %v", got, want)
	}
	got = nil
	model.Walk(func(n *model.Node) bool { got = append(got, n.Op()); return n.Op() != model.OpSum }, twice)
	if want := []model.Op{model.OpAdd, model.OpSum}; !reflect.DeepEqual(got, want) {
		t.Errorf("visited %v, want %v", got, want)
	}
}

// TestPickedColumns: the columns read from each pick, sorted, each once;
// columns of frames that are not picks do not count.
func TestPickedColumns(t *testing.T) {
	e := must(model.SelectTable(spectest.EventTable))
	sorted := must(model.Sort(e, must(model.SelectColumn(e, "d1"))))
	first := must(model.PickOneRowPerPatient(sorted, model.First))
	last := must(model.PickOneRowPerPatient(sorted, model.Last))
	i1 := must(model.SelectColumn(first, "i1"))
	b1 := must(model.SelectColumn(first, "b1"))
	d1 := must(model.SelectColumn(last, "d1"))
	plain := must(model.Aggregate(model.OpCount, e))
	got := model.PickedColumns(i1, b1, d1, i1, plain)
	want := map[model.ID][]string{first.ID(): {"b1", "i1"}, last.ID(): {"d1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PickedColumns = %v, want %v", got, want)
	}
}
