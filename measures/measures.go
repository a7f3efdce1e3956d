package measures

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ehrql-go/ehrql/internal/mistakes"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// Measure is what DefineMeasure and DefineDefaults take: ehrQL's
// numerator, denominator, group_by and intervals arguments. A nil field is
// "not given": DefineMeasure takes it, whole, from the defaults.
type Measure struct {
	// Numerator is summed over the denominator's population: a bool (true
	// counts 1) or int patient series.
	Numerator query.PatientSeries
	// Denominator defines the population (true, or > 0) and is summed over
	// it: a bool or int patient series.
	Denominator query.PatientSeries
	// GroupBy breaks the results down by the values of patient series, in
	// this order; each Name becomes an output column. nil takes the
	// defaults' groups (or none); NoGroups (an empty, non-nil slice) asks
	// for none even when the defaults have some. The groups given replace
	// the defaults' groups: they are never merged.
	GroupBy []Group
	// Intervals are the periods to evaluate over, usually from
	// Months(n).StartingOn(date) and the like. nil takes the defaults'; an
	// empty, non-nil list (Months(0).StartingOn(...)) means none, and the
	// measure then produces no rows. They are sorted and de-duplicated.
	Intervals []Interval
}

// Group is one group_by column: its output name and the patient series
// whose values define the groups (NULL is a group of its own).
type Group struct {
	Name   string
	Series query.PatientSeries
}

// NoGroups is an explicit empty GroupBy: no breakdown, whatever the
// defaults say.
var NoGroups = []Group{}

// reservedGroupNames are the measures table's own columns.
var reservedGroupNames = []string{"measure", "numerator", "denominator", "ratio", "interval_start", "interval_end"}

// Collection is a measures definition under construction (ehrQL's
// Measures, from create_measures()). It is query.Definable: end a
// definition with query.Emit(collection).
type Collection struct {
	defaults    *parts
	defaultsSet bool
	measures    []model.Measure
	names       map[string]bool
	groups      map[string]*model.Node // every group_by name so far → its series
	dummy       *model.DummyDataConfig
	disclosure  bool
	claimed     []string
	errs        []error
}

// New starts an empty collection of measures, with disclosure control
// enabled (ehrQL's create_measures()).
func New() *Collection {
	return &Collection{names: map[string]bool{}, groups: map[string]*model.Node{}, disclosure: true}
}

// parts are a Measure's arguments as query-model values; the has* flags
// say which were given.
type parts struct {
	num, den     *model.Node
	groups       []model.Variable
	intervals    [][2]model.CivilDate
	hasGroups    bool
	hasIntervals bool
}

