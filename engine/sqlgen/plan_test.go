package sqlgen_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestPlanChoices: frames of one event table share a scan from four frames
// on, codelist tests become flags of one join, and a population requiring
// rows in a frame or a patient table is driven from their patients.
func TestPlanChoices(t *testing.T) {
	must := mustFor(t)
	events := &model.Table{Name: "ev", Columns: []model.Column{{Name: "code", Type: model.Str}, {Name: "n", Type: model.Int}}}
	patients := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "age", Type: model.Int}}}
	ev := must(model.SelectTable(events))
	pt := must(model.SelectTable(patients))
	in := func(codes ...string) *model.Node {
		var lits []model.Literal
		for _, c := range codes {
			lits = append(lits, model.StrLit(c))
		}
		set, err := model.SetLit(model.Str, lits)
		if err != nil {
			t.Fatal(err)
		}
		return must(model.Filter(ev, must(model.Function(model.OpIn, must(model.SelectColumn(ev, "code")), model.MustValue(set)))))
	}
	a, b, c3, d := in("x1", "x2"), in("x2", "x3"), in("x3", "x4"), in("x5")
	existsA := must(model.Aggregate(model.OpExists, a))
	positive := must(model.Filter(ev, must(model.Function(model.OpGT, must(model.SelectColumn(ev, "n")), model.MustValue(model.IntLit(0))))))
	adult := must(model.Function(model.OpGE, must(model.SelectColumn(pt, "age")), model.MustValue(model.IntLit(18))))
	var nine []*model.Node
	for i := range 9 {
		nine = append(nine, must(model.Aggregate(model.OpExists, in(fmt.Sprintf("y%d", i)))))
	}
	type planCase struct {
		name      string
		pop       *model.Node
		vars      []*model.Node
		plan      []string
		evScans   int
		sqlChunks []string
	}
	cases := []planCase{
		{"four codelist frames share a scan, population from the table",
			adult, []*model.Node{must(model.Aggregate(model.OpExists, a)), must(model.Aggregate(model.OpCount, b)),
				must(model.Aggregate(model.OpExists, c3)), must(model.Aggregate(model.OpExists, d))},
			[]string{
				"population first: the candidates are the rows of pt, which the population requires, and the final query reads its columns from them",
				"scan_2: one scan of ev for 4 frames (4 aggregations and picks); 4 codelists on code as flags of codelists_1, an inner join (every frame tests it)",
			}, 1, []string{
				"FROM (VALUES ('x1', 1, 1), ('x2', 2, 3), ('x3', 3, 6), ('x4', 4, 4), ('x5', 5, 8)) AS t(k, r, m0)",
				"COALESCE(cl.f1, FALSE) AS \"frame 1\"", "count(CASE WHEN e.\"frame 1\" THEN 1 END)", "WHERE (cl.f0)\n      OR (cl.f1)",
				"JOIN codelists_1 AS cl ON cl.k = e.\"code\""}},
		{"a frame without a codelist: left join with the flags",
			adult, []*model.Node{must(model.Aggregate(model.OpExists, a)), must(model.Aggregate(model.OpSum, must(model.SelectColumn(positive, "n")))),
				must(model.Aggregate(model.OpExists, b)), must(model.Aggregate(model.OpExists, c3))},
			[]string{
				"population first: the candidates are the rows of pt, which the population requires, and the final query reads its columns from them",
				"scan_2: one scan of ev for 4 frames (4 aggregations and picks); 3 codelists on code as flags of codelists_1, a left join",
			}, 1, []string{"LEFT JOIN codelists_1 AS cl ON cl.k = e.\"code\"", "sum((CASE WHEN e.\"frame 1\" THEN e.\"n\" END))"}},
		{"three frames keep their own scans",
			adult, []*model.Node{must(model.Aggregate(model.OpExists, a)), must(model.Aggregate(model.OpExists, b)), must(model.Aggregate(model.OpExists, c3))},
			[]string{
				"population first: the candidates are the rows of pt, which the population requires, and the final query reads its columns from them",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
				"aggs_2: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
				"aggs_3: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
			}, 3, []string{"IN ('x1', 'x2')", "IN ('x3', 'x4')"}},
		{"one frame keeps its own scan; population first",
			must(model.Function(model.OpAnd, must(model.Aggregate(model.OpExists, a)), adult)), []*model.Node{must(model.Aggregate(model.OpCount, a))},
			[]string{
				"aggs_1: own scan of ev, filters pushed into it (one frame: 2 aggregations and picks)",
				"population first: the candidates are the patients with rows in aggs_1 (of ev the population requires), whose values the final query reads from them; the other scans read only their rows (a cohort by codelist)",
			}, 1, []string{"population AS (\n  SELECT * FROM aggs_1 WHERE v", "IN ('x1', 'x2')"}},
		{"population first: the other scans read only the candidates",
			// "adult or of unknown age" needs no row of pt
			must(model.Function(model.OpAnd, must(model.Aggregate(model.OpExists, a)),
				must(model.Function(model.OpOr, adult, must(model.Function(model.OpIsNull, must(model.SelectColumn(pt, "age")))))))),
			[]*model.Node{must(model.Aggregate(model.OpCount, b))},
			[]string{
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
				"population first: the candidates are the patients with rows in aggs_1 (of ev the population requires), whose values the final query reads from them; the other scans read only their rows (a cohort by codelist)",
				"aggs_2: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
			}, 2, []string{
				"WITH aggs_1 AS (\n  SELECT e.patient_id, TRUE AS v0\n  FROM main.\"ev\" AS e\n  WHERE",
				"population AS (\n  SELECT * FROM aggs_1 WHERE v0\n),\naggs_2 AS (",
				// The final query reads aggs_1 from the population's rows
				// and does not join it again.
				"FROM population AS aggs_1\nLEFT JOIN main.\"pt\" AS \"pt_pt\" ON \"pt_pt\".patient_id = aggs_1.patient_id\n  LEFT JOIN aggs_2 AS aggs_2 ON aggs_2.patient_id = aggs_1.patient_id\nWHERE ((COALESCE(aggs_1.v0, FALSE)",
				"FROM main.\"ev\" AS e SEMI JOIN population AS inc ON inc.patient_id = e.patient_id\n  WHERE (e.\"code\" IN ('x2', 'x3'))",
			}},
		{"population first from a frame a variable reads too: one scan of it",
			must(model.Function(model.OpAnd, existsA, adult)), []*model.Node{existsA},
			[]string{
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
				"population first: the candidates are the patients with rows in aggs_1 (of ev the population requires), whose values the final query reads from them; the other scans read only their rows (a cohort by codelist)",
			}, 1, []string{"population AS (\n  SELECT * FROM aggs_1 WHERE v0\n)"}},
		{"population first from a patient table and a frame, both required",
			must(model.Function(model.OpAnd, must(model.Aggregate(model.OpExists, a)), adult)), []*model.Node{must(model.Aggregate(model.OpCount, b))},
			[]string{
				"population first: the candidates are the rows of pt with rows in ev (a semi join), both of which the population requires, and the final query reads the columns of pt from them; the other scans read only their rows (a cohort by codelist)",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
			}, 2, []string{
				// pt's rows with rows in the frame: nothing grouped
				"WITH population AS (\n  SELECT * FROM main.\"pt\" AS t\n  WHERE t.patient_id IN (\n  SELECT e.patient_id\n  FROM main.\"ev\" AS e\n  WHERE (e.\"code\" IN ('x1', 'x2'))\n  )\n)",
				// pt is read from the population's rows, the exists is met
				"FROM population AS \"pt_pt\"\nLEFT JOIN aggs_1 AS aggs_1 ON aggs_1.patient_id = \"pt_pt\".patient_id\nWHERE ((\"pt_pt\".\"age\" >= CAST(18 AS BIGINT))) IS TRUE",
				"FROM main.\"ev\" AS e SEMI JOIN population AS inc ON inc.patient_id = e.patient_id\n  WHERE (e.\"code\" IN ('x2', 'x3'))",
			}},
	}
	regs := must(model.SelectTable(&model.Table{Name: "rg", Columns: []model.Column{{Name: "n", Type: model.Int}}}))
	set12, err := model.SetLit(model.Int, []model.Literal{model.IntLit(1), model.IntLit(2)})
	if err != nil {
		t.Fatal(err)
	}
	cohort := must(model.Filter(regs, must(model.Function(model.OpIn, must(model.SelectColumn(regs, "n")), model.MustValue(set12)))))
	cases = append(cases, planCase{"population first, a cohort by codelist: a shared scan reads only the candidates",
		must(model.Function(model.OpAnd, must(model.Aggregate(model.OpExists, cohort)), adult)),
		[]*model.Node{must(model.Aggregate(model.OpExists, a)), must(model.Aggregate(model.OpCount, b)),
			must(model.Aggregate(model.OpExists, c3)), must(model.Aggregate(model.OpExists, d))},
		[]string{
			"population first: the candidates are the rows of pt with rows in rg (a semi join), both of which the population requires, and the final query reads the columns of pt from them; the other scans read only their rows (a cohort by codelist)",
			"scan_2: one scan of ev for 4 frames (4 aggregations and picks); 4 codelists on code as flags of codelists_1, an inner join (every frame tests it)",
		}, 1, []string{"FROM main.\"ev\" AS e SEMI JOIN population AS inc ON inc.patient_id = e.patient_id\n    JOIN codelists_1 AS cl ON cl.k = e.\"code\""}})
	cases = append(cases, planCase{"population first, no codelist: the other scans read every patient",
		must(model.Function(model.OpAnd, must(model.Aggregate(model.OpExists, regs)), adult)), []*model.Node{must(model.Aggregate(model.OpCount, b))},
		[]string{
			"population first: the candidates are the rows of pt with rows in rg (a semi join), both of which the population requires, and the final query reads the columns of pt from them; the other scans read every patient's rows (no codelist: most patients are candidates)",
			"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
		}, 1, []string{"FROM main.\"ev\" AS e\n  WHERE (e.\"code\" IN ('x2', 'x3'))"}})
	cases = append(cases, planCase{"nine frames: a shared scan of eight, then one of its own",
		adult, nine,
		[]string{
			"population first: the candidates are the rows of pt, which the population requires, and the final query reads its columns from them",
			"scan_2: one scan of ev for 8 frames (8 aggregations and picks); 8 codelists on code as flags of codelists_1, an inner join (every frame tests it)",
			"aggs_3: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
		}, 2, []string{"('y7', 8, 128)", "IN ('y8')"}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vars []model.Variable
			for i, v := range c.vars {
				vars = append(vars, model.Variable{Name: string(rune('a' + i)), Series: v})
			}
			q, err := sqlgen.CompileDataset(&model.Dataset{Population: c.pop, Variables: vars})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(q.Plan, "\n") != strings.Join(c.plan, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(q.Plan, "\n"), strings.Join(c.plan, "\n"))
			}
			if n := strings.Count(q.SQL, `FROM main."ev"`); n != c.evScans {
				t.Errorf("%d scans of ev, want %d:\n%s", n, c.evScans, q.SQL)
			}
			for _, chunk := range c.sqlChunks {
				if !strings.Contains(q.SQL, chunk) {
					t.Errorf("SQL lacks %q:\n%s", chunk, q.SQL)
				}
			}
			if !strings.Contains(q.Script(), "-- plan: "+c.plan[0]+"\n") {
				t.Error("the script does not show the plan")
			}
		})
	}
}

