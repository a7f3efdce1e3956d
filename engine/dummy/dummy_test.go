package dummy_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/dummy"
	"github.com/ehrql-go/ehrql/internal/studytest"
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

func loadStudy(t testing.TB) *model.Definition { return studytest.Definition(t, studytest.Dataset) }

// output is a dataset run over generated data, as CSV cells.
type output struct {
	header []string
	rows   [][]string
}

func (o output) column(name string) []string {
	for i, h := range o.header {
		if h == name {
			col := make([]string, len(o.rows))
			for j, r := range o.rows {
				col[j] = r[i]
			}
			return col
		}
	}
	return nil
}

// runDataset runs the real dataset query over the generated data.
func runDataset(t testing.TB, ds *model.Dataset, d *dummy.Data) output {
	t.Helper()
	ctx := context.Background()
	qy, err := engine.CompileDataset(ds)
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.Open(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var buf bytes.Buffer
	if _, err := qy.Run(ctx, s, "", &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return output{header: recs[0], rows: recs[1:]}
}

// checkQuality asserts the quality bar: the population reaches the
// requested size, every variable that can be NULL has both NULL and
// non-NULL values, and boolean variables are both true and false.
func checkQuality(t *testing.T, ds *model.Dataset, size int64, neverNull ...string) output {
	t.Helper()
	start := time.Now()
	d, err := dummy.Generate(context.Background(), ds, model.DummyDataConfig{PopulationSize: size, Timeout: 60}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s; %d candidates (%.0f%% matched)", d.Summary(), d.Candidates, 100*float64(d.Found)/float64(d.Candidates))
	if d.Found != size || !d.Complete() || d.Warning() != "" {
		t.Fatalf("found %d of %d patients: %s", d.Found, size, d.Warning())
	}
	out := runDataset(t, ds, d)
	t.Logf("generate + run: %v", time.Since(start))
	if int64(len(out.rows)) != size {
		t.Fatalf("the dataset has %d rows over the generated data, want %d", len(out.rows), size)
	}
	for i, r := range out.rows {
		if r[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %d has patient_id %s, want ids 1..N", i, r[0])
		}
	}
	skip := map[string]bool{}
	for _, n := range neverNull {
		skip[n] = true
	}
	for _, v := range ds.Variables {
		col := out.column(v.Name)
		nulls, values := 0, map[string]int{}
		for _, x := range col {
			if x == "" {
				nulls++
			} else {
				values[x]++
			}
		}
		if skip[v.Name] {
			if nulls > 0 {
				t.Errorf("%s: %d NULLs in a variable that cannot be NULL", v.Name, nulls)
			}
		} else if nulls == 0 || nulls == len(col) {
			t.Errorf("%s: %d NULL of %d: want both NULL and non-NULL values", v.Name, nulls, len(col))
		}
		if v.Series.Type() == model.Bool && (values["T"] == 0 || values["F"] == 0) {
			t.Errorf("%s: %d true, %d false: want both", v.Name, values["T"], values["F"])
		}
		if len(values) == 1 && v.Series.Type() != model.Bool {
			t.Logf("%s: only one non-NULL value", v.Name)
		}
	}
	return out
}

func model1(t *testing.T, ds *q.Dataset) *model.Dataset {
	t.Helper()
	m, err := ds.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStudyQuality(t *testing.T) {
	def := loadStudy(t)
	if def.DatasetDummyDataConfig.PopulationSize != 5000 {
		t.Fatalf("study population size %d", def.DatasetDummyDataConfig.PopulationSize)
	}
	out := checkQuality(t, def.Dataset, def.DatasetDummyDataConfig.PopulationSize,
		"has_virtual_consultation", "count_virtual_consultation", "has_f2f_consultation", "count_f2f_consultation",
		"count_appointment", "has_appointment", "age", "age_greater_equal_65", "sex", "imd_quintile", "ethnicity")
	// The study's categories all turn up.
	for name, want := range map[string][]string{
		"imd_quintile": {"1", "2", "3", "4", "5", "Missing"},
		"ethnicity":    {"White", "Mixed", "Asian or Asian British", "Black or Black British", "Chinese or Other Ethnic Groups", "missing"},
		"sex":          {"female", "male", "intersex", "unknown"},
	} {
		have := map[string]bool{}
		for _, v := range out.column(name) {
			have[v] = true
		}
		for _, w := range want {
			if !have[w] {
				t.Errorf("%s never takes the value %q", name, w)
			}
		}
	}
	for _, a := range out.column("age") {
		if n, _ := strconv.Atoi(a); n < 18 || n > 101 {
			t.Errorf("age %s outside the population's 18+ (and plausible ages)", a)
			break
		}
	}
}

// A definition with many codelists: one per condition, each tested in the
// population or in variables.
func manyCodelists(t *testing.T) *model.Dataset {
	index := q.Date("2023-01-01")
	ds := q.NewDataset()
	ev := core.ClinicalEvents
	var anyCondition q.BoolPatientSeries
	for i := 0; i < 15; i++ {
		codes := make([]string, 20)
		for j := range codes {
			codes[j] = fmt.Sprint(100000 + 1000*i + j)
		}
		cl := codelists.New(codes...)
		matching := ev.Where(ev.SnomedctCode.IsIn(cl)).Where(ev.Date.IsOnOrBefore(index))
		has := matching.ExistsForPatient()
		ds.Add(fmt.Sprintf("has_condition_%02d", i), has)
		ds.Add(fmt.Sprintf("first_condition_%02d", i), matching.SortBy(matching.Date).FirstForPatient().Date)
		ds.Add(fmt.Sprintf("count_condition_%02d", i), matching.CountForPatient())
		if i < 3 {
			if i == 0 {
				anyCondition = has
			} else {
				anyCondition = anyCondition.Or(has)
			}
		}
	}
	meds := core.Medications.Where(core.Medications.DmdCode.IsIn(codelists.New("39113611000001102", "39113711000001106")))
	ds.Add("last_med_date", meds.SortBy(meds.Date).LastForPatient().Date)
	ds.Add("sex", core.Patients.Sex)
	ds.DefinePopulation(core.PracticeRegistrations.ExistsForPatientOn(index).And(anyCondition))
	return model1(t, ds)
}

func TestManyCodelistsQuality(t *testing.T) {
	ds := manyCodelists(t)
	var never []string
	for _, v := range ds.Variables {
		if strings.HasPrefix(v.Name, "has_") || strings.HasPrefix(v.Name, "count_") || v.Name == "sex" {
			never = append(never, v.Name)
		}
	}
	checkQuality(t, ds, 1000, never...)
}

// A measures-like definition: monthly intervals, each with its own
// numerator and denominator, plus an age band.
func measuresLike(t *testing.T) *model.Dataset {
	ds := q.NewDataset()
	ev := core.ClinicalEvents
	asthma := codelists.New("195967001", "233678006", "266361008")
	review := codelists.New("394700004", "390872009")
	start := q.Date("2022-01-01")
	pat := core.Patients
	for m := 0; m < 12; m++ {
		lo := start.Add(q.Months(m))
		hi := start.Add(q.Months(m + 1)).Sub(q.Days(1))
		inMonth := ev.Where(ev.Date.IsOnOrBetween(lo, hi))
		denom := core.PracticeRegistrations.ExistsForPatientOn(lo).And(pat.IsAliveOn(lo)).
			And(inMonth.Where(ev.SnomedctCode.IsIn(asthma)).ExistsForPatient())
		numer := denom.And(inMonth.Where(ev.SnomedctCode.IsIn(review)).ExistsForPatient())
		ds.Add(fmt.Sprintf("denominator_%02d", m+1), denom)
		ds.Add(fmt.Sprintf("numerator_%02d", m+1), numer)
	}
	age := pat.AgeOn(start)
	ds.Add("age_band", q.Case(
		q.When(age.Lt(q.Int(18)), q.Str("0-17")),
		q.When(age.Lt(q.Int(40)), q.Str("18-39")),
		q.When(age.Lt(q.Int(65)), q.Str("40-64")),
		q.When(age.Lt(q.Int(120)), q.Str("65+")),
	))
	ds.Add("died", pat.DateOfDeath.IsOnOrBetween(start, q.Date("2022-12-31")))
	ds.Add("date_of_death", pat.DateOfDeath)
	everAsthma := ev.Where(ev.SnomedctCode.IsIn(asthma)).Where(ev.Date.IsOnOrBetween(start, q.Date("2022-12-31")))
	ds.DefinePopulation(core.PracticeRegistrations.Spanning(start, q.Date("2022-12-31")).ExistsForPatient().And(everAsthma.ExistsForPatient()))
	return model1(t, ds)
}

func TestMeasuresLikeQuality(t *testing.T) {
	ds := measuresLike(t)
	var never []string
	for _, v := range ds.Variables {
		if strings.HasPrefix(v.Name, "numerator_") || strings.HasPrefix(v.Name, "denominator_") {
			never = append(never, v.Name)
		}
	}
	// age_band has no Otherwise: NULL for ages of 120 and over only,
	// which the generator does not make; died is NULL for the living.
	checkQuality(t, ds, 2000, append(never, "age_band")...)
}

// A rare condition: one code, in a six-month window, in middle-aged women.
func rareCondition(t *testing.T) *model.Dataset {
	ds := q.NewDataset()
	ev := core.ClinicalEvents
	rare := codelists.New("49601007")
	lo, hi := q.Date("2021-01-01"), q.Date("2021-06-30")
	cases := ev.Where(ev.SnomedctCode.IsIn(rare)).Where(ev.Date.IsOnOrBetween(lo, hi))
	first := cases.SortBy(cases.Date).FirstForPatient()
	age := core.Patients.AgeOn(lo)
	ds.DefinePopulation(cases.ExistsForPatient().
		And(core.Patients.Sex.Eq(q.Str("female"))).
		And(age.Ge(q.Int(40))).And(age.Lt(q.Int(60))))
	ds.Add("diagnosis_date", first.Date)
	ds.Add("numeric_value", first.NumericValue)
	ds.Add("high_value", first.NumericValue.Gt(q.Float(50)))
	after := ev.Where(ev.Date.IsAfter(first.Date))
	ds.Add("followed_up", after.ExistsForPatient())
	ds.Add("died_within_year", core.ONSDeaths.Date.IsOnOrBetween(lo, q.Date("2022-06-30")))
	ds.Add("death_date", core.ONSDeaths.Date)
	ds.Add("age", age)
	return model1(t, ds)
}

func TestRareConditionQuality(t *testing.T) {
	ds := rareCondition(t)
	out := checkQuality(t, ds, 1000, "diagnosis_date", "followed_up", "age")
	for _, a := range out.column("age") {
		if n, _ := strconv.Atoi(a); n < 40 || n >= 60 {
			t.Fatalf("age %s outside the population's 40-59", a)
		}
	}
	for _, d := range out.column("diagnosis_date") {
		if d < "2021-01-01" || d > "2021-06-30" {
			t.Fatalf("diagnosis date %s outside the window", d)
		}
	}
}

func TestAdditionalPopulationConstraint(t *testing.T) {
	def := loadStudy(t)
	// Keep only men.
	ds := def.Dataset
	var sex *model.Node
	for _, v := range ds.Variables {
		if v.Name == "sex" {
			sex = v.Series
		}
	}
	isMale, err := model.Function(model.OpEQ, sex, model.MustValue(model.StrLit("male")))
	if err != nil {
		t.Fatal(err)
	}
	d, err := dummy.Generate(context.Background(), ds, model.DummyDataConfig{PopulationSize: 200, Timeout: 30, AdditionalPopulationConstraint: isMale}, 1)
	if err != nil {
		t.Fatal(err)
	}
	out := runDataset(t, ds, d)
	if len(out.rows) != 200 {
		t.Fatalf("%d rows", len(out.rows))
	}
	for _, s := range out.column("sex") {
		if s != "male" {
			t.Fatalf("sex %q despite the constraint", s)
		}
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	def := loadStudy(t)
	cfg := model.DummyDataConfig{PopulationSize: 300, Timeout: 60}
	gen := func(seed int64) map[string]string {
		d, err := dummy.Generate(context.Background(), def.Dataset, cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := d.WriteCSVDir(dir); err != nil {
			t.Fatal(err)
		}
		return readDir(t, dir)
	}
	a, b, c := gen(7), gen(7), gen(8)
	if len(a) != 5 {
		t.Errorf("files %v, want one per table (5)", keys(a))
	}
	for name, text := range a {
		if b[name] != text {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if a["clinical_events.csv"] == c["clinical_events.csv"] {
		t.Errorf("different seeds give the same data")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestConstraints checks generated tables against the schemas'
// constraints: categories, first of month, NotNull, ranges, DateAfter,
// always-NULL columns, and deaths after births.
func TestConstraints(t *testing.T) {
	def := loadStudy(t)
	d, err := dummy.Generate(context.Background(), def.Dataset, model.DummyDataConfig{PopulationSize: 1000, Timeout: 60}, 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := d.WriteCSVDir(dir); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, dir)
	for _, tb := range d.Tables {
		text, ok := files[tb.Table.Name+".csv"]
		if !ok {
			t.Fatalf("no file for %s", tb.Table.Name)
		}
		if !strings.Contains(text, "\r\n") {
			t.Errorf("%s: want CRLF line ends", tb.Table.Name)
		}
		recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(dummy.Header(tb.Table), ",") {
			t.Errorf("%s header %v", tb.Table.Name, recs[0])
		}
		if len(recs)-1 != len(tb.Rows) {
			t.Errorf("%s: %d rows in the file, %d generated", tb.Table.Name, len(recs)-1, len(tb.Rows))
		}
		seen := map[string]bool{}
		for _, r := range recs[1:] {
			if tb.Table.PatientLevel {
				if seen[r[0]] {
					t.Fatalf("%s: two rows for patient %s", tb.Table.Name, r[0])
				}
				seen[r[0]] = true
			}
			for i, c := range tb.Table.Columns {
				checkCell(t, tb.Table, c, r[i+1], r)
			}
		}
		t.Logf("%s: %d rows", tb.Table.Name, len(recs)-1)
	}
	// Deaths after births, most patients alive.
	pats := d.Tables[indexOf(d, "patients")]
	dead := 0
	for _, r := range pats.Rows {
		dob := r[1+colIndex(pats.Table, "date_of_birth")].(model.CivilDate)
		if dod, ok := r[1+colIndex(pats.Table, "date_of_death")].(model.CivilDate); ok {
			dead++
			if dod.Before(dob) {
				t.Errorf("death %v before birth %v", dod, dob)
			}
		}
	}
	if dead == 0 || dead > len(pats.Rows)/3 {
		t.Errorf("%d of %d patients dead", dead, len(pats.Rows))
	}
}

func indexOf(d *dummy.Data, name string) int {
	for i, t := range d.Tables {
		if t.Table.Name == name {
			return i
		}
	}
	return -1
}

func colIndex(t *model.Table, name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

func checkCell(t *testing.T, tb *model.Table, c model.Column, v string, row []string) {
	t.Helper()
	where := tb.Name + "." + c.Name
	all := append(append([]model.Constraint{}, c.Constraints...), c.DummyDataConstraints...)
	for _, k := range all {
		switch k := k.(type) {
		case model.NotNull:
			if v == "" {
				t.Fatalf("%s: NULL in a NotNull column", where)
			}
		case model.Categorical:
			if v == "" {
				continue
			}
			if len(k.Values) == 0 {
				t.Fatalf("%s: %q in an always-NULL column", where, v)
			}
			ok := false
			for _, l := range k.Values {
				if dummy.FormatValue(l.Go()) == v {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("%s: %q is not a category", where, v)
			}
		case model.FirstOfMonth:
			if v != "" && !strings.HasSuffix(v, "-01") {
				t.Fatalf("%s: %s is not the first of a month", where, v)
			}
		case model.ClosedRange:
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < k.Min || n > k.Max || (n-k.Min)%k.Step != 0 {
				t.Fatalf("%s: %s outside %+v", where, v, k)
			}
		case model.GeneralRange:
			if v != "" && k.Min != nil && v < dummy.FormatValue(k.Min.Go()) {
				t.Fatalf("%s: %s below %v", where, v, k.Min)
			}
		case model.DateAfter:
			for _, other := range k.Columns {
				o := row[1+colIndex(tb, other)]
				if v != "" && o != "" && v < o {
					t.Fatalf("%s: %s before %s %s", where, v, other, o)
				}
			}
		}
	}
}

func TestWriteToStdout(t *testing.T) {
	def := loadStudy(t)
	d, err := dummy.Generate(context.Background(), def.Dataset, model.DummyDataConfig{PopulationSize: 3, Timeout: 10}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := d.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.HasPrefix(s, "addresses\npatient_id,") || !strings.Contains(s, "\r\n\n\npatients\npatient_id,date_of_birth,sex,date_of_death\r\n") {
		t.Errorf("unexpected layout:\n%s", s)
	}
}

func TestTimeoutGivesPartialResult(t *testing.T) {
	// Nobody can be both 10 and 80 on one date: the population is empty.
	age := core.Patients.AgeOn(q.Date("2020-01-01"))
	ds := q.NewDataset()
	ds.DefinePopulation(age.Eq(q.Int(10)).And(age.Eq(q.Int(80))))
	ds.Add("age", age)
	d, err := dummy.Generate(context.Background(), model1(t, ds), model.DummyDataConfig{PopulationSize: 10, Timeout: 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Found != 0 || d.Complete() || !strings.Contains(d.Warning(), "Failed to find 10 matching patients") {
		t.Errorf("found %d, warning %q", d.Found, d.Warning())
	}
	dir := t.TempDir()
	if err := d.WriteCSVDir(dir); err != nil {
		t.Fatal(err)
	}
	if got := readDir(t, dir)["patients.csv"]; got != "patient_id,date_of_birth,sex,date_of_death\r\n" {
		t.Errorf("patients.csv = %q", got)
	}
}

func TestTPPTablesGenerate(t *testing.T) {
	// Every column of a few TPP tables, so that every constraint kind is
	// exercised (regexes, ranges, DateAfter chains, multi-code strings).
	ds := q.NewDataset()
	apcs := tpp.APCS
	ds.DefinePopulation(tpp.Addresses.ExistsForPatient().Or(apcs.ExistsForPatient()))
	ds.Add("n_addr", tpp.Addresses.CountForPatient())
	ds.Add("n_apcs", apcs.CountForPatient())
	ds.Add("has_diag", apcs.Where(apcs.AllDiagnoses.Contains("N17")).ExistsForPatient())
	m := model1(t, ds)
	d, err := dummy.Generate(context.Background(), m, model.DummyDataConfig{PopulationSize: 300}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := runDataset(t, m, d)
	if len(out.rows) != 300 {
		t.Fatalf("%d rows", len(out.rows))
	}
	for _, tb := range d.Tables {
		for _, r := range tb.Rows {
			strs := make([]string, len(r))
			for i, v := range r {
				strs[i] = dummy.FormatValue(v)
			}
			for i, c := range tb.Table.Columns {
				checkCell(t, tb.Table, c, strs[i+1], strs)
			}
		}
	}
	has := out.column("has_diag")
	if !strings.Contains(strings.Join(has, ""), "T") {
		t.Errorf("no N17 diagnoses")
	}
}

func TestInlineTablePatientIDs(t *testing.T) {
	cohort := &model.Table{Name: "cohort", PatientLevel: true, Columns: []model.Column{{Name: "flag", Type: model.Bool}}}
	var rows [][]model.Literal
	for i, flag := range []bool{true, false, true, true, false} {
		rows = append(rows, []model.Literal{model.IntLit(int64(10 * (i + 1))), model.BoolLit(flag)})
	}
	inline, err := model.InlinePatientTable(cohort, rows)
	if err != nil {
		t.Fatal(err)
	}
	flag, err := model.SelectColumn(inline, "flag")
	if err != nil {
		t.Fatal(err)
	}
	pats, err := model.SelectTable(tables.Core("patients"))
	if err != nil {
		t.Fatal(err)
	}
	sex, err := model.SelectColumn(pats, "sex")
	if err != nil {
		t.Fatal(err)
	}
	ds := &model.Dataset{Population: flag, Variables: []model.Variable{{Name: "sex", Series: sex}}}
	d, err := dummy.Generate(context.Background(), ds, model.DummyDataConfig{PopulationSize: 3, Timeout: 5}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tables) != 1 || d.Tables[0].Table.Name != "patients" {
		t.Fatalf("tables %v: want patients only (inline tables hold their own data)", d.TableList())
	}
	var ids []int64
	for _, r := range d.Tables[0].Rows {
		ids = append(ids, r[0].(int64))
	}
	if fmt.Sprint(ids) != "[10 30 40]" {
		t.Errorf("patient ids %v, want the inline table's flagged ids [10 30 40]", ids)
	}
	out := runDataset(t, ds, d)
	if len(out.rows) != 3 {
		t.Errorf("%d rows", len(out.rows))
	}
}

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, ""}, {true, "T"}, {false, "F"}, {int64(-3), "-3"}, {12.0, "12.0"}, {0.25, "0.25"},
		{1e-5, "1e-05"}, {1e16, "1e+16"}, {"a,b", "a,b"}, {model.CivilDate{Year: 2020, Month: 2, Day: 29}, "2020-02-29"},
	} {
		if got := dummy.FormatValue(c.v); got != c.want {
			t.Errorf("FormatValue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
