package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestRunErrorNamesVariable: a query that fails while running, other than
// on values in the data (see TestIntOverflowIsDataError), names the
// variable (or measure, or event table) it was computing and the tables it
// reads, not just DuckDB's text. Here DuckDB fails because a table holds
// text where the schema says int (a session filled by hand: stores and
// dummy tables are checked against the schema).
func TestRunErrorNamesVariable(t *testing.T) {
	must := mustNode(t)
	events := &model.Table{Name: "ev", Columns: []model.Column{{Name: "v0", Type: model.Int}}}
	patients := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "k", Type: model.Int}}}
	ev := must(model.SelectTable(events))
	pt := must(model.SelectTable(patients))
	v0 := must(model.SelectColumn(ev, "v0"))
	k := must(model.SelectColumn(pt, "k"))
	total := must(model.Aggregate(model.OpSum, v0))
	broken := must(model.Function(model.OpMultiply, total, model.MustValue(model.IntLit(2))))
	pop := must(model.Aggregate(model.OpExists, ev))
	ctx := context.Background()
	s, err := engine.OpenEmpty(ctx, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, stmt := range []string{
		"CREATE TABLE ev (patient_id BIGINT, v0 VARCHAR)",
		"INSERT INTO ev VALUES (1, 'ten'), (2, 'one')",
		"CREATE TABLE pt (patient_id BIGINT, k BIGINT)",
		"INSERT INTO pt VALUES (1, 1), (2, 2)",
	} {
		if err := s.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}

	q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: []model.Variable{
		{Name: "fine", Series: k},
		{Name: "huge", Series: broken},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.csv")
	_, err = q.Run(ctx, s, out, nil)
	var re *engine.RunError
	if !errors.As(err, &re) || re.Variable != "huge" || strings.Join(re.Tables, ",") != "ev" {
		t.Fatalf("got %v, want a RunError for variable huge reading table ev", err)
	}
	t.Log(err)
	for _, want := range []string{"computing variable 'huge' from table ev: ", "VARCHAR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err.Error(), want)
		}
	}

	mq, err := engine.CompileMeasures([]model.Measure{
		{Name: "ok", Numerator: k, Denominator: pop, Intervals: [][2]model.CivilDate{{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}}},
		{Name: "bad", Numerator: broken, Denominator: pop, Intervals: [][2]model.CivilDate{{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}}},
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
	huge := must(model.Function(model.OpMultiply, v0, model.MustValue(model.IntLit(2))))
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
