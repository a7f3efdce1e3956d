package generative

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestConstantDenominator: a denominator that reads no table and is never
// true counts nobody: no rows, on both engines.
func TestConstantDenominator(t *testing.T) {
	p := must(model.SelectTable(tableP0))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	for _, den := range []*model.Node{
		model.MustValue(model.BoolLit(false)),
		must(model.Function(model.OpNot, model.MustValue(model.BoolLit(true)))),
	} {
		ms := []model.Measure{{Name: "m", Numerator: must(model.Aggregate(model.OpExists, p)), Denominator: den, Intervals: [][2]model.CivilDate{iv}}}
		data := memory.Data{"p0": {{PatientID: 1, Values: map[string]any{"i1": int64(1)}}}}
		checkMeasures(t, ms, data, nil) // no rows
	}
}

// TestMeasuresOnBothEngines: measures over the interval's rows, grouped by
// a column holding NULL, NaN, 0.0 and -0.0, give the same raw sums on both
// engines, and the ones worked out by hand.
func TestMeasuresOnBothEngines(t *testing.T) {
	e := must(model.SelectTable(tableE0))
	p := must(model.SelectTable(tableP0))
	g := &gen{}
	inIv := must(model.Filter(e, g.fn(model.OpAnd,
		g.fn(model.OpGE, must(model.SelectColumn(e, "d1")), paramStart),
		g.fn(model.OpLE, must(model.SelectColumn(e, "d1")), paramEnd))))
	count := must(model.Aggregate(model.OpCount, inIv))
	exists := must(model.Aggregate(model.OpExists, inIv))
	f1 := must(model.SelectColumn(p, "f1"))
	jan := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-01-31")}
	feb := [2]model.CivilDate{model.MustParseDate("2020-02-01"), model.MustParseDate("2020-02-29")}
	ms := []model.Measure{
		{Name: "events", Numerator: count, Denominator: exists, GroupBy: []model.Variable{{Name: "f", Series: f1}},
			Intervals: [][2]model.CivilDate{jan, feb}},
		{Name: "count_den", Numerator: exists, Denominator: count, Intervals: [][2]model.CivilDate{feb}},
	}
	date := model.MustParseDate
	ev := func(pid int64, d string) memory.Row {
		return memory.Row{PatientID: pid, Values: map[string]any{"d1": date(d)}}
	}
	pf := func(pid int64, f any) memory.Row { return memory.Row{PatientID: pid, Values: map[string]any{"f1": f}} }
	data := memory.Data{
		"e0": {ev(1, "2020-01-01"), ev(1, "2020-01-31"), ev(2, "2020-01-15"), ev(3, "2020-02-29"),
			ev(4, "2020-02-01"), ev(4, "2020-02-02"), ev(5, "2020-03-01"), ev(6, "2020-01-10")},
		"p0": {pf(1, 0.0), pf(2, math.Copysign(0, -1)), pf(3, math.NaN()), pf(4, math.NaN()), pf(6, nil)},
	}
	want := []memory.MeasureRow{
		{Measure: "count_den", Start: feb[0], End: feb[1], Numerator: 2, Denominator: 3},
		{Measure: "events", Start: jan[0], End: jan[1], Numerator: 1, Denominator: 1, Groups: []any{nil}},
		{Measure: "events", Start: jan[0], End: jan[1], Numerator: 3, Denominator: 2, Groups: []any{0.0}},
		{Measure: "events", Start: feb[0], End: feb[1], Numerator: 3, Denominator: 2, Groups: []any{math.NaN()}},
	}
	checkMeasures(t, ms, data, want)
}

