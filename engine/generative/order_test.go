package generative

import (
	"context"
	"reflect"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestEventTableOrder: an event-level output table lists each patient's
// rows by the frame's sort keys (the last applied first, NULL first), then
// by its columns, on both engines.
func TestEventTableOrder(t *testing.T) {
	e := must(model.SelectTable(tableE0))
	col := func(f *model.Node, name string) *model.Node { return must(model.SelectColumn(f, name)) }
	sorted := must(model.Sort(must(model.Sort(e, col(e, "i1"))), col(e, "d1")))
	frame := must(model.SeriesCollectionFrame([]string{"c0", "c1"}, []*model.Node{col(sorted, "i1"), col(sorted, "s1")}))
	ds := &model.Dataset{
		Population: must(model.Aggregate(model.OpExists, e)),
		Events:     []model.EventTable{{Name: "events", Frame: frame}},
	}
	d := func(s string) any { return model.MustParseDate(s) }
	row := func(pid int64, date any, i1 any, s1 any) memory.Row {
		return memory.Row{PatientID: pid, Values: map[string]any{"d1": date, "i1": i1, "s1": s1}}
	}
	data := memory.Data{"e0": {
		row(1, d("2020-03-01"), int64(1), "b"),
		row(2, nil, nil, nil),
		row(1, nil, int64(5), "a"),
		row(1, d("2020-01-01"), int64(2), "c"),
		row(1, d("2020-01-01"), int64(1), "z"),
		row(1, d("2020-01-01"), int64(1), "y"),
	}}
	want := [][]any{
		{int64(1), int64(5), "a"},
		{int64(1), int64(1), "y"},
		{int64(1), int64(1), "z"},
		{int64(1), int64(2), "c"},
		{int64(1), int64(1), "b"},
		{int64(2), nil, nil},
	}
	ref, err := memory.Run(ds, data, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ref.Events[0].Rows; !reflect.DeepEqual(got, want) {
		t.Errorf("reference engine: rows %v, want %v", got, want)
	}
	ctx := context.Background()
	r, err := NewRunner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	duck, err := r.RunDuckDB(ctx, ds, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := duck.Events[0].Rows; !reflect.DeepEqual(got, want) {
		t.Errorf("DuckDB: rows %v, want %v", got, want)
	}
}
