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
	r := testRunner(t, ctx, 0)
	duck, err := r.RunDuckDB(ctx, ds, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := duck.Events[0].Rows; !reflect.DeepEqual(got, want) {
		t.Errorf("DuckDB: rows %v, want %v", got, want)
	}
}

// TestPickTiesAcrossOutputs: a pick's ties are broken by every column read
// from it anywhere in the dataset, so a column an event table reads from it
// comes from the same row as the dataset's variables.
func TestPickTiesAcrossOutputs(t *testing.T) {
	e := must(model.SelectTable(tableE0))
	first := must(model.PickOneRowPerPatient(must(model.Sort(e, col(e, "d1"))), model.First))
	frame := must(model.SeriesCollectionFrame([]string{"c0", "c1"}, []*model.Node{col(e, "i1"), col(first, "s1")}))
	ds := &model.Dataset{
		Population: must(model.Aggregate(model.OpExists, e)),
		Variables:  []model.Variable{{Name: "v", Series: col(first, "i2")}},
		Events:     []model.EventTable{{Name: "events", Frame: frame}},
	}
	day := model.MustParseDate("2020-01-01")
	data := memory.Data{"e0": {
		{PatientID: 1, Values: map[string]any{"d1": day, "i1": int64(1), "i2": int64(5), "s1": "a"}},
		{PatientID: 1, Values: map[string]any{"d1": day, "i1": int64(2), "i2": int64(3), "s1": "b"}},
	}}
	// Sorted by d1, then i2, then s1: the row with i2 = 3 comes first.
	wantDataset := [][]any{{int64(1), int64(3)}}
	wantEvents := [][]any{{int64(1), int64(1), "b"}, {int64(1), int64(2), "b"}}
	ctx := context.Background()
	r := testRunner(t, ctx, 0)
	ref, err := memory.Run(ds, data, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	duck, err := r.RunDuckDB(ctx, ds, data)
	if err != nil {
		t.Fatal(err)
	}
	for name, res := range map[string]*memory.Results{"reference engine": ref, "DuckDB": duck} {
		if !reflect.DeepEqual(res.Dataset.Rows, wantDataset) || !reflect.DeepEqual(res.Events[0].Rows, wantEvents) {
			t.Errorf("%s: dataset %v, events %v; want %v, %v", name, res.Dataset.Rows, res.Events[0].Rows, wantDataset, wantEvents)
		}
	}
}
