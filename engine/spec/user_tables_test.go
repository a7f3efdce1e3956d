package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// Chapter user_tables: user-defined tables (query.PatientTable,
// query.EventTable and query.Column over a schema of one's own), read from a
// DuckDB patient store file (engine.OpenStore) rather than from CSV dummy
// tables. The store holds typed tables, as a data pipeline would write them.
func TestUserTables(t *testing.T) { runChapter(t, userTablesCases) }

func userTablesCases(testing.TB) []specCase {
	patients := tables{p: `
          |  i1 | b1 |     d1     |  f1  | s1  |   c1   | m1
        --+-----+----+------------+------+-----+--------+--------------------
        1 | 101 | T  | 1990-01-02 |  1.5 | ab  | 123000 | ||E119 ,J849
        2 | 201 | F  | 2000-02-29 | -2.5 | é'x | 456000 | ||I801
        3 |     |    |            |      |     |        |
    `}
	events := tables{
		p: `
              | i1
            --+----
            1 | 100
            2 | 200
            4 | 400
        `,
		e: `
              |  i1 | b1 |     d1     | s1 |   c1
            --+-----+----+------------+----+--------
            1 | 101 | T  | 2020-01-01 | a  | 123000
            1 | 102 | T  | 2020-03-01 | b  | 456000
            1 | 103 | F  | 2020-02-01 | c  | 123000
            2 | 201 |    | 2021-01-01 | d  |
            3 | 301 | T  |            | e  | 789000
        `,
	}
	return []specCase{
		{name: "extra_store_int_column", data: patients, store: true, series: pi1(), want: map[int64]any{1: 101, 2: 201, 3: nil}},
		{name: "extra_store_bool_column", data: patients, store: true, series: pb1(), want: map[int64]any{1: true, 2: false, 3: nil}},
		{
			name: "extra_store_date_column", data: patients, store: true,
			series: pd1().Add(query.Years(1)),
			want:   map[int64]any{1: date("1991-01-02"), 2: date("2001-03-01"), 3: nil},
		},
		{name: "extra_store_float_column", data: patients, store: true, series: pf1().Mul(query.Float(2)), want: map[int64]any{1: 3.0, 2: -5.0, 3: nil}},
		{name: "extra_store_str_column", data: patients, store: true, series: ps1(), want: map[int64]any{1: "ab", 2: "é'x", 3: nil}},
		{
			name: "extra_store_code_column", data: patients, store: true,
			series: pc1().IsIn(codelists.New("456000")),
			want:   map[int64]any{1: false, 2: true, 3: nil},
		},
		{
			name: "extra_store_multi_code_column", data: patients, store: true,
			series: pm1().Contains("E11"),
			want:   map[int64]any{1: true, 2: false, 3: nil},
		},
		{
			name: "extra_store_event_table_sort_and_pick", data: events, store: true,
			series: query.Column[strP](E.Where(eb1()).SortBy(ed1()).LastForPatient(), "s1"),
			want:   map[int64]any{1: "b", 2: nil, 3: "e", 4: nil},
		},
		{
			name: "extra_store_event_table_aggregates", data: events, store: true,
			series: ec1().CountDistinctForPatient().Add(E.CountForPatient()),
			want:   map[int64]any{1: 2 + 3, 2: 0 + 1, 3: 1 + 1, 4: 0},
		},
		{
			name: "extra_store_patient_and_event_tables", data: events, store: true,
			series:     E.Where(ei1().Gt(pi1().Add(query.Int(1)))).CountForPatient(),
			population: P.ExistsForPatient(),
			want:       map[int64]any{1: 2, 2: 0, 4: 0},
		},
	}
}

// TestUnsupportedIsRefused: an operation the engine cannot run (here a
// measures interval parameter in a dataset) is refused with an
// *engine.UnsupportedError naming it, never compiled to a wrong answer.
func TestUnsupportedIsRefused(t *testing.T) {
	start, err := model.Parameter("interval_start_date", model.Date)
	if err != nil {
		t.Fatal(err)
	}
	after, err := model.Function(model.OpGE, col(e, "d1"), start)
	if err != nil {
		t.Fatal(err)
	}
	filtered, err := model.Filter(e, after)
	if err != nil {
		t.Fatal(err)
	}
	ds := &model.Dataset{Population: exists(e), Variables: []model.Variable{{Name: "v", Series: count(filtered)}}}
	_, err = engine.CompileDataset(ds)
	var unsupported *engine.UnsupportedError
	if !errors.As(err, &unsupported) || !strings.Contains(err.Error(), "not supported") || !strings.Contains(err.Error(), "interval_start_date") {
		t.Fatalf("CompileDataset gave %v (%T), want an *engine.UnsupportedError naming the parameter", err, err)
	}
}

// TestEventLevelOutputThroughJSON: a dataset with an event-level output
// table (ehrQL's add_event_table) compiles to the same SQL directly and
// after a trip through JSON.
func TestEventLevelOutputThroughJSON(t *testing.T) {
	frame, err := model.SeriesCollectionFrame([]string{"i1", "d1"}, []*model.Node{col(e, "i1"), col(e, "d1")})
	if err != nil {
		t.Fatal(err)
	}
	ds := &model.Dataset{
		Population: exists(e),
		Variables:  []model.Variable{{Name: "v", Series: count(e)}},
		Events:     []model.EventTable{{Name: "events", Frame: frame}},
	}
	direct, err := engine.CompileDataset(ds)
	if err != nil {
		t.Fatal(err)
	}
	js, err := model.Encode(&model.Definition{Dataset: ds})
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := model.Decode(js, noTables{})
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	viaJSON, err := engine.CompileDataset(decoded.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	if len(viaJSON.Events) != 1 || viaJSON.Events[0].SQL != direct.Events[0].SQL {
		t.Error("the event table compiles differently through JSON")
	}
}
