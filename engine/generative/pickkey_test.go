package generative

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestPickIntegerKeys: picks whose sort key (sort keys, then the selected
// columns breaking ties) is compiled as one integer choose the same row as
// ehrQL's order: NULL first, dates and ints over their whole range, strings
// in byte order ranked within the literal set the frame tests them against
// (small sets in place, large ones from the query's one declaration of the
// set, or the shared scan's flags table), on both engines. The cases check
// the SQL takes the path they are about.
func TestPickIntegerKeys(t *testing.T) {
	ctx := context.Background()
	r := testRunner(t, ctx, 0)
	e := must(model.SelectTable(tableE0))
	in := func(f *model.Node, column string, values ...string) *model.Node {
		var lits []model.Literal
		for _, v := range values {
			lits = append(lits, model.StrLit(v))
		}
		set, err := model.SetLit(model.Str, lits)
		if err != nil {
			t.Fatal(err)
		}
		return must(model.Filter(f, must(model.Function(model.OpIn, col(f, column), model.MustValue(set)))))
	}
	sortBy := func(f *model.Node, keys ...string) *model.Node {
		for _, k := range keys {
			f = must(model.Sort(f, col(f, k)))
		}
		return f
	}
	d := func(s string) any { return model.MustParseDate(s) }
	row := func(pid int64, vals map[string]any) memory.Row { return memory.Row{PatientID: pid, Values: vals} }
	// byteOrder: "B" < "a" < "z" < "é" < "日本" in bytes, not in any
	// collation: a rank in the wrong order picks another row.
	byteOrder := []string{"z", "é", "a", "B", "日本"}
	large := append([]string{}, byteOrder...)
	for i := range 20 {
		large = append(large, fmt.Sprintf("code%02d", i))
	}

	cases := []struct {
		name string
		pick *model.Node
		read []string // the columns read from the pick
		data []memory.Row
		want [][]any // per patient: the columns read
		sql  string  // a fragment the SQL must hold
	}{
		{
			name: "last by date, ties by a string ranked in a small set",
			pick: must(model.PickOneRowPerPatient(sortBy(in(e, "s1", byteOrder...), "d1"), model.Last)),
			read: []string{"s1"},
			data: []memory.Row{
				row(1, map[string]any{"d1": d("2020-01-01"), "s1": "日本"}),
				row(1, map[string]any{"d1": d("2020-02-01"), "s1": "B"}),
				row(1, map[string]any{"d1": d("2020-02-01"), "s1": "é"}),
				row(1, map[string]any{"d1": d("2020-02-01"), "s1": "a"}),
				row(2, map[string]any{"d1": nil, "s1": "日本"}),
				row(2, map[string]any{"d1": d("0001-01-01"), "s1": "B"}),
				row(3, map[string]any{"d1": d("9999-12-31"), "s1": "z"}),
				row(3, map[string]any{"d1": d("9999-12-31"), "s1": "zz"}), // not in the set
			},
			want: [][]any{{"é"}, {"B"}, {"z"}},
			sql:  "list_position(['B', 'a', 'z', 'é', '日本'], ",
		},
		{
			name: "first by date, NULL first, ties by a string ranked in a large set",
			pick: must(model.PickOneRowPerPatient(sortBy(in(e, "s1", large...), "d1"), model.First)),
			read: []string{"s1", "i1"},
			data: []memory.Row{
				row(1, map[string]any{"d1": d("2020-01-01"), "s1": "B", "i1": int64(1)}),
				row(1, map[string]any{"d1": nil, "s1": "z", "i1": int64(2)}),
				row(1, map[string]any{"d1": nil, "s1": "é", "i1": int64(3)}),
				row(2, map[string]any{"d1": d("2020-01-01"), "s1": "code07", "i1": nil}),
				row(2, map[string]any{"d1": d("2020-01-01"), "s1": "code07", "i1": int64(-5)}),
				row(2, map[string]any{"d1": d("2020-01-01"), "s1": "code10", "i1": int64(math.MinInt64)}),
				// not in the set: first by date if the join did not test it
				row(2, map[string]any{"d1": nil, "s1": "code7", "i1": int64(7)}),
				row(2, map[string]any{"d1": nil, "s1": nil, "i1": int64(8)}),
				row(3, map[string]any{"d1": d("2020-01-01"), "s1": nil, "i1": int64(9)}),
			},
			// ties broken by i1 then s1, NULL first
			want: [][]any{{"z", int64(2)}, {"code07", nil}, {nil, nil}},
			// the join with the set's ranks is the set's test: no IN list
			sql: "JOIN codes_3 AS codes_3_rank_4 ON codes_3_rank_4.k = e.\"s1\"\n  GROUP BY e.patient_id",
		},
		{
			name: "last by an int over its whole range, ties by a bool",
			pick: must(model.PickOneRowPerPatient(sortBy(e, "i1"), model.Last)),
			read: []string{"b1"},
			data: []memory.Row{
				row(1, map[string]any{"i1": int64(math.MaxInt64), "b1": false}),
				row(1, map[string]any{"i1": int64(math.MaxInt64), "b1": nil}),
				row(1, map[string]any{"i1": int64(math.MinInt64), "b1": true}),
				row(2, map[string]any{"i1": int64(math.MinInt64), "b1": false}),
				row(2, map[string]any{"i1": nil, "b1": true}),
				row(3, map[string]any{"i1": int64(-1), "b1": true}),
				row(3, map[string]any{"i1": int64(-1), "b1": false}),
			},
			want: [][]any{{false}, {false}, {true}},
			sql:  "AS HUGEINT)",
		},
		{
			name: "first by two dates, the second sort key applied first",
			pick: must(model.PickOneRowPerPatient(sortBy(e, "d2", "d1"), model.First)),
			read: []string{"b1"},
			data: []memory.Row{
				row(1, map[string]any{"d1": d("2020-01-01"), "d2": d("2021-01-01"), "b1": false}),
				row(1, map[string]any{"d1": d("2020-01-01"), "d2": d("2020-06-01"), "b1": false}),
				row(1, map[string]any{"d1": d("2019-01-01"), "d2": d("2022-01-01"), "b1": true}),
				row(2, map[string]any{"d1": d("2020-01-01"), "d2": d("2021-01-01"), "b1": false}),
				row(2, map[string]any{"d1": d("2020-01-01"), "d2": d("2020-06-01"), "b1": true}),
			},
			want: [][]any{{true}, {true}},
			sql:  "AS HUGEINT)",
		},
		{
			name: "a string tie-breaker not tested against a set keeps the struct key",
			pick: must(model.PickOneRowPerPatient(sortBy(e, "d1"), model.Last)),
			read: []string{"s1"},
			data: []memory.Row{
				row(1, map[string]any{"d1": d("2020-01-01"), "s1": "B"}),
				row(1, map[string]any{"d1": d("2020-01-01"), "s1": "a"}),
			},
			want: [][]any{{"a"}},
			sql:  "struct_pack(n0 := ",
		},
		{
			name: "last by a float over its whole order: NULL first, NaN highest, -0.0 keeps its sign",
			pick: must(model.PickOneRowPerPatient(sortBy(e, "f1"), model.Last)),
			read: []string{"f1", "b1"},
			data: []memory.Row{
				row(1, map[string]any{"f1": math.Inf(-1), "b1": true}),
				row(1, map[string]any{"f1": 1e308, "b1": false}),
				row(1, map[string]any{"f1": math.NaN(), "b1": true}),
				row(1, map[string]any{"f1": 5e-324, "b1": false}),
				row(2, map[string]any{"f1": math.Inf(-1), "b1": true}),
				row(2, map[string]any{"f1": -1e-300, "b1": true}),
				row(2, map[string]any{"f1": math.Copysign(0, -1), "b1": false}),
				row(2, map[string]any{"f1": nil, "b1": true}),
				row(3, map[string]any{"f1": nil, "b1": false}),
				row(4, map[string]any{"f1": -2.5, "b1": true}),
				row(4, map[string]any{"f1": -2.5, "b1": false}),
				row(4, map[string]any{"f1": -3.0, "b1": nil}),
				row(5, map[string]any{"f1": math.Inf(1), "b1": nil}),
				row(5, map[string]any{"f1": math.MaxFloat64, "b1": true}),
			},
			want: [][]any{{math.NaN(), true}, {math.Copysign(0, -1), false}, {nil, false}, {-2.5, true}, {math.Inf(1), nil}},
			sql:  "AS BIT)",
		},
		{
			name: "first by date, ties broken by a float",
			pick: must(model.PickOneRowPerPatient(sortBy(e, "d1"), model.First)),
			read: []string{"f1"},
			data: []memory.Row{
				row(1, map[string]any{"d1": d("2020-01-01"), "f1": 0.5}),
				row(1, map[string]any{"d1": d("2020-01-01"), "f1": -1e10}),
				row(1, map[string]any{"d1": d("2020-01-01"), "f1": math.Inf(1)}),
				row(2, map[string]any{"d1": d("2020-01-01"), "f1": math.Inf(-1)}),
				row(2, map[string]any{"d1": d("2019-01-01"), "f1": math.NaN()}),
				row(3, map[string]any{"d1": d("2019-01-01"), "f1": 0.1}),
				row(3, map[string]any{"d1": d("2019-01-01"), "f1": 0.1 + 1e-17}),
				row(3, map[string]any{"d1": d("2019-01-01"), "f1": math.Nextafter(0.1, 1)}),
			},
			want: [][]any{{-1e10}, {math.NaN()}, {0.1}},
			sql:  "AS BIT)",
		},
		{
			// seed 26633: -0.0 sorted below 0.0 and took the pick from a
			// row the tie-breaker puts after it
			name: "-0.0 ties with 0.0, the selected columns break the tie, the zero keeps its sign",
			pick: must(model.PickOneRowPerPatient(sortBy(e, "f1"), model.First)),
			read: []string{"b1", "f1"},
			data: []memory.Row{
				row(1, map[string]any{"f1": math.Copysign(0, -1), "b1": true}),
				row(1, map[string]any{"f1": 0.0, "b1": false}),
				row(2, map[string]any{"f1": 0.0, "b1": true}),
				row(2, map[string]any{"f1": math.Copysign(0, -1), "b1": false}),
				row(2, map[string]any{"f1": 1.0, "b1": nil}),
				row(3, map[string]any{"f1": math.Copysign(0, -1), "b1": nil}),
				row(4, map[string]any{"f1": 0.0, "b1": nil}),
			},
			want: [][]any{{false, 0.0}, {false, math.Copysign(0, -1)}, {nil, math.Copysign(0, -1)}, {nil, 0.0}},
			sql:  "signbit(",
		},
		{
			name: "a float beside a string tie-breaker not tested against a set keeps the struct, and the sign of -0.0",
			pick: must(model.PickOneRowPerPatient(sortBy(e, "d1"), model.Last)),
			read: []string{"f1", "s1"},
			data: []memory.Row{
				row(1, map[string]any{"d1": d("2020-01-01"), "f1": math.Copysign(0, -1), "s1": "B"}),
				row(1, map[string]any{"d1": d("2019-01-01"), "f1": 1.5, "s1": "a"}),
			},
			want: [][]any{{math.Copysign(0, -1), "B"}},
			sql:  `"-sign f1" := signbit(`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, e))}
			for _, c := range tc.read {
				ds.Variables = append(ds.Variables, model.Variable{Name: "v_" + c, Series: col(tc.pick, c)})
			}
			checkPicks(t, ctx, r, ds, memory.Data{"e0": tc.data}, tc.want, tc.sql)
		})
	}

	// A shared scan (four frames of a table testing one column against
	// codelists) ranks the codes by the flags table.
	t.Run("shared scan ranks by the flags table", func(t *testing.T) {
		frames := []*model.Node{in(e, "s1", "a", "B"), in(e, "s1", "B", "é"), in(e, "s1", "日本", "z", "a"), in(e, "s1", "é", "z")}
		ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, e))}
		for i, f := range frames {
			p := must(model.PickOneRowPerPatient(sortBy(f, "d1"), model.Last))
			ds.Variables = append(ds.Variables, model.Variable{Name: fmt.Sprintf("v%d", i), Series: col(p, "s1")})
		}
		data := memory.Data{"e0": {
			row(1, map[string]any{"d1": d("2020-01-01"), "s1": "a"}),
			row(1, map[string]any{"d1": d("2020-01-01"), "s1": "B"}),
			row(1, map[string]any{"d1": d("2020-01-01"), "s1": "é"}),
			row(1, map[string]any{"d1": d("2020-01-01"), "s1": "日本"}),
			row(1, map[string]any{"d1": d("2020-01-01"), "s1": "z"}),
			row(1, map[string]any{"d1": d("2019-01-01"), "s1": "zz"}),
		}}
		checkPicks(t, ctx, r, ds, data, [][]any{{"a", "é", "日本", "é"}}, `cl.r AS "code rank"`)
	})
}

