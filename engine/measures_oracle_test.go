package engine_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// TestMeasuresAgainstDatasets checks the measures query, which evaluates all
// intervals in one pass (calendars of the intervals' days, patient
// conditions of the interval checked after aggregating, candidates from the
// denominators' relations, one aggregation for measures differing only in
// intervals), against the measures computed one interval at a time: the
// interval's dates substituted, each measure compiled as a dataset whose
// population is its denominator, and the rows summed here. Random patients,
// overlapping intervals (weeks inside months), and measure sets that take
// each way of choosing candidates.
func TestMeasuresAgainstDatasets(t *testing.T) {
	ctx := context.Background()
	ce := must(model.SelectTable(tables.Core("clinical_events")))
	pt := must(model.SelectTable(tables.Core("patients")))
	reg := must(model.SelectTable(tables.Core("practice_registrations")))
	col := func(f *model.Node, name string) *model.Node { return must(model.SelectColumn(f, name)) }
	fn := func(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }
	agg := func(op model.Op, f *model.Node) *model.Node { return must(model.Aggregate(op, f)) }
	where := func(f, cond *model.Node) *model.Node { return must(model.Filter(f, cond)) }
	start := must(model.Parameter("interval_start_date", model.Date))
	end := must(model.Parameter("interval_end_date", model.Date))
	date, code := col(ce, "date"), col(ce, "snomedct_code")
	codes := func(cs ...string) *model.Node {
		var lits []model.Literal
		for _, c := range cs {
			lits = append(lits, mustCode(c))
		}
		set, err := model.SetLit(model.CodeType("SNOMEDCTCode"), lits)
		if err != nil {
			t.Fatal(err)
		}
		return must(model.Value(set))
	}
	lastCode := func(f *model.Node, pos model.Position) *model.Node {
		return col(must(model.PickOneRowPerPatient(must(model.Sort(f, date)), pos)), "snomedct_code")
	}

	// Frames: bounded on both sides (calendar), strictly (calendar of the
	// days strictly inside), above only (range join).
	during := where(ce, fn(model.OpAnd, fn(model.OpGE, date, start), fn(model.OpGE, end, date)))
	inside := where(ce, fn(model.OpAnd, fn(model.OpGT, date, start), fn(model.OpLT, date, end)))
	upToEnd := where(ce, fn(model.OpLE, date, end))
	regStart := col(reg, "start_date")
	registered := agg(model.OpExists, where(where(reg, fn(model.OpLE, regStart, start)),
		fn(model.OpOr, fn(model.OpGE, col(reg, "end_date"), start), fn(model.OpIsNull, col(reg, "end_date")))))
	adult := fn(model.OpGE, fn(model.OpDateDifferenceInYears, start, col(pt, "date_of_birth")), must(model.Value(model.IntLit(18))))
	// A patient condition of the interval inside a frame: checked after
	// aggregating.
	seenRegistered := where(during, fn(model.OpAnd, registered, adult))
	target := where(during, fn(model.OpIn, code, codes("123456", "1234567")))
	// Two conditions of rows that must exist (registered; coded on or after
	// the interval's start), as well as a patient condition: the first two
	// are met by joins, which find several rows for many pairs.
	codedSinceStart := agg(model.OpExists, where(ce, fn(model.OpAnd, fn(model.OpGE, date, start), fn(model.OpIn, code, codes("123456", "111111")))))
	seenTwice := where(during, fn(model.OpAnd, fn(model.OpAnd, registered, codedSinceStart), fn(model.OpNot, adult)))
	// A registration from before the start, to after it or at a practice
	// above 2: not comparisons alone, an inner join, which finds several
	// rows for many pairs.
	regOrPractice := agg(model.OpExists, where(reg, fn(model.OpAnd, fn(model.OpLE, regStart, start),
		fn(model.OpOr, fn(model.OpGE, col(reg, "end_date"), start), fn(model.OpGT, col(reg, "practice_pseudo_id"), must(model.Value(model.IntLit(2))))))))
	seenOrUnvalued := where(during, fn(model.OpAnd, registered, regOrPractice))
	// Registered on the start, from an unknown date or to none: a semi join
	// on the start date or -infinity and the end date or infinity.
	registeredOrUnknown := agg(model.OpExists, where(reg, fn(model.OpAnd, fn(model.OpOr, fn(model.OpIsNull, regStart), fn(model.OpGE, start, regStart)),
		fn(model.OpOr, fn(model.OpGE, col(reg, "end_date"), start), fn(model.OpIsNull, col(reg, "end_date"))))))
	seenJoined := where(during, registeredOrUnknown)

	den1 := agg(model.OpCount, seenRegistered)
	num1 := agg(model.OpCount, target)
	den2 := agg(model.OpExists, inside)
	num2 := agg(model.OpExists, where(inside, fn(model.OpIn, code, codes("111111"))))
	den3 := agg(model.OpExists, pt)
	groups1 := []model.Variable{
		{Name: "sex", Series: col(pt, "sex")},
		{Name: "last_code", Series: lastCode(upToEnd, model.Last)},
		{Name: "first_registered_code", Series: lastCode(where(seenRegistered, fn(model.OpIn, code, codes("123456", "7654321", "111111"))), model.First)},
	}
	groups2 := []model.Variable{{Name: "adult", Series: adult}}
	fromStart := where(ce, fn(model.OpLE, start, date))
	nextCode := model.Variable{Name: "next_code", Series: lastCode(fromStart, model.First)}

	month := func(m int) [2]model.CivilDate {
		s := model.MustParseDate("2020-01-01").AddMonths(m)
		return [2]model.CivilDate{s, s.AddMonths(1).AddDays(-1)}
	}
	var months, weeks [][2]model.CivilDate
	for m := range 12 {
		months = append(months, month(m))
	}
	for w := range 10 {
		s := model.MustParseDate("2020-01-06").AddDays(7 * w)
		weeks = append(weeks, [2]model.CivilDate{s, s.AddDays(6)})
	}
	// Five frames during the interval: one shared scan (codelist flags,
	// one frame with no codelist, a pick).
	var shared []model.Measure
	for i, cs := range [][]string{{"123456"}, {"1234567", "7654321"}, {"111111"}, {"999999999", "123456"}} {
		shared = append(shared, model.Measure{Name: fmt.Sprintf("s%d", i), Numerator: agg(model.OpCount, where(during, fn(model.OpIn, code, codes(cs...)))),
			Denominator: den2, GroupBy: []model.Variable{{Name: "first_code", Series: lastCode(during, model.First)}}, Intervals: months[i : i+6]})
	}
	shared = append(shared, model.Measure{Name: "s4", Numerator: agg(model.OpExists, where(during, fn(model.OpIsNull, col(ce, "numeric_value")))),
		Denominator: den2, Intervals: weeks})
	// Frames bounded above only by the interval: aggregated in buckets.
	beforeStart := where(ce, fn(model.OpLT, date, start))
	upToCoded := where(upToEnd, fn(model.OpIn, code, codes("123456", "1234567", "7654321", "111111")))
	bucketed := []model.Measure{
		{Name: "b_monthly", Numerator: agg(model.OpCount, upToCoded), Denominator: den2, Intervals: months,
			GroupBy: []model.Variable{
				{Name: "last_coded", Series: lastCode(upToCoded, model.Last)},
				{Name: "seen_before", Series: agg(model.OpExists, where(beforeStart, fn(model.OpIn, code, codes("111111", "999999999"))))},
			}},
		{Name: "b_weekly", Numerator: fn(model.OpGT, agg(model.OpMax, col(beforeStart, "date")), must(model.Value(model.DateLit(model.MustParseDate("2020-03-01"))))),
			Denominator: den1, Intervals: weeks,
			GroupBy: []model.Variable{{Name: "first_coded", Series: lastCode(where(beforeStart, fn(model.OpIn, code, codes("123456", "999999999"))), model.First)}}},
	}
	// The same frame bounded above, with a pick sorted by a key of the
	// interval (its date, or the start if later) alongside a count of
	// its rows: the key needs the interval's dates in the scan, so the
	// frame keeps the range join (a bucket scan has no interval dates).
	beforeStartFirst := must(model.Sort(must(model.Sort(upToCoded, date)), fn(model.OpMinimumOf, date, start)))
	intervalKeyed := []model.Measure{
		{Name: "k", Numerator: agg(model.OpCount, upToCoded), Denominator: den2, Intervals: months,
			GroupBy: []model.Variable{{Name: "last_before_start", Series: col(must(model.PickOneRowPerPatient(beforeStartFirst, model.Last)), "snomedct_code")}}},
	}
	// The same frame bounded above, filtered by an aggregation of its own
	// rows (on the latest coded day): that aggregation is computed for
	// each interval, so the filtered frame keeps the range join (a bucket
	// scan would join it by a bucket's bound, not an interval).
	lastDay := where(upToCoded, fn(model.OpEQ, date, agg(model.OpMax, col(upToCoded, "date"))))
	ownAggregated := []model.Measure{
		{Name: "l", Numerator: agg(model.OpCount, lastDay), Denominator: den2, Intervals: months,
			GroupBy: []model.Variable{{Name: "last_on_last_day", Series: lastCode(lastDay, model.Last)}}},
	}
	type set struct {
		ms      []model.Measure
		planHas []string // choices the set is there to exercise
	}
	sets := map[string]set{
		"frames during the interval sharing a scan": {shared, []string{"one scan of clinical_events for 6 frames"}},
		"two denominators of rows: candidates from both": {[]model.Measure{
			{Name: "m1_monthly", Numerator: num1, Denominator: den1, GroupBy: groups1, Intervals: months},
			{Name: "m1_weekly", Numerator: num1, Denominator: den1, GroupBy: groups1, Intervals: weeks},
			{Name: "m2", Numerator: num2, Denominator: den2, GroupBy: append([]model.Variable{nextCode}, groups2...), Intervals: months[:6]},
		}, []string{"one of which each denominator requires"}},
		"frames bounded above by the interval: in buckets":               {bucketed, []string{"in buckets by date"}},
		"a pick sorted by a key of the interval: no buckets":             {intervalKeyed, []string{"a range join with the"}},
		"a frame filtered by an aggregation of its own rows: no buckets": {ownAggregated, []string{"a range join with the"}},
		"one denominator of rows": {[]model.Measure{
			{Name: "m1", Numerator: num1, Denominator: den1, GroupBy: groups1[:2], Intervals: months},
		}, []string{"checked after aggregating", "1 patient condition(s) of the interval checked after aggregating, for its (patient, interval) pairs only; rows that must exist met by joins: practice_registrations (a semi join)"}},
		"rows of two tables that must exist, several per pair: a semi join for the registrations, an aggregation per pair for the events": {[]model.Measure{
			{Name: "j", Numerator: num1, Denominator: agg(model.OpCount, seenTwice), GroupBy: groups2, Intervals: months},
		}, []string{"rows that must exist met by joins: practice_registrations (a semi join)", "aggs_"}},
		"rows that must exist, dates on either side of the start or NULL: a semi join": {[]model.Measure{
			{Name: "n", Numerator: num1, Denominator: agg(model.OpCount, seenJoined), Intervals: months},
		}, []string{"rows that must exist met by joins: practice_registrations (a semi join)"}},
		"rows that must exist, a condition not a comparison with the interval: a join, pairs grouped again": {[]model.Measure{
			{Name: "g", Numerator: num1, Denominator: agg(model.OpCount, seenOrUnvalued), GroupBy: groups2, Intervals: months},
		}, []string{"rows that must exist met by joins: practice_registrations (a semi join), practice_registrations (a join)"}},
		"a denominator of patients: every patient of the table": {[]model.Measure{
			{Name: "m3", Numerator: num2, Denominator: den3, GroupBy: groups2, Intervals: weeks},
			{Name: "m4", Numerator: den2, Denominator: den1, Intervals: months},
		}, []string{"the patients in any table the denominators read"}},
	}

	data := randomMeasuresData(rand.New(rand.NewPCG(7, 11)), 120)
	s, err := engine.OpenEmpty(ctx, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all := []*model.Table{tables.Core("patients"), tables.Core("practice_registrations"), tables.Core("clinical_events")}
	if err := s.LoadRows(ctx, all, data); err != nil {
		t.Fatal(err)
	}
	for name, c := range sets {
		t.Run(name, func(t *testing.T) {
			q, err := engine.CompileMeasures(c.ms)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range c.planHas {
				if plan := strings.Join(q.Plan, "\n"); !strings.Contains(plan, want) {
					t.Errorf("the plan does not say %q:\n%s", want, plan)
				}
			}
			got := rowsText(t, q, s)
			want := measuresByInterval(t, ctx, s, c.ms)
			if len(got) < 10 {
				t.Errorf("only %d rows: the data exercise too little", len(got))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("measures query:\n%s\none interval at a time:\n%s\nSQL:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), q.SQL)
			}
		})
	}
}

// measuresByInterval computes measures one interval at a time through the
// dataset compiler, in rowsText's format.
func measuresByInterval(t *testing.T, ctx context.Context, s *engine.Session, ms []model.Measure) []string {
	t.Helper()
	var out []string
	for _, m := range ms {
		for _, iv := range m.Intervals {
			values := map[string]model.Literal{"interval_start_date": model.DateLit(iv[0]), "interval_end_date": model.DateLit(iv[1])}
			sub := func(n *model.Node) *model.Node {
				x, err := model.Substitute(n, values)
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
			den := sub(m.Denominator)
			pop := den
			if den.Type() == model.Int {
				pop = must(model.Function(model.OpGT, den, must(model.Value(model.IntLit(0)))))
			}
			ds := &model.Dataset{Population: pop, Variables: []model.Variable{
				{Name: "num", Series: sub(m.Numerator)}, {Name: "den", Series: den}}}
			for _, g := range m.GroupBy {
				ds.Variables = append(ds.Variables, model.Variable{Name: "g_" + g.Name, Series: sub(g.Series)})
			}
			q, err := engine.CompileDataset(ds)
			if err != nil {
				t.Fatal(err)
			}
			res, err := q.Results(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			type sums struct{ num, den int64 }
			byGroup := map[string]*sums{}
			var keys []string
			for _, row := range res.Dataset.Rows {
				var groups []string
				for i, g := range m.GroupBy {
					v := row[3+i]
					if d, ok := v.(model.CivilDate); ok {
						v = d.String()
					}
					if v == nil {
						v = "<nil>"
					}
					groups = append(groups, fmt.Sprintf("%s=%v", g.Name, v))
				}
				sort.Strings(groups)
				k := strings.Join(groups, " ")
				if byGroup[k] == nil {
					byGroup[k] = &sums{}
					keys = append(keys, k)
				}
				byGroup[k].num += asCount(row[1])
				byGroup[k].den += asCount(row[2])
			}
			for _, k := range keys {
				out = append(out, fmt.Sprintf("%s %s..%s %d/%d %s", m.Name, iv[0], iv[1], byGroup[k].num, byGroup[k].den, k))
			}
		}
	}
	sort.Strings(out)
	return out
}

func asCount(v any) int64 {
	switch x := v.(type) {
	case bool:
		if x {
			return 1
		}
	case int64:
		return x
	}
	return 0
}

// randomMeasuresData makes n patients with registrations that start and
// end around the intervals, and events (some on the same day, some with no
// date) from mid-2019 to mid-2021.
func randomMeasuresData(r *rand.Rand, n int) memory.Data {
	codes := []string{"123456", "1234567", "7654321", "111111", "999999999"}
	sexes := []string{"female", "male", "intersex", "unknown"}
	day := func(from string, span int) model.CivilDate { return model.MustParseDate(from).AddDays(r.IntN(span)) }
	d := memory.Data{}
	for pid := int64(1); pid <= int64(n); pid++ {
		dob := day("1940-01-01", 80*365)
		dob.Day = 1
		d["patients"] = append(d["patients"], memory.Row{PatientID: pid, Values: map[string]any{
			"date_of_birth": dob, "sex": sexes[r.IntN(len(sexes))], "date_of_death": nil}})
		for range r.IntN(3) {
			start := day("2018-01-01", 4*365)
			var stop any
			if r.IntN(2) == 0 {
				stop = start.AddDays(r.IntN(600))
			}
			var from any = start
			if r.IntN(10) == 0 {
				from = nil
			}
			d["practice_registrations"] = append(d["practice_registrations"], memory.Row{PatientID: pid, Values: map[string]any{
				"start_date": from, "end_date": stop, "practice_pseudo_id": int64(r.IntN(5))}})
		}
		var prev any
		for range r.IntN(30) {
			var date any = day("2019-07-01", 2*365)
			switch r.IntN(8) {
			case 0:
				date = nil
			case 1:
				if prev != nil {
					date = prev // same day
				}
			}
			prev = date
			d["clinical_events"] = append(d["clinical_events"], memory.Row{PatientID: pid, Values: map[string]any{
				"date": date, "snomedct_code": codes[r.IntN(len(codes))], "numeric_value": nil}})
		}
	}
	return d
}
