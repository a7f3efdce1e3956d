package generative

import (
	"fmt"
	"slices"

	"github.com/ehrql-go/ehrql/query/model"
)

// The measures' interval parameters (ehrQL's INTERVAL.start_date and
// INTERVAL.end_date).
var (
	paramStart = must(model.Parameter("interval_start_date", model.Date))
	paramEnd   = must(model.Parameter("interval_end_date", model.Date))
)

// parameter is one of the interval's dates.
func (g *gen) parameter() *model.Node {
	return pick(g, []*model.Node{paramStart, paramEnd})
}

// during keeps the rows of f whose d1 or d2 is in the interval, as
// ehrQL's is_during(INTERVAL), or, as often, on one side of one of its
// dates ("on or before its end", "after its start").
func (g *gen) during(f *model.Node) *model.Node {
	d := must(model.SelectColumn(f, pick(g, []string{"d1", "d2"})))
	var cond *model.Node
	switch g.r.IntN(3) {
	case 0:
		cond = g.fn(pick(g, []model.Op{model.OpLE, model.OpLT}), d, g.parameter())
	case 1:
		cond = g.fn(pick(g, []model.Op{model.OpGE, model.OpGT}), d, g.parameter())
	default:
		cond = g.fn(model.OpAnd, g.fn(model.OpGE, d, paramStart), g.fn(model.OpLE, d, paramEnd))
	}
	return must(model.Filter(f, cond))
}

// measures makes one to four measures as the measures language allows
// them: bool or int numerators and denominators (a denominator shared by
// several measures, often), groups from one pool of named series (a name
// means one series across measures), interval lists shared or not, each
// sorted and without repeats; numerators, denominators and groups read
// the interval's dates anywhere a date can go.
func (g *gen) measures() []model.Measure {
	g.params = true
	defer func() { g.params = false }()
	var groups []model.Variable
	for i := range g.r.IntN(4) {
		g.depth = 0
		groups = append(groups, model.Variable{Name: fmt.Sprintf("g%d", i), Series: g.patientSeries(pick(g, valueTypes))})
	}
	var intervalLists [][][2]model.CivilDate
	for range 1 + g.r.IntN(2) {
		intervalLists = append(intervalLists, g.intervals())
	}
	var all [][2]model.CivilDate
	for _, l := range intervalLists {
		all = append(all, l...)
	}
	var dens []*model.Node
	for range 1 + g.r.IntN(2) {
		dens = append(dens, g.denominator(all))
	}
	var ms []model.Measure
	for i := range 1 + g.r.IntN(4) {
		g.depth = 0
		m := model.Measure{
			Name:        fmt.Sprintf("m%d", i),
			Numerator:   g.patientSeries(pick(g, []model.Type{model.Bool, model.Int})),
			Denominator: pick(g, dens),
			Intervals:   pick(g, intervalLists),
		}
		for _, j := range g.r.Perm(len(groups))[:g.r.IntN(len(groups)+1)] {
			m.GroupBy = append(m.GroupBy, groups[j])
		}
		ms = append(ms, m)
	}
	if g.chance(20) {
		g.spoilMeasures(ms)
	}
	return ms
}

// spoilMeasures makes a measure invalid in one of the ways the query model
// refuses, which both engines must refuse alike.
func (g *gen) spoilMeasures(ms []model.Measure) {
	m := &ms[g.r.IntN(len(ms))]
	switch g.r.IntN(3) {
	case 0: // a float numerator
		m.Numerator = g.patientSeries(model.Float)
	case 1: // an event-level denominator
		m.Denominator = must(model.SelectColumn(g.frame(), "b1"))
	case 2: // an event-level group
		m.GroupBy = append(m.GroupBy, model.Variable{Name: "event_level", Series: must(model.SelectColumn(g.frame(), "s1"))})
	}
}

