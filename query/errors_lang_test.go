package query_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

// here returns "file:line" of its caller: write it on the line of the
// mistake.
func here() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// wantErrAt checks that err is a *query.DefinitionError located at loc
// whose text is "loc: ..." and contains msg.
func wantErrAt(t *testing.T, err error, loc, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error at %s containing %q, got none", loc, msg)
	}
	var de *query.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("error %q (%T) is not a *query.DefinitionError", err, err)
	}
	if de.Location != loc {
		t.Errorf("location = %q, want %q (error: %v)", de.Location, loc, err)
	}
	if !strings.HasPrefix(err.Error(), loc+": ") {
		t.Errorf("error %q should start with %q", err, loc+": ")
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q should contain %q", err, msg)
	}
}

// next returns "file:line" of the line after its caller's: write it just
// before a statement that makes a mistake.
func next() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", filepath.Base(file), line+1)
}

func seriesErr(x query.Series) error { _, err := query.Node(x); return err }

func TestErrorsBadDateLiteral(t *testing.T) {
	d, at := query.Date("2020-13-01"), here()
	wantErrAt(t, seriesErr(d), at, `"2020-13-01"`)

	d2, at2 := query.Date("1/2/2020"), here()
	wantErrAt(t, seriesErr(d2), at2, `Dates must be in YYYY-MM-DD format: "1/2/2020"`)

	d3, at3 := query.Date("2021-02-29"), here()
	wantErrAt(t, seriesErr(d3), at3, "2021-02-29")

	// Date lists given to IsIn are checked too.
	in, at4 := core.Patients.DateOfBirth.IsIn("2020-01-01", "2020-02-30"), here()
	wantErrAt(t, seriesErr(in), at4, "2020-02-30")
}

func TestErrorsCodeNotValidForSystem(t *testing.T) {
	ce := core.ClinicalEvents
	in, at := ce.SnomedctCode.IsIn(codelists.New("Xa1bc")), here()
	wantErrAt(t, seriesErr(in), at, "Invalid SNOMEDCTCode: Xa1bc")

	notIn, at2 := ce.SnomedctCode.IsNotIn(codelists.New("123456", "Y1234")), here()
	wantErrAt(t, seriesErr(notIn), at2, "Invalid SNOMEDCTCode: Y1234")

	code, at3 := query.Code(codelists.SNOMEDCT, "Xa1bc"), here()
	wantErrAt(t, seriesErr(code), at3, "Invalid SNOMEDCTCode: Xa1bc")

	mc, at4 := tpp.APCS.AllDiagnoses.Contains("not a code"), here()
	wantErrAt(t, seriesErr(mc), at4, "ICD10Code")

	cat, _ := codelists.NewCategorised([]string{"Xa1bc"}, []string{"a"})
	tc, at5 := ce.SnomedctCode.ToCategory(cat), here()
	wantErrAt(t, seriesErr(tc), at5, "Invalid SNOMEDCTCode: Xa1bc")
}

func TestErrorsCombineDifferentlyFilteredFrames(t *testing.T) {
	ce := core.ClinicalEvents
	a := ce.Where(ce.NumericValue.Gt(query.Float(1)))
	b := ce.Where(ce.NumericValue.Lt(query.Float(5)))
	cmp, at := a.Date.Lt(b.Date), here()
	wantErrAt(t, seriesErr(cmp), at, model.ErrCombineDomains)

	// Even a parent with its child filter.
	sum, at2 := ce.NumericValue.Add(a.NumericValue), here()
	wantErrAt(t, seriesErr(sum), at2, model.ErrCombineDomains)

	// Different tables.
	diff, at3 := ce.Date.Lt(core.Medications.Date), here()
	wantErrAt(t, seriesErr(diff), at3, model.ErrCombineDomains)

	// Filtering by a condition from another many-rows frame.
	f, at4 := ce.Where(core.Medications.Date.IsNotNull()), here()
	wantErrAt(t, seriesErr(f.Date), at4, "Filter")

	// Ancestor-domain conditions are fine.
	if err := seriesErr(a.Where(ce.Date.IsNotNull()).Date); err != nil {
		t.Errorf("ancestor-domain condition refused: %v", err)
	}
}

func TestErrorsSortByConstant(t *testing.T) {
	ce := core.ClinicalEvents
	s, at := ce.SortBy(core.Patients.DateOfBirth), here()
	wantErrAt(t, seriesErr(s.FirstForPatient().Date), at, "Cannot sort by a constant value")

	s2, at2 := ce.SortBy(query.Int(1)), here()
	wantErrAt(t, seriesErr(s2.LastForPatient().Date), at2, "Cannot sort by a constant value")

	s3, at3 := ce.SortBy(), here()
	wantErrAt(t, seriesErr(s3.FirstForPatient().Date), at3, "SortBy needs at least one key")
}

