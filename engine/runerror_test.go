package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestRunErrorNamesVariable: a query that fails while running names the
// variable (or measure) it was computing and the tables it reads, not just
// DuckDB's text.
func TestRunErrorNamesVariable(t *testing.T) {
	must := mustNode(t)
	events := &model.Table{Name: "ev", Columns: []model.Column{{Name: "v0", Type: model.Int}}}
	patients := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "k", Type: model.Int}}}
	ev := must(model.SelectTable(events))
	pt := must(model.SelectTable(patients))
	v0 := must(model.SelectColumn(ev, "v0"))
	k := must(model.SelectColumn(pt, "k"))
	total := must(model.Aggregate(model.OpSum, v0))
	overflow := must(model.Function(model.OpMultiply, total, model.MustValue(model.IntLit(1<<62))))
	pop := must(model.Aggregate(model.OpExists, ev))
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ev.csv"), []byte("patient_id,v0\n1,10\n2,1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "pt.csv"), []byte("patient_id,k\n1,1\n2,2\n"), 0o644)
	ctx := context.Background()

	q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: []model.Variable{
		{Name: "fine", Series: k},
		{Name: "huge", Series: overflow},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.OpenCSVTables(ctx, dir, q.Tables, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := filepath.Join(t.TempDir(), "out.csv")
	_, err = q.Run(ctx, s, out, nil)
	var re *engine.RunError
	if !errors.As(err, &re) || re.Variable != "huge" || strings.Join(re.Tables, ",") != "ev" {
		t.Fatalf("got %v, want a RunError for variable huge reading table ev", err)
	}
	t.Log(err)
	for _, want := range []string{"variable 'huge'", "table ev", "Overflow"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err.Error(), want)
		}
	}

	mq, err := engine.CompileMeasures([]model.Measure{
		{Name: "ok", Numerator: k, Denominator: pop, Intervals: [][2]model.CivilDate{{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}}},
		{Name: "bad", Numerator: overflow, Denominator: pop, Intervals: [][2]model.CivilDate{{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mq.RunMeasures(ctx, s)
	if !errors.As(err, &re) || re.Measure != "bad" || strings.Join(re.Tables, ",") != "ev" {
		t.Fatalf("got %v, want a RunError for measure bad reading table ev", err)
	}
	if !strings.Contains(err.Error(), "measure 'bad'") {
		t.Errorf("message %q lacks the measure", err.Error())
	}

	// An event-level output table that fails names itself.
	huge := must(model.Function(model.OpMultiply, v0, model.MustValue(model.IntLit(1<<62))))
	frame := must(model.SeriesCollectionFrame([]string{"huge"}, []*model.Node{huge}))
	q, err = engine.CompileDataset(&model.Dataset{Population: pop, Variables: []model.Variable{{Name: "fine", Series: k}},
		Events: []model.EventTable{{Name: "big_events", Frame: frame}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = q.Run(ctx, s, filepath.Join(t.TempDir(), "out")+":csv", nil)
	if !errors.As(err, &re) || re.EventTable != "big_events" || strings.Join(re.Tables, ",") != "ev" ||
		!strings.Contains(err.Error(), "computing event table 'big_events' from table ev") {
		t.Fatalf("got %v, want a RunError for event table big_events reading table ev", err)
	}
}
