package memory_test

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestRunMeasures evaluates measures over hand-made patients: a
// denominator and a group that depend on the interval, an int numerator
// with a NULL, a NULL group, NaN and -0.0 groups, and patients outside the
// denominator.
func TestRunMeasures(t *testing.T) {
	p := must(model.SelectTable(pTable))
	e := must(model.SelectTable(eTable))
	start := must(model.Parameter("interval_start_date", model.Date))
	end := must(model.Parameter("interval_end_date", model.Date))
	ed := must(model.SelectColumn(e, "d"))
	during := must(model.Filter(e, must(model.Function(model.OpAnd,
		must(model.Function(model.OpGE, ed, start)), must(model.Function(model.OpLE, ed, end))))))
	hasEvent := must(model.Aggregate(model.OpExists, during))
	sumN := must(model.Aggregate(model.OpSum, must(model.SelectColumn(during, "n"))))
	// Born before the interval: a group that depends on it.
	bornBefore := must(model.Function(model.OpLT, must(model.SelectColumn(p, "d")), start))
	pn := must(model.SelectColumn(p, "n"))
	jan := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-01-31")}
	feb := [2]model.CivilDate{model.MustParseDate("2020-02-01"), model.MustParseDate("2020-02-29")}
	date := model.MustParseDate
	row := func(id int64, vals map[string]any) memory.Row { return memory.Row{PatientID: id, Values: vals} }
	data := memory.Data{
		"p": {
			row(1, map[string]any{"d": date("2020-01-15"), "n": int64(1)}),
			row(2, map[string]any{"d": date("1990-01-01"), "n": int64(1)}),
			row(3, map[string]any{"d": nil, "n": nil}),
			row(4, map[string]any{"d": date("1990-01-01"), "n": int64(2)}),
		},
		"e": {
			row(1, map[string]any{"d": date("2020-01-05"), "n": int64(3)}),
			row(1, map[string]any{"d": date("2020-02-05"), "n": int64(4)}),
			row(2, map[string]any{"d": date("2020-01-10"), "n": nil}),
			row(3, map[string]any{"d": date("2020-01-20"), "n": int64(5)}),
			row(3, map[string]any{"d": date("2020-02-20"), "n": int64(-2)}),
			row(4, map[string]any{"d": date("2019-12-31"), "n": int64(9)}),
		},
	}
	ms := []model.Measure{
		{Name: "sum_by_birth", Numerator: sumN, Denominator: hasEvent,
			GroupBy: []model.Variable{{Name: "born_before", Series: bornBefore}}, Intervals: [][2]model.CivilDate{jan, feb}},
		{Name: "by_n", Numerator: hasEvent, Denominator: pn,
			GroupBy: []model.Variable{{Name: "n", Series: pn}}, Intervals: [][2]model.CivilDate{feb}},
	}
	got, err := memory.RunMeasures(ms, data, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []memory.MeasureRow{
		// January: patients 1 (3, born in the interval: false), 2 (NULL
		// sum, born before) and 3 (5, NULL birth date) have events.
		{Measure: "sum_by_birth", Start: jan[0], End: jan[1], Numerator: 3, Denominator: 1, Groups: []any{false}},
		{Measure: "sum_by_birth", Start: jan[0], End: jan[1], Numerator: 0, Denominator: 1, Groups: []any{true}},
		{Measure: "sum_by_birth", Start: jan[0], End: jan[1], Numerator: 5, Denominator: 1, Groups: []any{nil}},
		// February: patients 1 (4, now born before) and 3 (-2).
		{Measure: "sum_by_birth", Start: feb[0], End: feb[1], Numerator: 4, Denominator: 1, Groups: []any{true}},
		{Measure: "sum_by_birth", Start: feb[0], End: feb[1], Numerator: -2, Denominator: 1, Groups: []any{nil}},
		// An int denominator: patients 1, 2 (n = 1) and 4 (n = 2); patient
		// 3's NULL is outside.
		{Measure: "by_n", Start: feb[0], End: feb[1], Numerator: 1, Denominator: 2, Groups: []any{int64(1)}},
		{Measure: "by_n", Start: feb[0], End: feb[1], Numerator: 0, Denominator: 2, Groups: []any{int64(2)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
}

// TestRunMeasuresGroupsNaNAndZeros: NaN is one group, and -0.0 groups
// with 0.0.
func TestRunMeasuresGroupsNaNAndZeros(t *testing.T) {
	fTable := &model.Table{Name: "f", PatientLevel: true, Columns: []model.Column{{Name: "x", Type: model.Float}}}
	f := must(model.SelectTable(fTable))
	x := must(model.SelectColumn(f, "x"))
	exists := must(model.Aggregate(model.OpExists, f))
	negZero := math.Copysign(0, -1)
	var rows []memory.Row
	for i, v := range []float64{math.NaN(), 0, negZero, math.NaN(), 1} {
		rows = append(rows, memory.Row{PatientID: int64(i + 1), Values: map[string]any{"x": v}})
	}
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	ms := []model.Measure{{Name: "m", Numerator: exists, Denominator: exists,
		GroupBy: []model.Variable{{Name: "x", Series: x}}, Intervals: [][2]model.CivilDate{iv}}}
	got, err := memory.RunMeasures(ms, memory.Data{"f": rows}, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var counts []int64
	for _, r := range got {
		counts = append(counts, r.Denominator)
	}
	if !reflect.DeepEqual(counts, []int64{2, 2, 1}) {
		t.Errorf("group sizes %v, want [2 2 1] (NaN, zeros, 1)", counts)
	}
}

// TestRunMeasuresOverflow: a sum outside the range of an int is an
// overflow error naming the measure and interval.
func TestRunMeasuresOverflow(t *testing.T) {
	p := must(model.SelectTable(pTable))
	n := must(model.SelectColumn(p, "n"))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	ms := []model.Measure{{Name: "big", Numerator: n, Denominator: n, Intervals: [][2]model.CivilDate{iv}}}
	data := memory.Data{"p": {
		{PatientID: 1, Values: map[string]any{"n": int64(math.MaxInt64)}},
		{PatientID: 2, Values: map[string]any{"n": int64(1)}},
	}}
	_, err := memory.RunMeasures(ms, data, memory.Options{})
	var me *memory.Error
	if !errors.As(err, &me) || me.Err.Kind != model.ErrOverflow {
		t.Fatalf("got %v, want an overflow", err)
	}
	if want := "measure 'big', interval 2020-01-01 to 2020-12-31, numerator: AggregateByPatient.Sum: arithmetic overflow: the sum overflows an int"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

// TestLazyDenominatorReadingNoTable: a denominator that reads no table is
// evaluated for every patient by the eager run (ehrQL's), and fails there
// if it fails; the lazy run evaluates it for nobody (the patients in the
// tables it reads), as the compiled SQL does.
func TestLazyDenominatorReadingNoTable(t *testing.T) {
	p := must(model.SelectTable(pTable))
	start := must(model.Parameter("interval_start_date", model.Date))
	far := must(model.Function(model.OpDateAddDays, must(model.Value(model.DateLit(model.MustParseDate("2020-12-31")))),
		must(model.Value(model.IntLit(999_999_999)))))
	den := must(model.Function(model.OpGE, start, far))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	ms := []model.Measure{{Name: "m", Numerator: must(model.Aggregate(model.OpExists, p)), Denominator: den, Intervals: [][2]model.CivilDate{iv}}}
	data := memory.Data{"p": {{PatientID: 1, Values: map[string]any{"n": int64(1)}}}}
	_, err := memory.RunMeasures(ms, data, memory.Options{})
	var me *memory.Error
	if !errors.As(err, &me) || me.Err.Kind != model.ErrDateRange {
		t.Errorf("eager run: %v, want a date-range error", err)
	}
	rows, err := memory.RunMeasures(ms, data, memory.Options{Lazy: true})
	if err != nil || len(rows) != 0 {
		t.Errorf("lazy run: %v, %v; want no rows", rows, err)
	}
	// A dataset's population alike.
	ds := &model.Dataset{Population: must(model.Function(model.OpGE, must(model.Value(model.DateLit(iv[0]))), far))}
	if _, err := memory.Run(ds, data, memory.Options{}); !errors.As(err, &me) {
		t.Errorf("eager dataset run: %v, want a date-range error", err)
	}
	res, err := memory.Run(ds, data, memory.Options{Lazy: true})
	if err != nil || len(res.Dataset.Rows) != 0 {
		t.Errorf("lazy dataset run: %v, %v; want no rows", res, err)
	}
}

// TestMeasuresTiesBrokenByAllMeasures: rows tied in a pick are told apart
// by the columns read from the pick in any measure of the query (here m,
// then n), as the compiled query, which computes all measures at once,
// tells them apart.
func TestMeasuresTiesBrokenByAllMeasures(t *testing.T) {
	table := &model.Table{Name: "t", Columns: []model.Column{{Name: "d", Type: model.Date}, {Name: "n", Type: model.Int}, {Name: "m", Type: model.Int}}}
	e := must(model.SelectTable(table))
	first := must(model.PickOneRowPerPatient(must(model.Sort(e, must(model.SelectColumn(e, "d")))), model.First))
	n, m := must(model.SelectColumn(first, "n")), must(model.SelectColumn(first, "m"))
	exists := must(model.Aggregate(model.OpExists, e))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	byN := model.Measure{Name: "by_n", Numerator: exists, Denominator: exists, GroupBy: []model.Variable{{Name: "n", Series: n}}, Intervals: [][2]model.CivilDate{iv}}
	readsM := model.Measure{Name: "reads_m", Numerator: m, Denominator: exists, Intervals: [][2]model.CivilDate{iv}}
	day := model.MustParseDate("2020-05-01")
	data := memory.Data{"t": {
		{PatientID: 1, Values: map[string]any{"d": day, "n": int64(1), "m": int64(9)}},
		{PatientID: 1, Values: map[string]any{"d": day, "n": int64(2), "m": int64(0)}},
	}}
	for _, tc := range []struct {
		ms    []model.Measure
		group any
	}{
		{[]model.Measure{byN}, int64(1)},
		{[]model.Measure{byN, readsM}, int64(2)},
	} {
		rows, err := memory.RunMeasures(tc.ms, data, memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[0].Groups[0]; got != tc.group {
			t.Errorf("%d measures: group %v, want %v", len(tc.ms), got, tc.group)
		}
	}
}