// TestCompareMeasures: the comparison takes rows in any order, NaN groups
// as equal and -0.0 as 0.0, and reports a different sum, group or row.
func TestCompareMeasures(t *testing.T) {
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-01-31")}
	row := func(num int64, g any) memory.MeasureRow {
		return memory.MeasureRow{Measure: "m", Start: iv[0], End: iv[1], Numerator: num, Denominator: 5, Groups: []any{g}}
	}
	base := []memory.MeasureRow{row(1, nil), row(2, math.NaN()), row(3, 0.0), row(4, "a")}
	for _, tc := range []struct {
		name string
		got  []memory.MeasureRow
		want string // "" when equal
	}{
		{"reordered", []memory.MeasureRow{row(4, "a"), row(3, math.Copysign(0, -1)), row(2, math.NaN()), row(1, nil)}, ""},
		{"numerator", []memory.MeasureRow{row(1, nil), row(2, math.NaN()), row(3, 0.0), row(5, "a")},
			`row 3: DuckDB gives m 2020-01-01..2020-01-31 5/5 ("a"), the reference engine m 2020-01-01..2020-01-31 4/5 ("a")`},
		{"group", []memory.MeasureRow{row(1, nil), row(2, math.NaN()), row(3, 0.0), row(4, "b")},
			`row 3: DuckDB gives m 2020-01-01..2020-01-31 4/5 ("b"), the reference engine m 2020-01-01..2020-01-31 4/5 ("a")`},
		{"missing", base[:3], `row 3 missing: want m 2020-01-01..2020-01-31 4/5 ("a")`},
		{"extra", append(slices.Clone(base), row(0, "z")), `unexpected row 4: m 2020-01-01..2020-01-31 0/5 ("z")`},
	} {
		err := compareMeasures(base, tc.got)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
}

// TestRoundTripRefusesNameUsedTwice: a dataset that names a variable twice
// cannot be written as JSON's dict; the decoder says so, and Check takes
// that as the reference engine's refusal.
func TestRoundTripRefusesNameUsedTwice(t *testing.T) {
	p := must(model.SelectTable(tableP0))
	v := model.Variable{Name: "v", Series: must(model.SelectColumn(p, "i1"))}
	ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, p)), Variables: []model.Variable{v, v}}
	_, err := RoundTrip(&model.Definition{Dataset: ds})
	if err == nil || !strings.Contains(err.Error(), `key "v" appears twice`) {
		t.Fatalf("got %v, want a decoding error", err)
	}
	ctx := context.Background()
	r := testRunner(t, ctx, 0)
	if err := r.Check(ctx, Case{Dataset: ds, Data: memory.Data{}}); err != nil {
		t.Errorf("Check: %v", err)
	}
	if r.Outcomes["refused"] != 1 {
		t.Errorf("outcomes %v, want one refusal", r.Outcomes)
	}
}

// TestNumeratorOnlyOnItsIntervals: a measure's numerator is evaluated on
// that measure's intervals only, as ehrQL evaluates it; a value that would
// fail on another measure's interval is never computed.
//
// Known to fail: the compiled query computes every numerator and group on
// the intervals of every measure sharing its patients and fails on the date
// below (9999-12-31 + 3 days), which ehrQL never computes. The generative
// test counts such cases apart ("DuckDB fails on another measure's
// interval").
func TestNumeratorOnlyOnItsIntervals(t *testing.T) {
	t.Skip("known: the compiled measures query evaluates numerators on other measures' intervals")
	e := must(model.SelectTable(tableE0))
	p := must(model.SelectTable(tableP0))
	g := &gen{}
	d2 := must(model.SelectColumn(e, "d2"))
	inIv := must(model.Filter(e, g.fn(model.OpAnd, g.fn(model.OpGE, d2, paramStart), g.fn(model.OpLE, d2, paramEnd))))
	later := g.fn(model.OpDateAddDays, must(model.SelectColumn(inIv, "d1")), model.MustValue(model.IntLit(3)))
	none := g.fn(model.OpIsNull, must(model.Aggregate(model.OpMax, later)))
	exists := must(model.Aggregate(model.OpExists, p))
	y2019 := [2]model.CivilDate{model.MustParseDate("2019-01-01"), model.MustParseDate("2019-01-31")}
	y2020 := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	ms := []model.Measure{
		{Name: "a", Numerator: none, Denominator: exists, Intervals: [][2]model.CivilDate{y2019}},
		{Name: "b", Numerator: exists, Denominator: exists, Intervals: [][2]model.CivilDate{y2020}},
	}
	data := memory.Data{
		"p0": {{PatientID: 1, Values: map[string]any{}}},
		"e0": {{PatientID: 1, Values: map[string]any{"d1": model.MustParseDate("9999-12-31"), "d2": model.MustParseDate("2020-06-01")}}},
	}
	want := []memory.MeasureRow{
		{Measure: "a", Start: y2019[0], End: y2019[1], Numerator: 1, Denominator: 1},
		{Measure: "b", Start: y2020[0], End: y2020[1], Numerator: 1, Denominator: 1},
	}
	checkMeasures(t, ms, data, want)
}

