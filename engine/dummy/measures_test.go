package dummy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/dummy"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// measuresNodes builds the series of the test measures, with the interval
// dates either as the measures' parameters (start and end nil) or as the
// given values.
type measuresNodes struct {
	alive, hasEvent, count, sex, old *model.Node
}

// node returns n, panicking (failing the test with a stack trace) if a
// construction the test expects to succeed fails.
func node(n *model.Node, err error) *model.Node {
	if err != nil {
		panic("unexpected error: " + err.Error())
	}
	return n
}

func buildMeasuresNodes(t *testing.T, start, end *model.CivilDate) measuresNodes {
	t.Helper()
	date := func(name string, v *model.CivilDate) *model.Node {
		if v != nil {
			return model.MustValue(model.DateLit(*v))
		}
		return node(model.Parameter(name, model.Date))
	}
	pat := node(model.SelectTable(tables.Core("patients")))
	events := node(model.SelectTable(tables.Core("clinical_events")))
	eventDate := node(model.SelectColumn(events, "date"))
	after := node(model.Function(model.OpGE, eventDate, date("interval_start_date", start)))
	before := node(model.Function(model.OpLE, eventDate, date("interval_end_date", end)))
	inInterval := node(model.Filter(events, node(model.Function(model.OpAnd, after, before))))
	dob := node(model.SelectColumn(pat, "date_of_birth"))
	return measuresNodes{
		alive:    node(model.Function(model.OpIsNull, node(model.SelectColumn(pat, "date_of_death")))),
		hasEvent: node(model.Aggregate(model.OpExists, inInterval)),
		count:    node(model.Aggregate(model.OpCount, inInterval)),
		sex:      node(model.SelectColumn(pat, "sex")),
		old:      node(model.Function(model.OpLT, dob, model.MustValue(model.DateLit(day(t, "1950-01-01"))))),
	}
}

