package dummy

import (
	"errors"
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// MeasuresDefinition builds the dataset definition dummy data for measures
// is generated for, as ehrQL does: its population is any denominator being
// true (or > 0), its variables (v0, v1, …) are the numerators and group_by
// series, each once, in measure order, and the interval placeholders
// (interval_start_date, interval_end_date) are set to the earliest start
// and the latest end of all intervals. The real measures query then runs
// over the data generated for it.
//
// The dummy-data configuration is the measures' own if given, else ehrQL's
// default with a population of 10 per distinct denominator, interval and
// group_by column name. An additional population constraint is ANDed into
// the population. The claimed permissions are kept.
func MeasuresDefinition(def *model.Definition) (*model.Definition, error) {
	var (
		first, last model.CivilDate
		haveDates   bool
		dens, vars  []*model.Node
	)
	seen := map[model.ID]bool{}
	groups := map[string]bool{}
	intervals := map[[2]model.CivilDate]bool{}
	for _, m := range def.Measures {
		for _, iv := range m.Intervals {
			intervals[iv] = true
			if !haveDates || iv[0].Before(first) {
				first = iv[0]
			}
			if !haveDates || last.Before(iv[1]) {
				last = iv[1]
			}
			haveDates = true
		}
		if !seen[m.Denominator.ID()] {
			seen[m.Denominator.ID()] = true
			dens = append(dens, m.Denominator)
		}
		for _, n := range measureSeries(m) {
			if !seen[n.ID()] {
				seen[n.ID()] = true
				vars = append(vars, n)
			}
		}
		for _, g := range m.GroupBy {
			groups[g.Name] = true
		}
	}
	if !haveDates {
		return nil, errors.New("dummy data for measures: no measure has an interval")
	}
	values := map[string]model.Literal{
		"interval_start_date": model.DateLit(first),
		"interval_end_date":   model.DateLit(last),
	}
	pop, err := measuresPopulation(dens, values)
	if err != nil {
		return nil, err
	}
	ds := &model.Dataset{Population: pop}
	for i, v := range vars {
		v, err := model.Substitute(v, values)
		if err != nil {
			return nil, fmt.Errorf("dummy data for measures: %w", err)
		}
		ds.Variables = append(ds.Variables, model.Variable{Name: fmt.Sprintf("v%d", i), Series: v})
	}
	cfg := model.DefaultDummyDataConfig()
	if def.MeasuresDummyDataConfig != nil {
		cfg = *def.MeasuresDummyDataConfig
	} else {
		// ehrQL's automatic size: 10 per denominator, interval and group.
		cfg.PopulationSize = int64(10 * len(dens) * len(intervals) * max(1, len(groups)))
	}
	if cfg.AdditionalPopulationConstraint != nil {
		if ds.Population, err = model.Function(model.OpAnd, ds.Population, cfg.AdditionalPopulationConstraint); err != nil {
			return nil, fmt.Errorf("dummy data for measures: additional population constraint: %w", err)
		}
		cfg.AdditionalPopulationConstraint = nil
	}
	return &model.Definition{Dataset: ds, DatasetDummyDataConfig: &cfg, ClaimedPermissions: def.ClaimedPermissions}, nil
}

// measuresPopulation ORs the denominators, each with its interval
// placeholders set and, if an int, compared > 0.
func measuresPopulation(dens []*model.Node, values map[string]model.Literal) (*model.Node, error) {
	var pop *model.Node
	for _, d := range dens {
		d, err := model.Substitute(d, values)
		if err != nil {
			return nil, fmt.Errorf("dummy data for measures: %w", err)
		}
		if d.Type() == model.Int {
			if d, err = model.Function(model.OpGT, d, model.MustValue(model.IntLit(0))); err != nil {
				return nil, fmt.Errorf("dummy data for measures: %w", err)
			}
		}
		if pop == nil {
			pop = d
		} else if pop, err = model.Function(model.OpOr, pop, d); err != nil {
			return nil, fmt.Errorf("dummy data for measures: %w", err)
		}
	}
	return pop, nil
}

// measureSeries returns a measure's numerator and group_by series, in order.
func measureSeries(m model.Measure) []*model.Node {
	out := []*model.Node{m.Numerator}
	for _, g := range m.GroupBy {
		out = append(out, g.Series)
	}
	return out
}