func TestErrorsDataset(t *testing.T) {
	pop := core.Patients.ExistsForPatient()

	t.Run("reassign", func(t *testing.T) {
		ds := query.NewDataset()
		ds.DefinePopulation(pop)
		ds.Add("age", core.Patients.DateOfBirth.Year())
		at := next()
		ds.Add("age", core.Patients.DateOfBirth.Month())
		wantErrAt(t, ds.Err(), at, "'age' is already set and cannot be reassigned")
		if _, err := ds.Model(); err == nil {
			t.Error("Model should fail too")
		}
	})

	names := []struct{ name, msg string }{
		{"_x", "variable names must start with a letter"},
		{"1x", "variable names must start with a letter"},
		{"a-b", "variable names must start with a letter"},
		{"", "variable names must start with a letter"},
		{"patient_id", "'patient_id' is not an allowed variable name"},
		{"population", "Cannot set variable 'population'; use define_population() instead"},
	}
	for _, tc := range names {
		t.Run("name "+tc.name, func(t *testing.T) {
			ds := query.NewDataset()
			ds.DefinePopulation(pop)
			at := next()
			ds.Add(tc.name, core.Patients.Sex)
			wantErrAt(t, ds.Err(), at, tc.msg)
		})
	}

	t.Run("valid names", func(t *testing.T) {
		ds := query.NewDataset()
		ds.DefinePopulation(pop)
		for _, n := range []string{"a", "A1", "a_b_", "x2_y"} {
			ds.Add(n, core.Patients.Sex)
		}
		if err := ds.Err(); err != nil {
			t.Error(err)
		}
	})

	populations := []struct {
		name string
		cond query.BoolPatientSeries
	}{
		{"not exists", core.ClinicalEvents.ExistsForPatient().Not()},
		{"is null", core.Patients.DateOfBirth.IsNull()},
		{"count zero", core.ClinicalEvents.CountForPatient().Eq(query.Int(0))},
		{"when null then true", core.Patients.Sex.Eq(query.Str("male")).WhenNullThen(query.Bool(true))},
		{"is not in empty", core.Patients.Sex.IsNotIn()},
		{"true", query.Bool(true)},
	}
	for _, tc := range populations {
		t.Run("population "+tc.name, func(t *testing.T) {
			ds := query.NewDataset()
			at := next()
			ds.DefinePopulation(tc.cond)
			wantErrAt(t, ds.Err(), at, "population definition must not evaluate as True for NULL inputs")
		})
	}

	t.Run("population twice", func(t *testing.T) {
		ds := query.NewDataset()
		ds.DefinePopulation(pop)
		at := next()
		ds.DefinePopulation(pop)
		wantErrAt(t, ds.Err(), at, "DefinePopulation should be called no more than once")
	})

	t.Run("missing population", func(t *testing.T) {
		ds := query.NewDataset()
		ds.Add("sex", core.Patients.Sex)
		err := ds.Err()
		if err == nil || !strings.Contains(err.Error(), "A population has not been defined") {
			t.Errorf("got %v", err)
		}
		if _, err := ds.Definition(); err == nil {
			t.Error("Definition should fail without a population")
		}
	})

	t.Run("errors are collected", func(t *testing.T) {
		ds := query.NewDataset()
		at1 := next()
		ds.Add("_a", core.Patients.Sex)
		ds.Add("b", core.Patients.Sex)
		at2 := next()
		ds.Add("b", core.Patients.Sex)
		err := ds.Err()
		if err == nil {
			t.Fatal("no error")
		}
		for _, s := range []string{at1 + ": variable names", at2 + ": 'b' is already set", "A population has not been defined"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q should contain %q", err, s)
			}
		}
	})

	t.Run("legacy with constraint", func(t *testing.T) {
		ds := query.NewDataset()
		ds.DefinePopulation(pop)
		at := next()
		ds.ConfigureDummyData(query.DummyData{Legacy: true, AdditionalPopulationConstraint: pop})
		wantErrAt(t, ds.Err(), at, "Cannot provide an additional population constraint in legacy mode.")
	})
}

func TestErrorsToCategoryUncategorised(t *testing.T) {
	tc, at := core.ClinicalEvents.SnomedctCode.ToCategory(codelists.New("123456")), here()
	wantErrAt(t, seriesErr(tc), at, "ToCategory needs a codelist with categories")
}