// TestPopulationFromRequiredTable: the population is driven from a patient
// table's rows exactly when it cannot be true for a patient with no row
// there: through AND, through OR when both sides need the row, and through
// functions that are NULL when an operand is; not through a NULL test, a
// function that decides NULLs itself, or an OR one side of which holds
// without the row.
func TestPopulationFromRequiredTable(t *testing.T) {
	must := mustFor(t)
	pt := must(model.SelectTable(&model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "age", Type: model.Int}}}))
	ev := must(model.SelectTable(&model.Table{Name: "ev", Columns: []model.Column{{Name: "n", Type: model.Int}}}))
	age := must(model.SelectColumn(pt, "age"))
	fn := func(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }
	n := func(i int64) *model.Node { return model.MustValue(model.IntLit(i)) }
	adult := fn(model.OpGE, age, n(18))
	child := fn(model.OpLT, age, n(5))
	hasEvents := must(model.Aggregate(model.OpExists, ev))
	fromTable := "population first: the candidates are the rows of pt, which the population requires"
	fromBoth := "population first: the candidates are the rows of pt with rows in ev (a semi join)"
	fromFrame := "population first: the candidates are the patients with rows in aggs_1 (of ev the population requires)"
	fromAny := "population: the candidates are the patients in any table the population reads"
	for _, c := range []struct {
		name string
		pop  *model.Node
		plan string
	}{
		{"a comparison of a column", adult, fromTable},
		{"arithmetic and NOT pass the NULL on", fn(model.OpNot, fn(model.OpLT, fn(model.OpAdd, age, n(1)), n(19))), fromTable},
		{"OR of two conditions needing the row", fn(model.OpOr, adult, child), fromTable},
		{"AND with a condition needing the row", fn(model.OpAnd, fn(model.OpOr, hasEvents, child), adult), fromTable},
		{"and a frame's rows", fn(model.OpAnd, hasEvents, adult), fromBoth},
		{"OR with another table's condition", fn(model.OpOr, adult, hasEvents), fromAny},
		// (ehrQL refuses a population true for a patient in no table, so
		// these need a frame's rows.)
		{"OR with a condition true without the row", fn(model.OpAnd, hasEvents, fn(model.OpOr, adult, fn(model.OpIsNull, age))), fromFrame},
		{"a function deciding NULLs itself", fn(model.OpAnd, hasEvents, fn(model.OpGE, fn(model.OpMaximumOf, age, n(1)), n(1))), fromFrame},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := sqlgen.CompileDataset(&model.Dataset{Population: c.pop, Variables: []model.Variable{{Name: "age", Series: age}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(q.Plan) == 0 || !strings.HasPrefix(q.Plan[0], c.plan) && !strings.HasPrefix(q.Plan[len(q.Plan)-1], c.plan) {
				t.Errorf("plan:\n%s\nwant a line starting %q", strings.Join(q.Plan, "\n"), c.plan)
			}
		})
	}
}

