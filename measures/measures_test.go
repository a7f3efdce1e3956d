package measures_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/measures"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

var (
	boolNum  = tpp.Patients.Sex.Eq(query.Str("female"))
	intNum   = tpp.ClinicalEvents.CountForPatient()
	boolDen  = tpp.Patients.ExistsForPatient()
	months2  = measures.Months(2).StartingOn("2020-01-01")
	sexGroup = measures.Group{Name: "sex", Series: tpp.Patients.Sex}
	ageGroup = measures.Group{Name: "age", Series: tpp.Patients.AgeOn(measures.IntervalStart())}
)

// TestDefinitionErrors checks each rule of define_measure and
// define_defaults, with ehrQL's message and the definition's line.
func TestDefinitionErrors(t *testing.T) {
	full := measures.Measure{Numerator: boolNum, Denominator: boolDen, Intervals: months2}
	with := func(f func(m *measures.Measure)) measures.Measure { m := full; f(&m); return m }
	for _, tc := range []struct {
		name  string
		build func(c *measures.Collection)
		want  string
	}{
		{"no measures", func(c *measures.Collection) {}, "No measures defined"},
		{"defaults twice", func(c *measures.Collection) {
			c.DefineDefaults(measures.Measure{Numerator: boolNum})
			c.DefineDefaults(measures.Measure{Denominator: boolDen})
		}, "Defaults already set; cannot call `DefineDefaults()` more than once"},
		{"missing numerator", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.Numerator = nil }))
		}, "No value supplied for 'numerator' and no default defined"},
		{"missing denominator", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.Denominator = nil }))
		}, "No value supplied for 'denominator' and no default defined"},
		{"missing intervals", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.Intervals = nil }))
		}, "No value supplied for 'intervals' and no default defined"},
		{"bad name", func(c *measures.Collection) { c.DefineMeasure("1st", full) },
			"Measure names must start with a letter and contain only alphanumeric characters and underscores, got: '1st'"},
		{"bad name space", func(c *measures.Collection) { c.DefineMeasure("a b", full) },
			"Measure names must start with a letter and contain only alphanumeric characters and underscores, got: 'a b'"},
		{"duplicate name", func(c *measures.Collection) { c.DefineMeasure("m", full); c.DefineMeasure("m", full) },
			"Measure already defined with name: m"},
		{"str numerator", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.Numerator = tpp.Patients.Sex }))
		}, "invalid numerator:\nExpecting a series of type 'bool' or 'int', got series of type 'str'"},
		{"date denominator", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.Denominator = tpp.Patients.DateOfBirth }))
		}, "invalid denominator:\nExpecting a series of type 'bool' or 'int', got series of type 'date'"},
		{"float numerator in defaults", func(c *measures.Collection) {
			c.DefineDefaults(measures.Measure{Numerator: query.Float(1)})
		}, "invalid numerator:\nExpecting a series of type 'bool' or 'int', got series of type 'float'"},
		{"reserved group", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) {
				m.GroupBy = []measures.Group{sexGroup, {Name: "ratio", Series: tpp.Patients.Sex}, {Name: "measure", Series: tpp.Patients.Sex}}
			}))
		}, "disallowed `group_by` column name: ratio, measure"},
		{"bad group name", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.GroupBy = []measures.Group{{Name: "_x", Series: tpp.Patients.Sex}} }))
		}, "`group_by` names must start with a letter and contain only alphanumeric characters and underscores, got: '_x'"},
		{"duplicate group name", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.GroupBy = []measures.Group{sexGroup, sexGroup} }))
		}, "duplicate `group_by` column name: sex"},
		{"group without series", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.GroupBy = []measures.Group{{Name: "sex"}} }))
		}, "invalid `group_by` value for 'sex':\nExpecting an ehrQL series, got nothing"},
		{"inconsistent group", func(c *measures.Collection) {
			c.DefineMeasure("a", with(func(m *measures.Measure) { m.GroupBy = []measures.Group{sexGroup} }))
			c.DefineMeasure("b", with(func(m *measures.Measure) {
				m.GroupBy = []measures.Group{{Name: "sex", Series: tpp.Patients.Sex.Eq(query.Str("male"))}}
			}))
		}, "Inconsistent definition for `group_by` column: sex"},
		{"interval backwards", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) {
				m.Intervals = []measures.Interval{measures.NewInterval("2021-02-01", "2021-01-01")}
			}))
		}, "Interval start date must be before end date, got: (2021-02-01, 2021-01-01)"},
		{"zero interval", func(c *measures.Collection) {
			c.DefineMeasure("m", with(func(m *measures.Measure) { m.Intervals = []measures.Interval{{}} }))
		}, "`intervals` must contain pairs of dates, got: (0000-00-00, 0000-00-00)"},
		{"legacy constraint", func(c *measures.Collection) {
			c.DefineMeasure("m", full)
			c.ConfigureDummyData(query.DummyData{Legacy: true, AdditionalPopulationConstraint: boolDen})
		}, "Cannot provide an additional population constraint in legacy mode."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := measures.New()
			tc.build(c)
			def, err := c.Definition()
			if def != nil {
				t.Errorf("got a definition despite the mistake")
			}
			if tc.want == "No measures defined" {
				if err == nil || err.Error() != tc.want {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			wantErrAt(t, err, "measures_test.go:", tc.want)
		})
	}
}