// intervals makes one to three intervals, sorted and distinct: runs of
// equal lengths from a start date, as months(n).starting_on(d) and the like
// make, or intervals of random lengths.
func (g *gen) intervals() [][2]model.CivilDate {
	// Mostly within the dates of the data, whose events are in the years
	// around 2020.
	start := model.MustParseDate("2020-01-01").AddDays(g.r.IntN(800) - 500)
	if g.chance(4) {
		start = g.value(model.Date).(model.CivilDate)
	}
	length := pick(g, []int{0, 1, 6, 28, 29, 30, 90, 180, 364, 365, 730})
	var out [][2]model.CivilDate
	for range 1 + g.r.IntN(3) {
		if g.chance(3) {
			length = g.r.IntN(800)
		}
		end := start.AddDays(length)
		if end.Year > 9999 || start.Year > 9999 {
			break
		}
		out = append(out, [2]model.CivilDate{start, end})
		start = end.AddDays(1 + g.r.IntN(2)*g.r.IntN(60))
	}
	if len(out) == 0 {
		out = append(out, [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")})
	}
	slices.SortFunc(out, func(a, b [2]model.CivilDate) int {
		if a[0] != b[0] {
			return a[0].DaysSince(b[0])
		}
		return a[1].DaysSince(b[1])
	})
	return slices.Compact(out)
}

// denominator makes a bool or int denominator, often the existence or
// count of rows in the interval; one true (or positive) for a patient in
// no table, in any of the intervals, is limited to the patients in a table
// (ehrQL's in-memory engine counts every patient in the database there,
// its SQL engines, as this engine, only the patients in the tables the
// denominator reads).
func (g *gen) denominator(intervals [][2]model.CivilDate) *model.Node {
	g.depth = 0
	if g.chance(15) { // reads no table and counts nobody
		return pick(g, []*model.Node{model.MustValue(model.BoolLit(false)), g.fn(model.OpNot, model.MustValue(model.BoolLit(true)))})
	}
	var den *model.Node
	switch g.r.IntN(5) {
	case 0:
		den = must(model.Aggregate(model.OpExists, g.during(g.frame())))
	case 1:
		den = must(model.Aggregate(model.OpCount, g.during(g.frame())))
	case 2:
		den = must(model.Aggregate(pick(g, []model.Op{model.OpExists, model.OpCount}), pick(g, []*model.Node{g.frame(), g.patientFrame()})))
	default:
		den = g.patientSeries(pick(g, []model.Type{model.Bool, model.Int}))
	}
	if ok := g.validDenominator(den, intervals); !ok || g.chance(10) {
		exists := g.exists(pick(g, tables))
		if den.Type() == model.Bool {
			return g.fn(model.OpAnd, den, exists)
		}
		return must(model.Case([]*model.Node{exists}, []*model.Node{den}, nil))
	}
	return den
}

// validDenominator reports whether den, as a population, is never true for
// a patient in no table, whatever the interval.
func (g *gen) validDenominator(den *model.Node, intervals [][2]model.CivilDate) bool {
	for _, iv := range intervals {
		s, err := model.Substitute(den, map[string]model.Literal{
			"interval_start_date": model.DateLit(iv[0]), "interval_end_date": model.DateLit(iv[1])})
		if err != nil {
			return false
		}
		if s.Type() == model.Int {
			s = g.fn(model.OpGT, s, model.MustValue(model.IntLit(0)))
		}
		if model.CheckPopulation(s) != nil {
			return false
		}
	}
	return true
}

// rowsThatMustExist makes measures whose denominator counts a frame's rows
// in the interval for patients that have rows of an event table meeting
// conditions of the interval, as "registered on the interval's start"
// does: comparisons of a row's date with an interval date, either way
// round, a date "or NULL", a condition of the row alone, and now and then
// one the compiler cannot check in a semi join (a NULL test of another
// column) or that reads another series of the patient.
func (g *gen) rowsThatMustExist() []model.Measure {
	g.params = true
	defer func() { g.params = false }()
	g.depth = 0
	var musts []*model.Node
	for range 1 + g.r.IntN(2) {
		musts = append(musts, g.mustExist())
	}
	rows := must(model.Filter(g.during(must(model.SelectTable(pick(g, []*model.Table{tableE0, tableE1})))), g.all(musts)))
	den := must(model.Aggregate(pick(g, []model.Op{model.OpCount, model.OpExists}), rows))
	intervals := g.intervals()
	ms := []model.Measure{{Name: "m", Numerator: g.patientSeries(pick(g, []model.Type{model.Bool, model.Int})), Denominator: den, Intervals: intervals}}
	if g.chance(2) {
		g.depth = 0
		ms[0].GroupBy = []model.Variable{{Name: "g", Series: g.patientSeries(pick(g, valueTypes))}}
	}
	return ms
}

// mustExist makes one condition of rowsThatMustExist.
func (g *gen) mustExist() *model.Node {
	f := must(model.SelectTable(pick(g, []*model.Table{tableE0, tableE1})))
	date := func() *model.Node { return must(model.SelectColumn(f, pick(g, []string{"d1", "d2"}))) }
	var conds []*model.Node
	if g.chance(2) {
		// a period holding an interval date, as a registration's: d1 on
		// or before it, d2 on or after it, or NULL, either way round
		p := g.parameter()
		d1, d2 := must(model.SelectColumn(f, "d1")), must(model.SelectColumn(f, "d2"))
		if g.chance(2) {
			d1, d2 = d2, d1
		}
		start := g.fn(pick(g, []model.Op{model.OpLE, model.OpLT}), d1, p)
		end := g.fn(pick(g, []model.Op{model.OpGE, model.OpGT}), d2, p)
		if g.chance(2) {
			start = g.fn(model.OpOr, start, g.fn(model.OpIsNull, d1))
		}
		if !g.chance(3) {
			end = g.fn(model.OpOr, g.fn(model.OpIsNull, d2), end)
		}
		conds = append(conds, start, end)
	}
	for range g.r.IntN(3) {
		d := date()
		op := pick(g, []model.Op{model.OpEQ, model.OpLT, model.OpLE, model.OpGT, model.OpGE})
		cmp := g.fn(op, d, g.parameter())
		if g.chance(2) {
			cmp = g.fn(op, g.parameter(), d)
		}
		switch g.r.IntN(6) {
		case 0, 1:
			conds = append(conds, cmp)
		case 2:
			conds = append(conds, g.fn(model.OpOr, cmp, g.fn(model.OpIsNull, d)))
		case 3:
			conds = append(conds, g.fn(model.OpOr, g.fn(model.OpIsNull, d), cmp))
		case 4: // a condition of the row alone
			conds = append(conds, must(model.SelectColumn(f, "b1")))
		default: // NULL of another column: not a comparison with the interval
			conds = append(conds, g.fn(model.OpOr, cmp, g.fn(model.OpIsNull, date())))
		}
	}
	if g.chance(6) { // another series of the patient
		conds = append(conds, must(model.SelectColumn(must(model.SelectTable(tableP0)), "b1")))
	}
	if len(conds) == 0 {
		conds = append(conds, must(model.SelectColumn(f, "b1")))
	}
	return must(model.Aggregate(model.OpExists, must(model.Filter(f, g.all(conds)))))
}

// all ANDs conditions together, in order.
func (g *gen) all(conds []*model.Node) *model.Node {
	cond := conds[0]
	for _, c := range conds[1:] {
		cond = g.fn(model.OpAnd, cond, c)
	}
	return cond
}