// TestMeasuresPlanChoices: a per-interval frame bounded by the interval on
// both sides meets it through a calendar of its days (a range join
// otherwise, or when the calendar would be too long); a patient condition
// of the interval inside a frame is checked after aggregating; the
// candidates come from the denominators' relations when they count rows;
// measures differing only in intervals are one aggregation; a frame
// bounded above only is aggregated in buckets when its aggregations combine.
func TestMeasuresPlanChoices(t *testing.T) {
	must := mustFor(t)
	events := &model.Table{Name: "ev", Columns: []model.Column{{Name: "d", Type: model.Date}, {Name: "n", Type: model.Int}, {Name: "e", Type: model.Date}}}
	patients := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "dob", Type: model.Date}}}
	ev := must(model.SelectTable(events))
	pt := must(model.SelectTable(patients))
	fn := func(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }
	start := must(model.Parameter("interval_start_date", model.Date))
	end := must(model.Parameter("interval_end_date", model.Date))
	d := must(model.SelectColumn(ev, "d"))
	e, n := must(model.SelectColumn(ev, "e")), must(model.SelectColumn(ev, "n"))
	during := must(model.Filter(ev, fn(model.OpAnd, fn(model.OpGE, d, start), fn(model.OpLE, d, end))))
	inside := must(model.Filter(ev, fn(model.OpGT, d, start)))
	inside = must(model.Filter(inside, fn(model.OpGT, end, d)))
	upTo := must(model.Filter(ev, fn(model.OpLE, d, end)))
	upToPositive := must(model.Filter(upTo, fn(model.OpGT, must(model.SelectColumn(ev, "n")), must(model.Value(model.IntLit(0))))))
	bornBefore := fn(model.OpLT, must(model.SelectColumn(pt, "dob")), start) // patient-level, of the interval
	count := func(f *model.Node) *model.Node { return must(model.Aggregate(model.OpCount, f)) }
	exists := func(f *model.Node) *model.Node { return must(model.Aggregate(model.OpExists, f)) }
	months := func(n int) [][2]model.CivilDate {
		var out [][2]model.CivilDate
		for m := range n {
			s := model.MustParseDate("2020-01-01").AddMonths(m)
			out = append(out, [2]model.CivilDate{s, s.AddMonths(1).AddDays(-1)})
		}
		return out
	}
	decades := [][2]model.CivilDate{}
	for i := range 300 {
		s := model.MustParseDate("1700-01-01").AddYears(i)
		decades = append(decades, [2]model.CivilDate{s, s.AddYears(10)})
	}
	cases := []struct {
		name      string
		ms        []model.Measure
		plan      []string
		sqlChunks []string
		sqlLacks  []string
	}{
		{"calendar for a frame during the interval; candidates from its relation; two series of intervals in one aggregation",
			[]model.Measure{
				{Name: "a", Numerator: exists(upTo), Denominator: count(during), Intervals: months(2)},
				{Name: "b", Numerator: exists(upTo), Denominator: count(during), Intervals: months(3)[2:]},
			},
			[]string{
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: d joined with the 91 days of calendar_2)",
				"population first: the candidate (patient, interval) pairs are those of aggs_1, which the denominator requires",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"aggs_3: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: in buckets by d (3 bounds), combined for each interval from the buckets under its bound)",
			},
			[]string{
				"FROM (SELECT iv.iv, iv.start_date, iv.end_date, iv.start_date AS lo, unnest(range(0, iv.end_date - iv.start_date + 1)) AS o FROM intervals AS iv)",
				"FROM main.\"ev\" AS e JOIN calendar_2 AS iv ON iv.d = e.\"d\"\n  GROUP BY e.patient_id, iv.iv",
				"FROM aggs_1 AS aggs_1 JOIN intervals AS iv ON iv.iv = aggs_1.iv",
				"JOIN (VALUES (0, 0), (0, 1), (1, 2)) AS mi(measure, iv) ON mi.iv = p.iv",
				"per_patient AS (",
			}, nil},
		{"strict bounds in two filters; a patient condition of the interval checked after aggregating; two denominators",
			[]model.Measure{
				{Name: "a", Numerator: exists(upTo), Denominator: exists(must(model.Filter(inside, bornBefore))), Intervals: months(1)},
				{Name: "b", Numerator: exists(upTo), Denominator: count(during), Intervals: months(1)},
			},
			[]string{
				"unmasked_3: 1 patient condition(s) of the interval checked after aggregating, for its (patient, interval) pairs only",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: d joined with the 29 days of calendar_2)",
				"aggs_5: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: d joined with the 31 days of calendar_6)",
				"population first: the candidate (patient, interval) pairs are those of aggs_1, aggs_5, one of which each denominator requires",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"aggs_7: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: in buckets by d (1 bounds), combined for each interval from the buckets under its bound)",
			},
			[]string{
				"(iv.start_date + 1) AS lo, unnest(range(0, (iv.end_date - 1) - (iv.start_date + 1) + 1))",
				"SELECT r.*\n  FROM unmasked_3 AS r JOIN intervals AS iv ON iv.iv = r.iv\n  LEFT JOIN main.\"pt\" AS \"pt_pt\" ON \"pt_pt\".patient_id = r.patient_id\n  WHERE (\"pt_pt\".\"dob\" < iv.start_date)",
				"population AS (\n  SELECT patient_id, iv FROM aggs_1\n  UNION\n  SELECT patient_id, iv FROM aggs_5\n)",
				"per_patient AS MATERIALIZED (",
			},
			// the condition read no relation of the interval: no pairs
			[]string{"pairs_4 AS"}},
		{"four frames during the interval: one scan joined with the calendar",
			func() []model.Measure {
				var ms []model.Measure
				for i := range 4 {
					f := must(model.Filter(during, fn(model.OpGT, must(model.SelectColumn(ev, "n")), must(model.Value(model.IntLit(int64(i)))))))
					ms = append(ms, model.Measure{Name: fmt.Sprint(i), Numerator: count(f), Denominator: exists(pt), Intervals: months(1)})
				}
				return ms
			}(),
			[]string{
				"population: the candidates are the patients in any table the denominators read, for every interval",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"scan_2: one scan of ev for 4 frames (4 aggregations and picks); per interval: d joined with the 31 days of calendar_1",
			},
			[]string{
				"SELECT e.*, iv.iv AS \"interval\",\n      COALESCE((e.\"n\" > CAST(0 AS BIGINT)), FALSE) AS \"frame 0\"",
				"FROM main.\"ev\" AS e JOIN calendar_1 AS iv ON iv.d = e.\"d\"\n    WHERE ((e.\"n\" > CAST(0 AS BIGINT)))",
				") AS e JOIN intervals AS iv ON iv.iv = e.\"interval\"\n  GROUP BY e.patient_id, iv.iv",
			}, nil},
		{"a frame bounded above only: buckets, combined per interval; a sum keeps the range join",
			[]model.Measure{
				{Name: "a", Numerator: count(upTo), Denominator: exists(pt), Intervals: months(3)},
				{Name: "b", Numerator: must(model.Aggregate(model.OpSum, must(model.SelectColumn(upToPositive, "n")))), Denominator: exists(pt), Intervals: months(3)},
			},
			[]string{
				"population: the candidates are the patients in any table the denominators read, for every interval",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: in buckets by d (3 bounds), combined for each interval from the buckets under its bound)",
				"aggs_3: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: a range join with the (patient, interval) pairs of den_values)",
			},
			[]string{
				"buckets_2 AS (\n  SELECT t.d, min(b.bound) AS iv\n  FROM (SELECT CAST(DATE '2020-01-31' + CAST(o AS INTEGER) AS DATE) AS d FROM range(0, 61) AS r(o)) AS t\n  JOIN (VALUES (DATE '2020-01-31'), (DATE '2020-02-29'), (DATE '2020-03-31')) AS b(bound) ON b.bound >= t.d",
				"JOIN buckets_2 AS iv ON iv.d = (CASE WHEN e.\"d\" <= DATE '2020-01-31' THEN DATE '2020-01-31' ELSE e.\"d\" END)\n  GROUP BY e.patient_id, iv.iv",
				"SELECT b.patient_id, iv.iv AS iv, CAST(sum(b.v0) AS BIGINT) AS v0\n  FROM (",
				") AS b JOIN den_values AS iv ON iv.patient_id = b.patient_id AND b.iv <= iv.end_date\n  GROUP BY b.patient_id, iv.iv",
			}, nil},
		{"a frame bounded above only, with a pick sorted by a key of the interval: a range join, not buckets",
			[]model.Measure{
				{Name: "a", Numerator: count(upTo), Denominator: exists(pt), Intervals: months(3),
					GroupBy: []model.Variable{{Name: "g", Series: must(model.SelectColumn(must(model.PickOneRowPerPatient(
						must(model.Sort(upTo, fn(model.OpMinimumOf, d, start))), model.Last)), "n"))}}},
			},
			[]string{
				"population: the candidates are the patients in any table the denominators read, for every interval",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 2 aggregations and picks; per interval: a range join with the (patient, interval) pairs of den_values)",
			},
			[]string{"JOIN den_values AS iv ON iv.patient_id = e.patient_id\n  WHERE (e.\"d\" <= iv.end_date)", "iv.start_date"},
			[]string{"buckets_"}},
		{"a frame bounded above only, filtered by an aggregation of its own rows (per interval): a range join, not buckets",
			[]model.Measure{
				{Name: "a", Numerator: count(must(model.Filter(upTo, fn(model.OpIn, must(model.SelectColumn(upTo, "n")),
					must(model.Aggregate(model.OpCombineAsSet, must(model.SelectColumn(upTo, "n")))))))),
					Denominator: exists(pt), Intervals: months(3)},
			},
			[]string{
				"population: the candidates are the patients in any table the denominators read, for every interval",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"aggs_2: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: a range join with the (patient, interval) pairs of den_values)",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: a range join with the (patient, interval) pairs of den_values)",
			},
			[]string{"FROM main.\"ev\" AS e JOIN den_values AS iv ON iv.patient_id = e.patient_id\n  LEFT JOIN aggs_2 AS aggs_2 ON aggs_2.patient_id = e.patient_id AND aggs_2.iv = iv.iv\n  WHERE (e.\"d\" <= iv.end_date)"},
			[]string{"buckets_"}},
		{"rows whose period holds the interval's start that must exist for a pair: semi joins, or a join where a condition is not a comparison with the interval; other rows: per-pair aggregations, or buckets",
			[]model.Measure{
				{Name: "a", Numerator: exists(upTo), Denominator: count(must(model.Filter(during, fn(model.OpAnd,
					fn(model.OpAnd,
						exists(must(model.Filter(ev, fn(model.OpAnd, fn(model.OpAnd, fn(model.OpLE, d, start), fn(model.OpOr, fn(model.OpIsNull, e), fn(model.OpLE, start, e))), fn(model.OpGT, n, must(model.Value(model.IntLit(0)))))))),
						exists(must(model.Filter(ev, fn(model.OpAnd, fn(model.OpLE, d, start), fn(model.OpOr, fn(model.OpGE, e, start), fn(model.OpGT, n, must(model.Value(model.IntLit(0)))))))))),
					fn(model.OpAnd,
						exists(must(model.Filter(ev, fn(model.OpAnd, fn(model.OpGE, d, start), fn(model.OpGT, n, must(model.Value(model.IntLit(0)))))))),
						exists(upToPositive)))))), Intervals: months(2)},
			},
			[]string{
				"aggs_7: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: a range join with the (patient, interval) pairs of pairs_4)",
				"aggs_8: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: in buckets by d (2 bounds), combined for each interval from the buckets under its bound)",
				"unmasked_3: 1 patient condition(s) of the interval checked after aggregating, for its (patient, interval) pairs only; rows that must exist met by joins: ev (a semi join), ev (a join)",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: d joined with the 60 days of calendar_2)",
				"population first: the candidate (patient, interval) pairs are those of aggs_1, which the denominator requires",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"aggs_10: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: in buckets by d (2 bounds), combined for each interval from the buckets under its bound)",
			},
			[]string{
				"SELECT r.patient_id, r.iv, any_value(COLUMNS(r.* EXCLUDE (patient_id, iv)))\n  FROM unmasked_3 AS r JOIN intervals AS iv ON iv.iv = r.iv\n" +
					"  LEFT JOIN aggs_7 AS aggs_7 ON aggs_7.patient_id = r.patient_id AND aggs_7.iv = iv.iv\n  LEFT JOIN aggs_8 AS aggs_8 ON aggs_8.patient_id = r.patient_id AND aggs_8.iv = iv.iv\n" +
					"  SEMI JOIN (SELECT * FROM main.\"ev\" AS rows_5 WHERE (rows_5.\"n\" > CAST(0 AS BIGINT))) AS rows_5 ON rows_5.patient_id = r.patient_id\n    AND (rows_5.\"d\" <= iv.start_date)\n    AND (iv.start_date <= COALESCE(rows_5.\"e\", CAST('infinity' AS DATE)))\n" +
					"  JOIN main.\"ev\" AS rows_6 ON rows_6.patient_id = r.patient_id\n    AND (rows_6.\"d\" <= iv.start_date)\n    AND ((rows_6.\"e\" >= iv.start_date) OR (rows_6.\"n\" > CAST(0 AS BIGINT)))\n" +
					"  WHERE COALESCE(aggs_7.v0, FALSE)\n    AND COALESCE(aggs_8.v0, FALSE)\n  GROUP BY r.patient_id, r.iv",
			}, nil},
		{"a calendar too long: a range join; a denominator of patients: every patient, every interval",
			[]model.Measure{
				{Name: "a", Numerator: count(during), Denominator: exists(pt), Intervals: decades},
			},
			[]string{
				"population: the candidates are the patients in any table the denominators read, for every interval",
				"den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks; per interval: a range join with the (patient, interval) pairs of den_values)",
			},
			[]string{"FROM population AS p CROSS JOIN intervals AS iv", "JOIN den_values AS iv ON iv.patient_id = e.patient_id\n  WHERE ((e.\"d\" >= iv.start_date) AND (e.\"d\" <= iv.end_date))"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := sqlgen.CompileMeasures(c.ms)
			if err != nil {
				t.Fatal(err)
			}
			// the denominators' statement, then the query
			q.SQL = strings.Join(append(q.Prepare, q.SQL), ";\n")
			if strings.Join(q.Plan, "\n") != strings.Join(c.plan, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(q.Plan, "\n"), strings.Join(c.plan, "\n"))
			}
			for _, chunk := range c.sqlChunks {
				if !strings.Contains(q.SQL, chunk) {
					t.Errorf("SQL lacks %q:\n%s", chunk, q.SQL)
				}
			}
			for _, chunk := range c.sqlLacks {
				if strings.Contains(q.SQL, chunk) {
					t.Errorf("SQL has %q:\n%s", chunk, q.SQL)
				}
			}
		})
	}
}