func TestErrorsCountEpisodes(t *testing.T) {
	for _, d := range []query.Duration{query.Months(1), query.Years(1), query.DaysOf(query.Int(3))} {
		c, at := core.ClinicalEvents.Date.CountEpisodesForPatient(d), here()
		wantErrAt(t, seriesErr(c), at, "CountEpisodesForPatient: the maximum gap must be a fixed number of days or weeks, got "+d.String())
	}
}

func TestErrorsMisc(t *testing.T) {
	c, at := query.Case(query.Otherwise(query.Int(0)), query.When(query.Bool(true), query.Int(1))), here()
	wantErrAt(t, seriesErr(c), at, "Otherwise must be the last branch")

	c2, at2 := query.Case(query.Otherwise(query.Int(0))), here()
	wantErrAt(t, seriesErr(c2), at2, "Case needs at least one When branch")

	col, at3 := query.Column[query.IntPatientSeries](core.Patients, "sex"), here()
	wantErrAt(t, seriesErr(col), at3, "column sex")

	col2, at4 := query.Column[query.StrEventSeries](core.Patients, "sex"), here()
	wantErrAt(t, seriesErr(col2), at4, "one value per patient")

	col3, at5 := query.Column[query.StrPatientSeries](core.Patients, "nope"), here()
	wantErrAt(t, seriesErr(col3), at5, `no column "nope"`)

	any1, at6 := tpp.APCS.AllDiagnoses.ContainsAnyOf(codelists.New()), here()
	wantErrAt(t, seriesErr(any1), at6, "ContainsAnyOf needs at least one code")

	var zero query.IntPatientSeries
	if err := seriesErr(zero); err == nil || !strings.Contains(err.Error(), "uninitialised") {
		t.Errorf("zero series: got %v", err)
	}
	var zd query.Duration
	a, at7 := core.Patients.DateOfBirth.Add(zd), here()
	wantErrAt(t, seriesErr(a), at7, "uninitialised Duration")
}

// The first mistake is kept, with its own location, through everything
// built from it, including the dataset.
func TestErrorsPropagate(t *testing.T) {
	bad, at := query.Date("2020-02-30"), here()
	later := core.Patients.DateOfBirth.IsBefore(bad.Add(query.Days(1)).Sub(query.Months(1))).
		And(core.Patients.Sex.Eq(query.Str("f")))
	wantErrAt(t, seriesErr(later), at, "2020-02-30")

	year := bad.Year().Add(query.Int(1))
	wantErrAt(t, seriesErr(year), at, "2020-02-30")

	age := core.Patients.DateOfBirth.Minus(bad).Years()
	wantErrAt(t, seriesErr(age), at, "2020-02-30")

	ce := core.ClinicalEvents
	frame := ce.Where(ce.Date.IsAfter(bad)).SortBy(ce.Date).LastForPatient()
	wantErrAt(t, seriesErr(frame.NumericValue), at, "2020-02-30")
	wantErrAt(t, seriesErr(frame.ExistsForPatient()), at, "2020-02-30")

	c := query.Case(query.When(core.Patients.Sex.IsNull(), bad), query.Otherwise(query.Date("2020-01-01")))
	wantErrAt(t, seriesErr(c), at, "2020-02-30")
	m := query.MaximumOf(core.Patients.DateOfBirth, bad)
	wantErrAt(t, seriesErr(m), at, "2020-02-30")

	// A first error beats a later one.
	bad2, at2 := core.ClinicalEvents.SnomedctCode.IsIn(codelists.New("nope")), here()
	combined := bad2.And(ce.Where(ce.NumericValue.IsNull()).Date.IsNull())
	wantErrAt(t, seriesErr(combined), at2, "Invalid SNOMEDCTCode: nope")

	ds := query.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	ds.Add("d", bad)
	ds.Add("ok", core.Patients.Sex)
	wantErrAt(t, ds.Err(), at, "2020-02-30")
	if strings.Count(ds.Err().Error(), "2020-02-30") != 1 {
		t.Errorf("the error should be reported once: %v", ds.Err())
	}

	// A mistake used in several variables and the population is reported
	// once, beside the dataset's other mistakes.
	ds2 := query.NewDataset()
	ds2.DefinePopulation(core.Patients.DateOfBirth.IsBefore(bad))
	ds2.Add("d", bad)
	ds2.Add("y", bad.Year())
	ds2.Add("d", core.Patients.DateOfBirth)
	got := ds2.Err().Error()
	if strings.Count(got, "2020-02-30") != 1 || !strings.Contains(got, "'d' is already set") {
		t.Errorf("each mistake should be reported once: %v", got)
	}
}
