package report_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/internal/studytest"
	"github.com/ehrql-go/ehrql/measures"
	"github.com/ehrql-go/ehrql/measures/report"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

// testMeasures: births by sex (spec 3.6) and a second measure grouped by
// an age band and a count.
func testMeasures(t testing.TB) []model.Measure {
	t.Helper()
	age := tpp.Patients.AgeOn(measures.IntervalStart())
	band := query.Case(
		query.When(age.Lt(query.Int(50)), query.Str("young")),
		query.Otherwise(query.Str("old")),
	)
	c := measures.New()
	c.DefineMeasure("births", measures.Measure{
		Numerator:   tpp.Patients.DateOfBirth.IsDuring(measures.CurrentInterval()),
		Denominator: tpp.Patients.ExistsForPatient(),
		GroupBy:     []measures.Group{{Name: "sex", Series: tpp.Patients.Sex}},
		Intervals:   measures.Years(2).StartingOn("2020-01-01"),
	})
	c.DefineMeasure("events", measures.Measure{
		Numerator:   tpp.ClinicalEvents.CountForPatient(),
		Denominator: tpp.Patients.ExistsForPatient(),
		GroupBy: []measures.Group{
			{Name: "band", Series: band},
			{Name: "sex", Series: tpp.Patients.Sex},
			{Name: "n", Series: tpp.ClinicalEvents.CountForPatient()},
			{Name: "dob", Series: tpp.Patients.DateOfBirth},
		},
		Intervals: measures.Years(1).StartingOn("2020-01-01"),
	})
	def, err := c.Definition()
	if err != nil {
		t.Fatal(err)
	}
	return def.Measures
}

func d(s string) model.CivilDate { return model.MustParseDate(s) }