// TestSeriesErrorsKeepTheirLine: a series built wrongly is reported where
// it was built, not where the measure was defined.
func TestSeriesErrorsKeepTheirLine(t *testing.T) {
	c := measures.New()
	var zero query.IntPatientSeries
	c.DefineMeasure("m", measures.Measure{Numerator: zero, Denominator: boolDen, Intervals: months2})
	_, err := c.Definition()
	if err == nil || !strings.Contains(err.Error(), "uninitialised") {
		t.Fatalf("error %v, want the uninitialised-series error", err)
	}
}

func TestAllErrorsReported(t *testing.T) {
	c := measures.New()
	c.DefineMeasure("1", measures.Measure{Numerator: boolNum, Denominator: boolDen, Intervals: months2})
	c.DefineMeasure("m", measures.Measure{Denominator: boolDen, Intervals: months2})
	_, err := c.Definition()
	if err == nil || strings.Count(err.Error(), "measures_test.go:") != 2 {
		t.Fatalf("error %v, want two located mistakes", err)
	}
}

// TestDefaults checks whole-value defaulting.
func TestDefaults(t *testing.T) {
	c := measures.New()
	c.DefineDefaults(measures.Measure{
		Numerator:   boolNum,
		Denominator: boolDen,
		GroupBy:     []measures.Group{sexGroup, ageGroup},
		Intervals:   months2,
	})
	c.DefineMeasure("all_defaults", measures.Measure{})
	c.DefineMeasure("own_groups", measures.Measure{Numerator: intNum, GroupBy: []measures.Group{ageGroup}})
	c.DefineMeasure("no_groups", measures.Measure{GroupBy: measures.NoGroups, Intervals: measures.Years(1).EndingOn("2020-12-31")})
	c.DefineMeasure("no_intervals", measures.Measure{Intervals: measures.Weeks(0).StartingOn("2020-01-01")})
	def, err := c.Definition()
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		num       query.PatientSeries
		groups    string
		intervals string
	}
	wants := map[string]want{
		"all_defaults": {boolNum, "sex,age", "(2020-01-01, 2020-01-31) (2020-02-01, 2020-02-29)"},
		"own_groups":   {intNum, "age", "(2020-01-01, 2020-01-31) (2020-02-01, 2020-02-29)"},
		"no_groups":    {boolNum, "", "(2020-01-01, 2020-12-31)"},
		"no_intervals": {boolNum, "sex,age", ""},
	}
	if len(def.Measures) != len(wants) {
		t.Fatalf("%d measures", len(def.Measures))
	}
	denID := mustNode(t, boolDen).ID()
	for i, m := range def.Measures {
		w := wants[m.Name]
		if name := []string{"all_defaults", "own_groups", "no_groups", "no_intervals"}[i]; m.Name != name {
			t.Errorf("measure %d is %s, want %s", i, m.Name, name)
		}
		if m.Numerator.ID() != mustNode(t, w.num).ID() {
			t.Errorf("%s: wrong numerator", m.Name)
		}
		if m.Denominator.ID() != denID {
			t.Errorf("%s: wrong denominator", m.Name)
		}
		var names []string
		for _, g := range m.GroupBy {
			names = append(names, g.Name)
		}
		if got := strings.Join(names, ","); got != w.groups {
			t.Errorf("%s: groups %q, want %q", m.Name, got, w.groups)
		}
		if m.GroupBy == nil {
			t.Errorf("%s: nil GroupBy, want a (possibly empty) list", m.Name)
		}
		var ivs []string
		for _, iv := range m.Intervals {
			ivs = append(ivs, "("+iv[0].String()+", "+iv[1].String()+")")
		}
		if got := strings.Join(ivs, " "); got != w.intervals {
			t.Errorf("%s: intervals %q, want %q", m.Name, got, w.intervals)
		}
	}
	if def.MeasuresDisclosureControl == nil || !def.MeasuresDisclosureControl.Enabled {
		t.Errorf("disclosure control %+v, want enabled by default", def.MeasuresDisclosureControl)
	}
	if def.MeasuresDummyDataConfig != nil {
		t.Errorf("dummy data config %+v, want none (auto size)", def.MeasuresDummyDataConfig)
	}
	if def.Dataset != nil || def.DatasetDummyDataConfig != nil {
		t.Errorf("a measures definition has no dataset")
	}
}

