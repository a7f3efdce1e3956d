package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
)

// TestTableFromRows: a table whose rows are written in a Go definition
// (ehrQL's table_from_rows) is read like any patient table, on DuckDB and
// on the reference engine, NULLs and all, and the rows survive the JSON
// query model.
func TestTableFromRows(t *testing.T) {
	extra := &model.Table{Name: "extra", PatientLevel: true, Columns: []model.Column{
		{Name: "flag", Type: model.Bool}, {Name: "score", Type: model.Float},
		{Name: "seen", Type: model.Date}, {Name: "note", Type: model.Str},
	}}
	rows := query.TableFromRows(extra,
		[]any{1, true, 2.5, "2020-03-01", "first"},
		[]any{3, false, 4, nil, nil},
		[]any{4, nil, nil, "2021-01-31", "only in rows"},
	)
	ds := query.NewDataset()
	ds.DefinePopulation(core.Patients.DateOfBirth.IsNotNull())
	ds.Add("flag", query.Column[query.BoolPatientSeries](rows, "flag"))
	ds.Add("score", query.Column[query.FloatPatientSeries](rows, "score"))
	ds.Add("seen", query.Column[query.DatePatientSeries](rows, "seen"))
	ds.Add("note", query.Column[query.StrPatientSeries](rows, "note"))
	def, err := ds.Definition()
	if err != nil {
		t.Fatal(err)
	}
	data, err := model.Encode(def)
	if err != nil {
		t.Fatal(err)
	}
	back, err := model.Decode(data, tables.Default())
	if err != nil {
		t.Fatalf("decoding the JSON: %v", err)
	}
	patients := memory.Data{"patients": {
		{PatientID: 1, Values: map[string]any{"date_of_birth": model.MustParseDate("1980-01-01"), "sex": "female"}},
		{PatientID: 2, Values: map[string]any{"date_of_birth": model.MustParseDate("1990-01-01"), "sex": "male"}},
		{PatientID: 3, Values: map[string]any{"date_of_birth": model.MustParseDate("2000-01-01"), "sex": "unknown"}},
	}}
	want := "1 true 2.5 2020-03-01 first\n2 <nil> <nil> <nil> <nil>\n3 false 4 <nil> <nil>\n"
	for _, d := range []*model.Definition{def, back} {
		ref, duck, _ := onBothEngines(t, d.Dataset, patients)
		if ref != want {
			t.Errorf("reference engine:\n%s\nwant\n%s", ref, want)
		}
		if duck != want {
			t.Errorf("DuckDB:\n%s\nwant\n%s", duck, want)
		}
	}
}

// onBothEngines runs a dataset over data on the reference engine and on
// DuckDB and returns each one's rows (tableText), and the query DuckDB ran.
func onBothEngines(t *testing.T, ds *model.Dataset, data memory.Data) (ref, duck string, q *engine.Query) {
	t.Helper()
	res, err := memory.Run(ds, data, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref = tableText(res.Dataset)
	q, err = engine.CompileDataset(ds)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := engine.OpenRows(ctx, q.Tables, data, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := q.Results(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	return ref, tableText(got.Dataset), q
}

func tableText(t memory.Table) string {
	var b strings.Builder
	for _, r := range t.Rows {
		for i, v := range r {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprint(&b, v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestTableFromRowsErrors: rows that do not fit the table are reported
// with what is wrong and where.
func TestTableFromRowsErrors(t *testing.T) {
	tbl := &model.Table{Name: "t", PatientLevel: true, Columns: []model.Column{{Name: "n", Type: model.Int}}}
	for _, c := range []struct {
		name string
		rows [][]any
		want string
	}{
		{"short row", [][]any{{1}}, "TableFromRows(t): row 1 has 1 values, expected 2 (patient_id, then 1 columns)"},
		{"patient_id not an int", [][]any{{"1", 2}}, "TableFromRows(t): row 1: patient_id must be an int, got string"},
		{"wrong type", [][]any{{1, 2}, {2, "x"}}, "TableFromRows(t): row 2, column n: Expected type 'Series[int]' but got 'string'"},
		{"patient twice", [][]any{{1, 2}, {1, 3}}, "TableFromRows: inline table t: patient_id 1 appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := query.TableFromRows(tbl, c.rows...)
			ds := query.NewDataset()
			ds.DefinePopulation(query.Column[query.IntPatientSeries](f, "n").IsNotNull())
			err := ds.Err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want %q", err, c.want)
			}
		})
	}
	events := &model.Table{Name: "e", Columns: []model.Column{{Name: "n", Type: model.Int}}}
	ds := query.NewDataset()
	ds.DefinePopulation(query.Column[query.IntPatientSeries](query.TableFromRows(events), "n").IsNotNull())
	if err := ds.Err(); err == nil || !strings.Contains(err.Error(), "table e is event-level") {
		t.Errorf("event-level table: %v", err)
	}
}