func day(t *testing.T, s string) model.CivilDate {
	t.Helper()
	d, err := model.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// showDummyDefinition renders a definition's dataset (nodes by ID) and
// dummy-data configuration.
func showDummyDefinition(def *model.Definition) string {
	var b strings.Builder
	fmt.Fprintf(&b, "population %x\n", def.Dataset.Population.ID())
	for _, v := range def.Dataset.Variables {
		fmt.Fprintf(&b, "%s %x\n", v.Name, v.Series.ID())
	}
	c := def.DatasetDummyDataConfig
	fmt.Fprintf(&b, "size %d legacy %v timeout %d constraint %v\n", c.PopulationSize, c.Legacy, c.Timeout, c.AdditionalPopulationConstraint)
	fmt.Fprintf(&b, "permissions %q", def.ClaimedPermissions)
	return b.String()
}

func TestMeasuresDefinition(t *testing.T) {
	p := buildMeasuresNodes(t, nil, nil)
	jan := [2]model.CivilDate{day(t, "2020-01-01"), day(t, "2020-01-31")}
	feb := [2]model.CivilDate{day(t, "2020-02-01"), day(t, "2020-02-29")}
	dec := [2]model.CivilDate{day(t, "2019-12-01"), day(t, "2019-12-31")}
	mar := [2]model.CivilDate{day(t, "2020-03-01"), day(t, "2020-03-31")}
	sex := []model.Variable{{Name: "sex", Series: p.sex}}
	measures := []model.Measure{
		{Name: "a", Numerator: p.hasEvent, Denominator: p.alive, GroupBy: sex, Intervals: [][2]model.CivilDate{jan, feb}},
		// The numerator, an int, is the denominator: a denominator only.
		{Name: "b", Numerator: p.count, Denominator: p.count, GroupBy: sex, Intervals: [][2]model.CivilDate{dec, jan}},
		{Name: "c", Numerator: p.hasEvent, Denominator: p.alive, Intervals: [][2]model.CivilDate{mar}},
	}
	// show renders the expected definition: the series built with the
	// interval dates first..last (the earliest start and latest end of the
	// measures' intervals), the population and variables chosen from them.
	show := func(first, last model.CivilDate, pick func(v measuresNodes) (*model.Node, []*model.Node), cfg string) string {
		pop, vars := pick(buildMeasuresNodes(t, &first, &last))
		var b strings.Builder
		fmt.Fprintf(&b, "population %x\n", pop.ID())
		for i, n := range vars {
			fmt.Fprintf(&b, "v%d %x\n", i, n.ID())
		}
		return b.String() + cfg
	}
	countPositive := func(v measuresNodes) *model.Node {
		return node(model.Function(model.OpGT, v.count, model.MustValue(model.IntLit(0))))
	}
	cases := []struct {
		name string
		def  *model.Definition
		want string
	}{
		{
			"automatic size: 10 per denominator (2), interval (4) and group (1)",
			&model.Definition{Measures: measures, ClaimedPermissions: []string{"appointments"}},
			show(dec[0], mar[1], func(v measuresNodes) (*model.Node, []*model.Node) {
				return node(model.Function(model.OpOr, v.alive, countPositive(v))), []*model.Node{v.hasEvent, v.sex}
			}, "size 80 legacy false timeout 60 constraint <nil>\npermissions [\"appointments\"]"),
		},
		{
			"no groups",
			&model.Definition{Measures: measures[2:]},
			show(mar[0], mar[1], func(v measuresNodes) (*model.Node, []*model.Node) {
				return v.alive, []*model.Node{v.hasEvent}
			}, "size 10 legacy false timeout 60 constraint <nil>\npermissions []"),
		},
		{
			"the measures' configuration, its constraint ANDed into the population",
			&model.Definition{Measures: measures[1:2], MeasuresDummyDataConfig: &model.DummyDataConfig{
				PopulationSize: 7, Legacy: true, Timeout: 5, AdditionalPopulationConstraint: p.old}},
			show(dec[0], jan[1], func(v measuresNodes) (*model.Node, []*model.Node) {
				return node(model.Function(model.OpAnd, countPositive(v), v.old)), []*model.Node{v.sex}
			}, "size 7 legacy true timeout 5 constraint <nil>\npermissions []"),
		},
	}
	for _, c := range cases {
		got, err := dummy.MeasuresDefinition(c.def)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if s := showDummyDefinition(got); s != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, s, c.want)
		}
		if got.Measures != nil || got.Dataset.Events != nil {
			t.Errorf("%s: the dummy definition has measures or event tables", c.name)
		}
	}
	// The definition's own configuration is left as it was.
	cfg := cases[2].def.MeasuresDummyDataConfig
	if cfg.AdditionalPopulationConstraint != p.old || cfg.PopulationSize != 7 {
		t.Errorf("the definition's configuration was changed: %+v", *cfg)
	}
}

func TestMeasuresDefinitionErrors(t *testing.T) {
	p := buildMeasuresNodes(t, nil, nil)
	cases := []struct {
		name string
		def  *model.Definition
		want string
	}{
		{"no measures", &model.Definition{}, "dummy data for measures: no measure has an interval"},
		{"no intervals", &model.Definition{Measures: []model.Measure{{Name: "a", Numerator: p.hasEvent, Denominator: p.alive}}},
			"dummy data for measures: no measure has an interval"},
		{"a constraint that is not a boolean", &model.Definition{
			Measures: []model.Measure{{Name: "a", Numerator: p.hasEvent, Denominator: p.alive,
				Intervals: [][2]model.CivilDate{{day(t, "2020-01-01"), day(t, "2020-01-31")}}}},
			MeasuresDummyDataConfig: &model.DummyDataConfig{AdditionalPopulationConstraint: p.sex}},
			"dummy data for measures: additional population constraint: "},
	}
	for _, c := range cases {
		_, err := dummy.MeasuresDefinition(c.def)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one starting %q", c.name, err, c.want)
		}
	}
}