func mustNode(t *testing.T, s query.PatientSeries) *model.Node {
	t.Helper()
	n, err := query.Node(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIntervalsSortedAndDeduplicated(t *testing.T) {
	c := measures.New()
	ivs := append(measures.Months(2).StartingOn("2021-01-01"), measures.Months(3).StartingOn("2020-12-01")...)
	ivs = append(ivs, measures.NewInterval("2020-12-01", "2020-12-15"))
	c.DefineMeasure("m", measures.Measure{Numerator: boolNum, Denominator: boolDen, Intervals: ivs})
	def, err := c.Definition()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, iv := range def.Measures[0].Intervals {
		got = append(got, iv[0].String()+"/"+iv[1].String())
	}
	want := "2020-12-01/2020-12-15 2020-12-01/2020-12-31 2021-01-01/2021-01-31 2021-02-01/2021-02-28"
	if strings.Join(got, " ") != want {
		t.Errorf("intervals %v, want %s", got, want)
	}
}

func TestConfiguration(t *testing.T) {
	c := measures.New()
	c.DefineMeasure("m", measures.Measure{Numerator: boolNum, Denominator: boolDen, Intervals: months2})
	c.ConfigureDisclosureControl(false)
	c.ConfigureDummyData(query.DummyData{AdditionalPopulationConstraint: boolNum})
	c.ClaimPermissions("appointments", "ukrr")
	c.ClaimPermissions("appointments")
	def, err := c.Definition()
	if err != nil {
		t.Fatal(err)
	}
	if def.MeasuresDisclosureControl == nil || def.MeasuresDisclosureControl.Enabled {
		t.Errorf("disclosure control %+v, want disabled", def.MeasuresDisclosureControl)
	}
	d := def.MeasuresDummyDataConfig
	if d == nil || d.PopulationSize != 10 || d.Timeout != 60 || d.Legacy || d.AdditionalPopulationConstraint.ID() != mustNode(t, boolNum).ID() {
		t.Errorf("dummy data config %+v, want size 10 (the configure_dummy_data default), 60 s, constraint", d)
	}
	if strings.Join(def.ClaimedPermissions, ",") != "appointments,ukrr" {
		t.Errorf("claimed %v", def.ClaimedPermissions)
	}
	data, err := model.Encode(def)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"measures_disclosure_control_config": {"DisclosureControlConfig": {"enabled": false}}`) {
		t.Errorf("encoded definition lacks disclosure control: %s", data)
	}
}

func TestIntervalPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		s    query.DatePatientSeries
		name string
	}{{measures.IntervalStart(), "interval_start_date"}, {measures.IntervalEnd(), "interval_end_date"}} {
		n := mustNode(t, tc.s)
		if n.Op() != model.OpParameter || n.Name() != tc.name || n.Type() != model.Date {
			t.Errorf("placeholder %v, want Parameter(%s) of type date", n, tc.name)
		}
	}
	x := tpp.ClinicalEvents.Date
	during, err := query.Node(x.IsDuring(measures.CurrentInterval()))
	if err != nil {
		t.Fatal(err)
	}
	between, err := query.Node(x.IsOnOrBetween(measures.IntervalStart(), measures.IntervalEnd()))
	if err != nil {
		t.Fatal(err)
	}
	if during.ID() != between.ID() {
		t.Errorf("IsDuring(CurrentInterval()) differs from IsOnOrBetween(IntervalStart(), IntervalEnd())")
	}
}

func TestFromNode(t *testing.T) {
	n, _ := model.Parameter("p", model.Int)
	if _, err := query.Node(query.FromNode[query.IntPatientSeries](n)); err != nil {
		t.Errorf("FromNode of a matching type: %v", err)
	}
	_, err := query.Node(query.FromNode[query.DatePatientSeries](n))
	var de *query.DefinitionError
	if !errors.As(err, &de) || !strings.Contains(de.Err.Error(), "FromNode") {
		t.Errorf("FromNode of a mismatched type: %v", err)
	}
	_, err = query.Node(query.FromNode[query.BoolPatientSeries](nil))
	if err == nil {
		t.Errorf("FromNode(nil) gave no error")
	}
}