func TestColumns(t *testing.T) {
	cols := report.Columns(testMeasures(t))
	var got []string
	for _, c := range cols {
		s := c.Name + ":" + c.Kind.String()
		if c.Nullable {
			s += "?"
		}
		if c.Categories != nil {
			s += "[" + strings.Join(c.Categories, "|") + "]"
		}
		if c.Min != nil {
			s += "{" + strings.Join([]string{itoa(*c.Min), itoa(*c.Max)}, "..") + "}"
		}
		got = append(got, s)
	}
	want := "measure:str[births|events] interval_start:date interval_end:date ratio:float? numerator:int? denominator:int? " +
		"sex:str?[female|male|intersex|unknown] band:str?[young|old] n:int?{0..65535} dob:date?"
	if strings.Join(got, " ") != want {
		t.Errorf("columns\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if err := output.ValidateColumns(cols); err != nil {
		t.Error(err)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// TestStudyColumns: the reference study's measures give the columns ehrQL
// writes for them.
func TestStudyColumns(t *testing.T) {
	def := studytest.Definition(t, studytest.Measures)
	var got []string
	for _, c := range report.Columns(def.Measures) {
		got = append(got, c.Name+"["+strings.Join(c.Categories, "|")+"]")
	}
	want := "measure[count_virtual_pre2019_monthly_age|count_virtual_during2020_monthly_age|count_virtual_during2021_monthly_age] " +
		"interval_start[] interval_end[] ratio[] numerator[] denominator[] " +
		"age_band[age_18_49|age_50_64|age_65_74|age_75_84|age_greater_equal_85|Missing] sex[female|male|intersex|unknown] " +
		"ethnicity[White|Mixed|Asian or Asian British|Black or Black British|Chinese or Other Ethnic Groups|missing] " +
		"imd_quintile[1|2|3|4|5|Missing]"
	if strings.Join(got, " ") != want {
		t.Errorf("columns\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// spec36Rows are spec 3.6's births-by-sex rows, given out of order.
func spec36Rows() []engine.MeasureRow {
	return []engine.MeasureRow{
		{Measure: "births", Start: d("2021-01-01"), End: d("2021-12-31"), Numerator: 0, Denominator: 1, Groups: map[string]any{"sex": "male"}},
		{Measure: "births", Start: d("2021-01-01"), End: d("2021-12-31"), Numerator: 8, Denominator: 8, Groups: map[string]any{"sex": "female"}},
		{Measure: "births", Start: d("2020-01-01"), End: d("2020-12-31"), Numerator: 1, Denominator: 1, Groups: map[string]any{"sex": "male"}},
		{Measure: "births", Start: d("2020-01-01"), End: d("2020-12-31"), Numerator: 0, Denominator: 8, Groups: map[string]any{"sex": "female"}},
	}
}

func writeCSV(t *testing.T, ms []model.Measure, rows []engine.MeasureRow, sdcOn bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write("", &b, ms, rows, sdcOn); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(b.String(), "\r\n", "\n")
}

func TestWriteSpecExample(t *testing.T) {
	ms := testMeasures(t)
	const head = "measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\n"
	for _, tc := range []struct {
		name string
		sdc  bool
		want string
	}{
		{"sdc", true, head +
			"births,2020-01-01,2020-12-31,0.0,0,10,female,,,\n" +
			"births,2020-01-01,2020-12-31,,0,0,male,,,\n" +
			"births,2021-01-01,2021-12-31,1.0,10,10,female,,,\n" +
			"births,2021-01-01,2021-12-31,,0,0,male,,,\n"},
		{"no sdc", false, head +
			"births,2020-01-01,2020-12-31,0.0,0,8,female,,,\n" +
			"births,2020-01-01,2020-12-31,1.0,1,1,male,,,\n" +
			"births,2021-01-01,2021-12-31,1.0,8,8,female,,,\n" +
			"births,2021-01-01,2021-12-31,0.0,0,1,male,,,\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := writeCSV(t, ms, spec36Rows(), tc.sdc); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestRowOrder: measure definition order, interval, then group values in
// the measure's own group order with NULL first.
func TestRowOrder(t *testing.T) {
	ms := testMeasures(t)
	g := func(band, sex any, n any, dob any) map[string]any {
		return map[string]any{"band": band, "sex": sex, "n": n, "dob": dob}
	}
	y := engine.MeasureRow{Measure: "events", Start: d("2020-01-01"), End: d("2020-12-31"), Numerator: 3, Denominator: 4}
	rows := []engine.MeasureRow{}
	for _, grp := range []map[string]any{
		g("young", "male", int64(2), nil),
		g("old", nil, int64(1), d("1990-01-02")),
		g(nil, "male", int64(1), nil),
		g("young", "female", int64(2), d("1990-01-01")),
		g("young", "male", int64(1), d("1990-01-01")),
		g("young", "male", int64(1), nil),
	} {
		r := y
		r.Groups = grp
		rows = append(rows, r)
	}
	rows = append(rows, engine.MeasureRow{Measure: "births", Start: d("2021-01-01"), End: d("2021-12-31"), Numerator: 1, Denominator: 3, Groups: map[string]any{"sex": nil}})
	got := writeCSV(t, ms, rows, false)
	want := "measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\n" +
		"births,2021-01-01,2021-12-31,0.3333333333333333,1,3,,,,\n" +
		"events,2020-01-01,2020-12-31,0.75,3,4,male,,1,\n" +
		"events,2020-01-01,2020-12-31,0.75,3,4,,old,1,1990-01-02\n" +
		"events,2020-01-01,2020-12-31,0.75,3,4,female,young,2,1990-01-01\n" +
		"events,2020-01-01,2020-12-31,0.75,3,4,male,young,1,\n" +
		"events,2020-01-01,2020-12-31,0.75,3,4,male,young,1,1990-01-01\n" +
		"events,2020-01-01,2020-12-31,0.75,3,4,male,young,2,\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLinesErrors(t *testing.T) {
	ms := testMeasures(t)
	base := engine.MeasureRow{Measure: "births", Start: d("2020-01-01"), End: d("2020-12-31"), Numerator: 1, Denominator: 10, Groups: map[string]any{"sex": "male"}}
	for _, tc := range []struct {
		name string
		edit func(r *engine.MeasureRow)
		sdc  bool
		want string
	}{
		{"negative numerator", func(r *engine.MeasureRow) { r.Numerator = -3 }, true,
			"measures: births, interval 2020-01-01 to 2020-12-31: disclosure control needs non-negative counts, but the numerator is negative"},
		{"negative denominator", func(r *engine.MeasureRow) { r.Denominator = -1 }, true,
			"measures: births, interval 2020-01-01 to 2020-12-31: disclosure control needs non-negative counts, but the denominator is negative"},
		{"unknown measure", func(r *engine.MeasureRow) { r.Measure = "nope" }, false, `measures: a result row names an unknown measure "nope"`},
		{"foreign group", func(r *engine.MeasureRow) { r.Groups = map[string]any{"band": "old"} }, false,
			`measures: births: a result row has a value for "band", which is not one of its group_by columns`},
		{"wrong type", func(r *engine.MeasureRow) { r.Groups = map[string]any{"sex": int64(1)} }, false,
			`measures: births: group_by column "sex": value 1 (int64) is not of type str`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.edit(&r)
			_, err := report.Lines(ms, []engine.MeasureRow{r}, tc.sdc)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
		})
	}
	// Without disclosure control a negative int numerator is fine.
	r := base
	r.Numerator = -3
	lines, err := report.Lines(ms, []engine.MeasureRow{r}, false)
	if err != nil || lines[0].Ratio != -0.3 || !lines[0].RatioValid {
		t.Errorf("negative numerator without SDC: %+v, %v", lines, err)
	}
}

func TestWriteFiles(t *testing.T) {
	ms := testMeasures(t)
	rows := append(spec36Rows(), engine.MeasureRow{Measure: "events", Start: d("2020-01-01"), End: d("2020-12-31"),
		Numerator: 23, Denominator: 18, Groups: map[string]any{"band": "old", "sex": "female", "n": int64(3), "dob": d("1950-06-01")}})
	dir := t.TempDir()
	csvText := writeCSV(t, ms, rows, true)
	for _, name := range []string{"m.csv", "m.csv.gz", "sub/m.arrow"} {
		path := filepath.Join(dir, name)
		if err := report.Write(path, nil, ms, rows, true); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, ".csv"):
			if got := strings.ReplaceAll(string(data), "\r\n", "\n"); got != csvText {
				t.Errorf("%s differs from the console output", name)
			}
		case strings.HasSuffix(name, ".gz"):
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(zr)
			if got := strings.ReplaceAll(b.String(), "\r\n", "\n"); got != csvText {
				t.Errorf("%s differs from the console output", name)
			}
		default:
			checkArrow(t, data)
		}
	}
	if !strings.Contains(csvText, "events,2020-01-01,2020-12-31,1.25,25,20,female,old,3,1950-06-01") {
		t.Errorf("rounded row missing:\n%s", csvText)
	}
}

func checkArrow(t *testing.T, data []byte) {
	t.Helper()
	r, err := ipc.NewFileReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []string
	for _, f := range r.Schema().Fields() {
		s := f.Name + ":" + f.Type.String()
		if !f.Nullable {
			s += "!"
		}
		got = append(got, s)
	}
	want := "measure:dictionary<values=utf8, indices=int8, ordered=true>! interval_start:date32! interval_end:date32! " +
		"ratio:float64 numerator:int64 denominator:int64 sex:dictionary<values=utf8, indices=int8, ordered=true> " +
		"band:dictionary<values=utf8, indices=int8, ordered=true> n:uint16 dob:date32"
	if strings.Join(got, " ") != want {
		t.Errorf("arrow schema\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	rows := int64(0)
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		rows += rec.NumRows()
	}
	if rows != 5 {
		t.Errorf("%d rows, want 5", rows)
	}
	_ = arrow.BOOL
}

func TestWriteNoRows(t *testing.T) {
	got := writeCSV(t, testMeasures(t), nil, true)
	if got != "measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\n" {
		t.Errorf("got %q", got)
	}
}

func TestManyRowsBatched(t *testing.T) {
	ms := testMeasures(t)
	var rows []engine.MeasureRow
	for i := 0; i < report.BatchSize+10; i++ {
		rows = append(rows, engine.MeasureRow{Measure: "events", Start: d("2020-01-01"), End: d("2020-12-31"),
			Numerator: 1, Denominator: 2, Groups: map[string]any{"n": int64(i % 60000)}})
	}
	lines, err := report.Lines(ms, rows, false)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := report.Records(nil, report.Columns(ms), lines)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].NumRows() != report.BatchSize || recs[1].NumRows() != 10 {
		t.Errorf("batches %d", len(recs))
	}
	for _, r := range recs {
		r.Release()
	}
}