// resolve validates the given arguments of m, ehrQL's _validate_kwargs:
// numerator, denominator, intervals, group_by, in that order.
func resolve(m Measure) (*parts, error) {
	p := &parts{}
	var err error
	if p.num, err = numDenom(m.Numerator, "numerator"); err != nil {
		return nil, err
	}
	if p.den, err = numDenom(m.Denominator, "denominator"); err != nil {
		return nil, err
	}
	if m.Intervals != nil {
		p.hasIntervals = true
		if p.intervals, err = intervals(m.Intervals); err != nil {
			return nil, err
		}
	}
	if m.GroupBy != nil {
		p.hasGroups = true
		if p.groups, err = groupBy(m.GroupBy); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func numDenom(s query.PatientSeries, name string) (*model.Node, error) {
	if s == nil {
		return nil, nil
	}
	n, err := query.Node(s)
	if err != nil {
		return nil, err
	}
	if err := model.CheckPatientSeries(n); err != nil {
		return nil, failf("invalid %s:\n%v", name, err)
	}
	if t := n.Type(); t != model.Bool && t != model.Int {
		return nil, failf("invalid %s:\nExpecting a series of type 'bool' or 'int', got series of type '%s'", name, t.Name())
	}
	return n, nil
}

func intervals(ivs []Interval) ([][2]model.CivilDate, error) {
	out := make([][2]model.CivilDate, 0, len(ivs))
	for _, iv := range ivs {
		if iv.err != nil {
			return nil, iv.err
		}
		if !validDate(iv.Start) || !validDate(iv.End) {
			return nil, failf("`intervals` must contain pairs of dates, got: %s", iv)
		}
		if iv.End.Before(iv.Start) {
			return nil, failf("Interval start date must be before end date, got: %s", iv)
		}
		out = append(out, [2]model.CivilDate{iv.Start, iv.End})
	}
	slices.SortFunc(out, func(a, b [2]model.CivilDate) int {
		if c := cmpDate(a[0], b[0]); c != 0 {
			return c
		}
		return cmpDate(a[1], b[1])
	})
	return slices.Compact(out), nil
}

func validDate(d model.CivilDate) bool {
	_, err := model.ParseDate(d.String())
	return err == nil && d.Month >= 1 && d.Month <= 12
}

func cmpDate(a, b model.CivilDate) int {
	switch {
	case a.Before(b):
		return -1
	case b.Before(a):
		return 1
	}
	return 0
}

func groupBy(gs []Group) ([]model.Variable, error) {
	out := make([]model.Variable, 0, len(gs))
	seen := map[string]bool{}
	var disallowed []string
	for _, g := range gs {
		if !model.ValidName(g.Name) {
			return nil, failf("`group_by` names must start with a letter and contain only alphanumeric characters and underscores, got: '%s'", g.Name)
		}
		if seen[g.Name] {
			return nil, failf("duplicate `group_by` column name: %s", g.Name)
		}
		seen[g.Name] = true
		if g.Series == nil {
			return nil, failf("invalid `group_by` value for '%s':\nExpecting an ehrQL series, got nothing", g.Name)
		}
		n, err := query.Node(g.Series)
		if err != nil {
			return nil, err
		}
		if err := model.CheckPatientSeries(n); err != nil {
			return nil, failf("invalid `group_by` value for '%s':\n%v", g.Name, err)
		}
		if slices.Contains(reservedGroupNames, g.Name) {
			disallowed = append(disallowed, g.Name)
		}
		out = append(out, model.Variable{Name: g.Name, Series: n})
	}
	if len(disallowed) > 0 {
		return nil, failf("disallowed `group_by` column name: %s", joinComma(disallowed))
	}
	return out, nil
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// DefineDefaults sets the arguments DefineMeasure takes when it is not
// given them (ehrQL's define_defaults). It may be called once; what it is
// given is checked as DefineMeasure checks it.
func (c *Collection) DefineDefaults(m Measure) {
	if c.defaultsSet {
		c.errs = append(c.errs, failf("Defaults already set; cannot call `DefineDefaults()` more than once"))
		return
	}
	p, err := resolve(m)
	if err != nil {
		c.errs = append(c.errs, err)
		return
	}
	c.defaultsSet = true
	c.defaults = p
}

// DefineMeasure adds a measure (ehrQL's define_measure). Arguments not
// given in m are taken from DefineDefaults; a missing numerator,
// denominator or intervals is an error, missing groups mean none. The name
// must start with a letter, contain only letters, digits and underscores,
// and be unused; a group name used by several measures must have the same
// definition in all of them.
func (c *Collection) DefineMeasure(name string, m Measure) {
	p, err := resolve(m)
	if err != nil {
		c.errs = append(c.errs, err)
		return
	}
	if d := c.defaults; d != nil {
		if p.num == nil {
			p.num = d.num
		}
		if p.den == nil {
			p.den = d.den
		}
		if !p.hasGroups && d.hasGroups {
			p.groups, p.hasGroups = d.groups, true
		}
		if !p.hasIntervals && d.hasIntervals {
			p.intervals, p.hasIntervals = d.intervals, true
		}
	}
	for _, missing := range []struct {
		name string
		ok   bool
	}{{"numerator", p.num != nil}, {"denominator", p.den != nil}, {"intervals", p.hasIntervals}} {
		if !missing.ok {
			c.errs = append(c.errs, failf("No value supplied for '%s' and no default defined", missing.name))
			return
		}
	}
	if !model.ValidName(name) {
		c.errs = append(c.errs, failf("Measure names must start with a letter and contain only alphanumeric characters and underscores, got: '%s'", name))
		return
	}
	if c.names[name] {
		c.errs = append(c.errs, failf("Measure already defined with name: %s", name))
		return
	}
	for _, g := range p.groups {
		if prev, ok := c.groups[g.Name]; ok && prev.ID() != g.Series.ID() {
			c.errs = append(c.errs, failf("Inconsistent definition for `group_by` column: %s", g.Name))
			return
		}
	}
	c.names[name] = true
	for _, g := range p.groups {
		if _, ok := c.groups[g.Name]; !ok {
			c.groups[g.Name] = g.Series
		}
	}
	groups := p.groups
	if groups == nil {
		groups = []model.Variable{}
	}
	c.measures = append(c.measures, model.Measure{
		Name:        name,
		Numerator:   p.num,
		Denominator: p.den,
		GroupBy:     slices.Clone(groups),
		Intervals:   slices.Clone(p.intervals),
	})
}

// ConfigureDummyData sets how dummy data is generated for the measures
// (ehrQL's configure_dummy_data). A zero PopulationSize is ehrQL's
// signature default, 10; a zero TimeoutSeconds is 60. Without this call the
// population size is left to the engine, which sizes it from the measures
// (the definition's measures dummy-data config is then null).
func (c *Collection) ConfigureDummyData(d query.DummyData) {
	cfg := model.DefaultDummyDataConfig()
	if d.PopulationSize > 0 {
		cfg.PopulationSize = int64(d.PopulationSize)
	}
	if d.TimeoutSeconds > 0 {
		cfg.Timeout = int64(d.TimeoutSeconds)
	}
	cfg.Legacy = d.Legacy
	if d.AdditionalPopulationConstraint != (query.BoolPatientSeries{}) {
		if d.Legacy {
			c.errs = append(c.errs, failf("Cannot provide an additional population constraint in legacy mode."))
			return
		}
		n, err := query.Node(d.AdditionalPopulationConstraint)
		if err != nil {
			c.errs = append(c.errs, err)
			return
		}
		if err := model.CheckPopulation(n); err != nil {
			c.errs = append(c.errs, failf("invalid additional population constraint: %v", err))
			return
		}
		cfg.AdditionalPopulationConstraint = n
	}
	c.dummy = &cfg
}

// ConfigureDisclosureControl turns statistical disclosure control of the
// results on or off (ehrQL's configure_disclosure_control). It is on by
// default: counts of 7 or less become 0, the rest are rounded to the
// nearest 5.
func (c *Collection) ConfigureDisclosureControl(enabled bool) { c.disclosure = enabled }

// ClaimPermissions declares that the measures may use tables that need
// these permissions when they run on dummy data (ehrQL's
// claim_permissions). Claims never grant access to real data.
func (c *Collection) ClaimPermissions(names ...string) {
	for _, n := range names {
		if !slices.Contains(c.claimed, n) {
			c.claimed = append(c.claimed, n)
		}
	}
}

// Err returns every mistake recorded while defining the measures, or nil.
func (c *Collection) Err() error {
	errs := slices.Clone(c.errs)
	if len(c.measures) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("No measures defined"))
	}
	return mistakes.Join(errs...)
}

// Measures returns the measures defined so far, in definition order.
func (c *Collection) Measures() []model.Measure { return slices.Clone(c.measures) }

// Definition returns the full measures definition (ehrQL's ModuleDetails
// for a measures file): the measures, their dummy-data configuration,
// disclosure control and claimed permissions. It makes Collection
// query.Definable.
func (c *Collection) Definition() (*model.Definition, error) {
	if err := c.Err(); err != nil {
		return nil, err
	}
	return &model.Definition{
		Measures:                  c.Measures(),
		MeasuresDummyDataConfig:   c.dummy,
		MeasuresDisclosureControl: &model.DisclosureControlConfig{Enabled: c.disclosure},
		ClaimedPermissions:        slices.Clone(c.claimed),
	}, nil
}

var _ query.Definable = (*Collection)(nil)

// intervalParam builds one of the INTERVAL date parameters.
func intervalParam(name string) query.DatePatientSeries {
	n, err := model.Parameter(name, model.Date)
	if err != nil {
		panic(fmt.Sprintf("measures: building parameter %s: %v", name, err))
	}
	return query.FromNode[query.DatePatientSeries](n)
}

// IntervalStart is ehrQL's INTERVAL.start_date: a date parameter named
// "interval_start_date" that stands for the first day of each interval.
// Use it wherever a date can go, in numerators, denominators and groups.
func IntervalStart() query.DatePatientSeries { return intervalParam("interval_start_date") }

// IntervalEnd is ehrQL's INTERVAL.end_date: the last day of each interval
// (a date parameter named "interval_end_date").
func IntervalEnd() query.DatePatientSeries { return intervalParam("interval_end_date") }

// CurrentInterval is ehrQL's INTERVAL as a whole, for IsDuring:
// events.Date.IsDuring(measures.CurrentInterval()) keeps the events on or
// between IntervalStart and IntervalEnd.
func CurrentInterval() query.Interval {
	return query.Interval{Start: IntervalStart(), End: IntervalEnd()}
}
