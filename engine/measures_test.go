package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/internal/studytest"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

func must(n *model.Node, err error) *model.Node {
	if err != nil {
		panic(err)
	}
	return n
}

func rowsText(t *testing.T, q *engine.MeasuresQuery, s *engine.Session) []string {
	t.Helper()
	rows, err := q.RunMeasures(context.Background(), s)
	if err != nil {
		t.Fatalf("%v\n%s", err, q.SQL)
	}
	var out []string
	for _, r := range rows {
		var groups []string
		for k, v := range r.Groups {
			groups = append(groups, fmt.Sprintf("%s=%v", k, v))
		}
		sort.Strings(groups)
		out = append(out, fmt.Sprintf("%s %s..%s %d/%d %s", r.Measure, r.Start, r.End, r.Numerator, r.Denominator, strings.Join(groups, " ")))
	}
	sort.Strings(out)
	return out
}

// measuresOnCSVs runs measures on DuckDB over CSV tables (file name ->
// contents) and returns the compiled query and its rows (rowsText).
func measuresOnCSVs(t *testing.T, csvs map[string]string, ms []model.Measure) (*engine.MeasuresQuery, []string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range csvs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	q, err := engine.CompileMeasures(ms)
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.OpenCSVTables(context.Background(), dir, q.Tables, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return q, rowsText(t, q, s)
}

// TestMeasuresByHand evaluates two measures over hand-made patients: a
// denominator that depends on the interval, a group that does too, a
// shared group, NULL groups, and a patient outside every denominator.
func TestMeasuresByHand(t *testing.T) {
	csvs := map[string]string{
		"patients.csv": "patient_id,date_of_birth,sex,date_of_death\n1,1950-01-01,female,\n2,2000-01-01,male,\n3,1980-01-01,,\n4,1990-01-01,female,\n",
		"clinical_events.csv": "patient_id,date,snomedct_code,numeric_value\n" +
			"1,2020-01-05,123456,\n1,2020-01-20,123456,\n1,2020-02-03,999999,\n" +
			"2,2020-02-10,123456,\n3,2020-01-15,999999,\n3,2020-02-15,123456,\n",
	}
	ce := must(model.SelectTable(tables.Core("clinical_events")))
	pat := must(model.SelectTable(tables.Core("patients")))
	date := must(model.SelectColumn(ce, "date"))
	code := must(model.SelectColumn(ce, "snomedct_code"))
	start := must(model.Parameter("interval_start_date", model.Date))
	end := must(model.Parameter("interval_end_date", model.Date))
	during := must(model.Function(model.OpAnd,
		must(model.Function(model.OpGE, date, start)), must(model.Function(model.OpLE, date, end))))
	inIv := must(model.Filter(ce, during))
	hasEvent := must(model.Aggregate(model.OpExists, inIv))
	set, err := model.SetLit(model.CodeType("SNOMEDCTCode"), []model.Literal{mustCode("123456")})
	if err != nil {
		t.Fatal(err)
	}
	isTarget := must(model.Function(model.OpIn, code, must(model.Value(set))))
	targetCount := must(model.Aggregate(model.OpCount, must(model.Filter(inIv, isTarget))))
	sex := must(model.SelectColumn(pat, "sex"))
	age := must(model.Function(model.OpDateDifferenceInYears, start, must(model.SelectColumn(pat, "date_of_birth"))))
	old := must(model.Function(model.OpGE, age, must(model.Value(model.IntLit(40)))))
	jan := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-01-31")}
	feb := [2]model.CivilDate{model.MustParseDate("2020-02-01"), model.MustParseDate("2020-02-29")}
	ms := []model.Measure{
		{Name: "target_events", Numerator: targetCount, Denominator: hasEvent,
			GroupBy: []model.Variable{{Name: "sex", Series: sex}}, Intervals: [][2]model.CivilDate{jan, feb}},
		{Name: "old_with_event", Numerator: old, Denominator: hasEvent,
			GroupBy: []model.Variable{{Name: "sex", Series: sex}, {Name: "old", Series: old}}, Intervals: [][2]model.CivilDate{feb}},
		// A denominator of its own, not depending on the interval, no groups.
		{Name: "all_patients", Numerator: targetCount, Denominator: must(model.Aggregate(model.OpExists, pat)),
			Intervals: [][2]model.CivilDate{jan}},
	}
	q, got := measuresOnCSVs(t, csvs, ms)
	want := []string{
		// All four patients count; only patient 1 has target events in January.
		"all_patients 2020-01-01..2020-01-31 2/4 ",
		// February: patients 1 (female, 70), 2 (male, 20) and 3 (NULL sex, 40) have events.
		"old_with_event 2020-02-01..2020-02-29 0/1 old=false sex=male",
		"old_with_event 2020-02-01..2020-02-29 1/1 old=true sex=<nil>",
		"old_with_event 2020-02-01..2020-02-29 1/1 old=true sex=female",
		// January: patient 1 has two target events, patient 3 none.
		"target_events 2020-01-01..2020-01-31 0/1 sex=<nil>",
		"target_events 2020-01-01..2020-01-31 2/1 sex=female",
		"target_events 2020-02-01..2020-02-29 0/1 sex=female",
		"target_events 2020-02-01..2020-02-29 1/1 sex=<nil>",
		"target_events 2020-02-01..2020-02-29 1/1 sex=male",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s\nSQL:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), q.SQL)
	}
}