// TestMaskedConditionDoesNotRaise: a per-interval frame whose patient
// condition of the interval is checked after aggregating must not compute
// a raising expression (here an overflowing multiplication) on the rows of
// patients the condition removes, which ehrQL never computes (found by
// the generator, seed 2853).
func TestMaskedConditionDoesNotRaise(t *testing.T) {
	e := must(model.SelectTable(tableE0))
	p := must(model.SelectTable(tableP0))
	g := &gen{}
	d1 := must(model.SelectColumn(e, "d1"))
	inIv := must(model.Filter(e, g.fn(model.OpAnd, g.fn(model.OpGE, d1, paramStart), g.fn(model.OpLE, d1, paramEnd))))
	bornBefore := g.fn(model.OpLT, must(model.SelectColumn(p, "d1")), paramStart)
	rows := must(model.Filter(inIv, bornBefore))
	twice := g.fn(model.OpMultiply, must(model.SelectColumn(rows, "i1")), model.MustValue(model.IntLit(2)))
	minTwice := must(model.Aggregate(model.OpMin, twice))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	// As a denominator, it is computed before the candidates are known.
	ms := []model.Measure{{Name: "m", Numerator: must(model.Aggregate(model.OpExists, p)), Denominator: minTwice, Intervals: [][2]model.CivilDate{iv}}}
	date := model.MustParseDate
	data := memory.Data{
		"p0": {{PatientID: 1, Values: map[string]any{"d1": date("1990-01-01")}}, {PatientID: 2, Values: map[string]any{"d1": date("2030-01-01")}}},
		"e0": {{PatientID: 1, Values: map[string]any{"d1": date("2020-05-01"), "i1": int64(5)}},
			{PatientID: 2, Values: map[string]any{"d1": date("2020-05-01"), "i1": int64(math.MaxInt64)}}},
	}
	want := []memory.MeasureRow{{Measure: "m", Start: iv[0], End: iv[1], Numerator: 1, Denominator: 10}}
	checkMeasures(t, ms, data, want)
}

// checkMeasures runs the measures on the reference engine and on DuckDB and
// requires each to give exactly want.
func checkMeasures(t *testing.T, ms []model.Measure, data memory.Data, want []memory.MeasureRow) {
	t.Helper()
	ref, err := memory.RunMeasures(ms, data, memory.Options{})
	if err != nil {
		t.Fatalf("reference engine: %v", err)
	}
	if err := compareMeasures(want, ref); err != nil {
		t.Errorf("reference engine: %v", err)
	}
	ctx := context.Background()
	r := testRunner(t, ctx, 0)
	duck, err := r.RunMeasuresDuckDB(ctx, ms, data)
	if err != nil {
		t.Fatalf("DuckDB: %v", err)
	}
	if err := compareMeasures(want, duck); err != nil {
		t.Errorf("DuckDB: %v", err)
	}
}

// TestMeasuresRowsThatMustExist checks random measures whose denominator
// counts rows for patients that have rows of an event table meeting
// conditions of the interval (rowsThatMustExist), on both engines: the
// compiler meets those rows by semi joins, by joins or by aggregations per
// (patient, interval) pair, and the cases take each way.
func TestMeasuresRowsThatMustExist(t *testing.T) {
	ctx := context.Background()
	r := testRunner(t, ctx, *perBatch)
	ways := map[string]int{}
	for s := *seed; s < *seed+uint64(max(*models, 1)); s++ {
		g := &gen{r: rand.New(rand.NewPCG(s, 0x6d757374))}
		g.maxDepth = 3
		data := g.data()
		ms := g.rowsThatMustExist()
		q, err := sqlgen.CompileMeasures(ms)
		if err != nil {
			t.Fatalf("seed %d: %v", s, err)
		}
		plan := strings.Join(q.Plan, "\n")
		for _, way := range []string{"(a semi join)", "(a join)", "checked after aggregating"} {
			if strings.Contains(plan, way) {
				ways[way]++
			}
		}
		if err := r.checkMeasures(ctx, ms, ms, data); err != nil {
			t.Errorf("seed %d: %v\n%s", s, err, describe(Case{Seed: s, Measures: ms, Data: data}))
		}
	}
	for _, way := range []string{"(a semi join)", "(a join)", "checked after aggregating"} {
		if ways[way] == 0 {
			t.Errorf("no case met rows that must exist by %q: %v", way, ways)
		}
	}
	t.Logf("%v; %v", ways, r.Outcomes)
}