// TestPlanBreaksCycles: a scan never needs itself through the scan of other
// rows. The two picks of a would share a scan, but the one sorted by the
// count of b's rows needs b's scan, and b's max reads the other: b's count
// and max get a scan each, and a's picks keep theirs.
func TestPlanBreaksCycles(t *testing.T) {
	must := mustFor(t)
	cols := []model.Column{{Name: "n", Type: model.Int}, {Name: "d", Type: model.Date}}
	a := must(model.SelectTable(&model.Table{Name: "a", Columns: cols}))
	b := must(model.SelectTable(&model.Table{Name: "b", Columns: cols}))
	pt := must(model.SelectTable(&model.Table{Name: "pt", PatientLevel: true, Columns: cols}))
	col := func(f *model.Node, name string) *model.Node { return must(model.SelectColumn(f, name)) }
	last := func(key *model.Node) *model.Node {
		return must(model.PickOneRowPerPatient(must(model.Sort(a, key)), model.Last))
	}
	byCount := last(must(model.Function(model.OpAdd, col(a, "n"), must(model.Aggregate(model.OpCount, b)))))
	byDate := last(col(a, "d"))
	q, err := sqlgen.CompileDataset(&model.Dataset{
		Population: must(model.Aggregate(model.OpExists, pt)),
		Variables: []model.Variable{
			{Name: "x", Series: col(byCount, "n")},
			{Name: "y", Series: must(model.Aggregate(model.OpMax, must(model.Function(model.OpDateDifferenceInDays, col(b, "d"), col(byDate, "d")))))},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"population: the candidates are the patients in any table the population reads",
		"aggs_2: own scan of b, filters pushed into it (one frame: 1 aggregations and picks)",
		"aggs_1: own scan of a, filters pushed into it (one frame: 2 aggregations and picks)",
		"aggs_3: own scan of b, filters pushed into it (one frame: 1 aggregations and picks)",
	}
	if got := strings.Join(q.Plan, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// TestCodelistDeclaredOnce: a large codelist tested by frames of two
// tables, each scanned on its own, and ranked by a pick, is written out
// once in the query; each scan tests it by a join with that declaration.
// When a shared scan tests it too, its declaration is the shared scan's
// flags table, which the other scans join with the codelist's flag.
func TestCodelistDeclaredOnce(t *testing.T) {
	must := mustFor(t)
	cols := []model.Column{{Name: "code", Type: model.Str}, {Name: "d", Type: model.Date}}
	ev := must(model.SelectTable(&model.Table{Name: "ev", Columns: cols}))
	md := must(model.SelectTable(&model.Table{Name: "md", Columns: cols}))
	pt := must(model.SelectTable(&model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "age", Type: model.Int}}}))
	var codes []model.Literal
	for i := range 2060 {
		codes = append(codes, model.StrLit(fmt.Sprintf("c%05d", i)))
	}
	codelist, err := model.SetLit(model.Str, codes)
	if err != nil {
		t.Fatal(err)
	}
	adult := must(model.Function(model.OpGE, must(model.SelectColumn(pt, "age")), model.MustValue(model.IntLit(18))))
	compile := func(evFrames int) *sqlgen.Query {
		var vars []model.Variable
		add := func(series *model.Node) {
			vars = append(vars, model.Variable{Name: fmt.Sprintf("v%d", len(vars)), Series: series})
		}
		for _, tf := range []struct {
			table  *model.Node
			frames int
		}{{ev, evFrames}, {md, 2}} {
			table, frames := tf.table, tf.frames
			coded := must(model.Filter(table, must(model.Function(model.OpIn, must(model.SelectColumn(table, "code")), model.MustValue(codelist)))))
			for year := range frames {
				before := must(model.Function(model.OpLT, must(model.SelectColumn(table, "d")), model.MustValue(model.DateLit(model.MustParseDate(fmt.Sprintf("%d-01-01", 2020+year))))))
				add(must(model.Aggregate(model.OpExists, must(model.Filter(coded, before)))))
			}
			first := must(model.PickOneRowPerPatient(must(model.Sort(coded, must(model.SelectColumn(table, "d")))), model.First))
			add(must(model.SelectColumn(first, "code")))
		}
		q, err := sqlgen.CompileDataset(&model.Dataset{Population: adult, Variables: vars})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	for _, c := range []struct {
		name              string
		evFrames          int
		ownScans, joins   int
		joinOf, joinShape string
	}{
		{"own scans only", 2, 6, 6, "codes_2", "JOIN codes_2 AS codes_2_in_3 ON codes_2_in_3.k = e.\"code\"\n"},
		{"a shared scan of ev and own scans of md", 4, 3, 3, "codelists_1", "AND codelists_1_in_"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := compile(c.evFrames)
			plan := strings.Join(q.Plan, "\n")
			if n := strings.Count(q.SQL, "'c01234'"); n != 1 {
				t.Errorf("a code of the codelist is written %d times, want 1:\n%s", n, plan)
			}
			if n := strings.Count(plan, "own scan"); n != c.ownScans {
				t.Errorf("%d own scans, want %d:\n%s", n, c.ownScans, plan)
			}
			if n := strings.Count(q.SQL, "JOIN "+c.joinOf+" AS "+c.joinOf+"_"); n != c.joins {
				t.Errorf("%d scans join %s, want %d:\n%s", n, c.joinOf, c.joins, q.SQL)
			}
			if !strings.Contains(q.SQL, c.joinShape) {
				t.Errorf("SQL lacks %q:\n%s", c.joinShape, q.SQL)
			}
		})
	}
}

// TestNestedCodelistDeclaredOnce: a large codelist tested inside a
// frame's condition (not the whole of it) is declared once and read as a
// table by every scan that tests it.
func TestNestedCodelistDeclaredOnce(t *testing.T) {
	must := mustFor(t)
	ev := must(model.SelectTable(&model.Table{Name: "ev", Columns: []model.Column{{Name: "code", Type: model.Str}, {Name: "d", Type: model.Date}}}))
	var codes []model.Literal
	for i := range 100 {
		codes = append(codes, model.StrLit(fmt.Sprintf("c%05d", i)))
	}
	codelist, err := model.SetLit(model.Str, codes)
	if err != nil {
		t.Fatal(err)
	}
	coded := must(model.Function(model.OpIn, must(model.SelectColumn(ev, "code")), model.MustValue(codelist)))
	var vars []model.Variable
	for year := range 2 {
		before := must(model.Function(model.OpLT, must(model.SelectColumn(ev, "d")), model.MustValue(model.DateLit(model.MustParseDate(fmt.Sprintf("%d-01-01", 2020+year))))))
		frame := must(model.Filter(ev, must(model.Function(model.OpOr, coded, before))))
		vars = append(vars, model.Variable{Name: fmt.Sprintf("v%d", year), Series: must(model.Aggregate(model.OpCount, frame))})
	}
	q, err := sqlgen.CompileDataset(&model.Dataset{Population: must(model.Aggregate(model.OpExists, ev)), Variables: vars})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(q.SQL, "'c00042'"); n != 1 {
		t.Errorf("a code of the codelist is written %d times, want 1:\n%s", n, q.SQL)
	}
	if n := strings.Count(q.SQL, `"code" IN (SELECT k FROM codes_`); n != 2 {
		t.Errorf("%d scans read the codelist's declaration, want 2:\n%s", n, q.SQL)
	}
}

// mustFor returns a function passing on a built node, that fails t if it
// could not be built.
func mustFor(t *testing.T) func(*model.Node, error) *model.Node {
	return func(n *model.Node, err error) *model.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}