// TestMeasuresRestrictedRelationsStayRestricted: a denominator whose
// frame needs a per-interval patient condition ("flagged before the
// interval") computes that condition for its own (patient, interval) pairs
// only. Another measure reading the same condition for other pairs must
// not read that restricted relation, whose missing pairs would count as
// false.
func TestMeasuresRestrictedRelationsStayRestricted(t *testing.T) {
	csvs := map[string]string{"clinical_events.csv": "patient_id,date,snomedct_code,numeric_value\n" +
		"1,2019-12-01,999999,\n1,2020-01-05,123456,\n1,2020-02-10,555555,\n" +
		"2,2020-01-10,123456,\n" +
		"3,2020-01-15,999999,\n3,2020-02-20,123456,\n"}
	ce := must(model.SelectTable(tables.Core("clinical_events")))
	date := must(model.SelectColumn(ce, "date"))
	code := must(model.SelectColumn(ce, "snomedct_code"))
	start := must(model.Parameter("interval_start_date", model.Date))
	end := must(model.Parameter("interval_end_date", model.Date))
	is := func(c string) *model.Node {
		set, err := model.SetLit(model.CodeType("SNOMEDCTCode"), []model.Literal{mustCode(c)})
		if err != nil {
			t.Fatal(err)
		}
		return must(model.Function(model.OpIn, code, must(model.Value(set))))
	}
	inIv := must(model.Filter(ce, must(model.Function(model.OpAnd,
		must(model.Function(model.OpGE, date, start)), must(model.Function(model.OpLE, date, end))))))
	flagged := must(model.Aggregate(model.OpExists, must(model.Filter(
		must(model.Filter(ce, is("999999"))), must(model.Function(model.OpLE, date, start))))))
	targets := must(model.Filter(inIv, is("123456")))
	flaggedTargets := must(model.Filter(targets, flagged))
	jan := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-01-31")}
	feb := [2]model.CivilDate{model.MustParseDate("2020-02-01"), model.MustParseDate("2020-02-29")}
	both := [][2]model.CivilDate{jan, feb}
	ms := []model.Measure{
		{Name: "flagged_targets", Numerator: must(model.Aggregate(model.OpCount, targets)),
			Denominator: must(model.Aggregate(model.OpExists, flaggedTargets)), Intervals: both},
		{Name: "flagged_of_active", Numerator: flagged,
			Denominator: must(model.Aggregate(model.OpExists, inIv)), Intervals: both},
	}
	q, got := measuresOnCSVs(t, csvs, ms)
	if !strings.Contains(strings.Join(q.Plan, "\n"), "pairs") {
		t.Fatalf("the denominator's condition is no longer computed for some pairs only, so this test tests nothing:\n%s", strings.Join(q.Plan, "\n"))
	}
	want := []string{
		// January: patients 1, 2 and 3 have events; only 1 was flagged
		// before January 1st (3 was flagged on the 15th).
		"flagged_of_active 2020-01-01..2020-01-31 1/3 ",
		// February: patients 1 and 3 have events, both flagged by then.
		"flagged_of_active 2020-02-01..2020-02-29 2/2 ",
		// Patient 1 in January, patient 3 in February.
		"flagged_targets 2020-01-01..2020-01-31 1/1 ",
		"flagged_targets 2020-02-01..2020-02-29 1/1 ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s\nSQL:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), q.SQL)
	}
}

func mustCode(c string) model.Literal {
	l, err := model.CodeLit("SNOMEDCTCode", c)
	if err != nil {
		panic(err)
	}
	return l
}

// TestStudyMeasures runs the reference study's measures on its dummy tables.
// The expected rows were computed by an independent implementation of the
// study's measures over the same CSVs (873 rows in all).
func TestStudyMeasures(t *testing.T) {
	def := studytest.Definition(t, studytest.Measures)
	q, err := engine.CompileMeasures(def.Measures)
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.OpenCSVTables(context.Background(), studyDir+"/dummy_tables", q.Tables, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := q.RunMeasures(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 873 {
		t.Errorf("%d rows, want 873", len(rows))
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s,%s,%s,%d,%d,%v,%v,%v,%v", r.Measure, r.Start, r.End, r.Numerator, r.Denominator,
			r.Groups["age_band"], r.Groups["sex"], r.Groups["ethnicity"], r.Groups["imd_quintile"]))
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"count_virtual_during2020_monthly_age,2020-03-23,2020-04-22,1,1,age_18_49,female,missing,2",
		"count_virtual_during2020_monthly_age,2020-03-23,2020-04-22,1,1,age_50_64,male,missing,5",
		"count_virtual_pre2019_monthly_age,2019-03-23,2019-04-22,0,1,age_18_49,intersex,missing,1",
		"count_virtual_pre2019_monthly_age,2019-03-23,2019-04-22,0,1,age_18_49,unknown,missing,Missing",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing row %s", want)
		}
	}
	numerators, denominators := int64(0), int64(0)
	for _, r := range rows {
		numerators += r.Numerator
		denominators += r.Denominator
	}
	if numerators != wantNumerators || denominators != wantDenominators {
		t.Errorf("sums %d/%d, want %d/%d", numerators, denominators, wantNumerators, wantDenominators)
	}
}

// Totals over the 873 rows of the independent implementation.
const wantNumerators, wantDenominators = 39, 1156