// checkPicks runs a dataset on both engines and compares each patient's
// values (the patient_id left out) with want, and the SQL with a fragment.
// sameValues compares rows of values exactly: floats by their bits (so
// -0.0 is not 0.0), any NaN equal to any other.
func sameValues(got, want [][]any) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j := range got[i] {
			g, gf := got[i][j].(float64)
			w, wf := want[i][j].(float64)
			switch {
			case gf && wf:
				if !(math.IsNaN(g) && math.IsNaN(w)) && math.Float64bits(g) != math.Float64bits(w) {
					return false
				}
			case !reflect.DeepEqual(got[i][j], want[i][j]):
				return false
			}
		}
	}
	return true
}

func checkPicks(t *testing.T, ctx context.Context, r *Runner, ds *model.Dataset, data memory.Data, want [][]any, sql string) {
	t.Helper()
	q, err := engine.CompileDataset(ds)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(q.SQL, sql) {
		t.Errorf("SQL lacks %q:\n%s", sql, q.SQL)
	}
	ref, err := memory.Run(ds, data, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	duck, err := r.RunDuckDB(ctx, ds, data)
	if err != nil {
		t.Fatal(err)
	}
	for name, res := range map[string]*memory.Results{"reference engine": ref, "DuckDB": duck} {
		var got [][]any
		for _, row := range res.Dataset.Rows {
			got = append(got, row[1:])
		}
		if !sameValues(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}
