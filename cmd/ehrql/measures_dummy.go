package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// dummyMeasuresSession generates dummy data for measures when no data source
// is given, as ehrQL does: one dataset whose population is any denominator
// being true (or > 0) and whose variables are the numerators and groups,
// with the interval placeholders set to the earliest start and latest end of
// all intervals. The real measures query then runs over that data.
func dummyMeasuresSession(ctx context.Context, def *model.Definition, opts engine.Options, stderr io.Writer) (*engine.Session, error) {
	combined, err := measuresDummyDefinition(def)
	if err != nil {
		return nil, err
	}
	seed, err := dummySeed()
	if err != nil {
		return nil, err
	}
	d, err := generateDummy(ctx, combined, seed, stderr)
	if err != nil {
		return nil, err
	}
	return d.Open(ctx, opts)
}

// measuresDummyDefinition builds the dataset dummy data is generated for.
func measuresDummyDefinition(def *model.Definition) (*model.Definition, error) {
	first, last := def.Measures[0].Intervals[0][0], def.Measures[0].Intervals[0][1]
	var dens, vars []*model.Node
	seen := map[model.ID]bool{}
	groups := map[string]bool{}
	intervals := map[[2]model.CivilDate]bool{}
	for _, m := range def.Measures {
		for _, iv := range m.Intervals {
			intervals[iv] = true
			if iv[0].Before(first) {
				first = iv[0]
			}
			if last.Before(iv[1]) {
				last = iv[1]
			}
		}
		if !seen[m.Denominator.ID()] {
			seen[m.Denominator.ID()] = true
			dens = append(dens, m.Denominator)
		}
		for _, n := range append([]*model.Node{m.Numerator}, groupSeries(m)...) {
			if !seen[n.ID()] {
				seen[n.ID()] = true
				vars = append(vars, n)
			}
		}
		for _, g := range m.GroupBy {
			groups[g.Name] = true
		}
	}
	values := map[string]model.Literal{
		"interval_start_date": model.DateLit(first),
		"interval_end_date":   model.DateLit(last),
	}
	var pop *model.Node
	for _, d := range dens {
		d, err := model.Substitute(d, values)
		if err != nil {
			return nil, err
		}
		if d.Type() == model.Int {
			if d, err = model.Function(model.OpGT, d, model.MustValue(model.IntLit(0))); err != nil {
				return nil, err
			}
		}
		if pop == nil {
			pop = d
		} else if pop, err = model.Function(model.OpOr, pop, d); err != nil {
			return nil, err
		}
	}
	ds := &model.Dataset{Population: pop}
	for i, v := range vars {
		v, err := model.Substitute(v, values)
		if err != nil {
			return nil, err
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
		var err error
		if ds.Population, err = model.Function(model.OpAnd, ds.Population, cfg.AdditionalPopulationConstraint); err != nil {
			return nil, err
		}
		cfg.AdditionalPopulationConstraint = nil
	}
	return &model.Definition{Dataset: ds, DatasetDummyDataConfig: &cfg, ClaimedPermissions: def.ClaimedPermissions}, nil
}

func groupSeries(m model.Measure) []*model.Node {
	out := make([]*model.Node, len(m.GroupBy))
	for i, g := range m.GroupBy {
		out[i] = g.Series
	}
	return out
}
