// Package generative tests the DuckDB engine against the reference engine
// (engine/memory) on random, type-correct query models over random tables,
// as ehrQL tests its engines (tests/generative).
//
// A model is a dataset and, one time in three, measures over the same
// data, whose raw sums (before disclosure control) are compared. Every
// model makes a round trip through the JSON wire format first: encoded
// and decoded, it must encode to the same JSON, and DuckDB runs the
// decoded model while the reference engine runs the one generated.
//
// Outputs are compared exactly, picks included: a sort decides a pick only
// up to ties, but both engines, as ehrQL does (rewrite_sorts), break ties
// by the columns read from the pick, so the values picked are determined.
// Floats compare to a relative 1e-9 (sums add in different orders), NaN
// equal to NaN, and the sign of a zero is not compared (a tie between -0.0
// and 0.0 leaves either). Errors in the data are compared as Runner.Check
// says.
package generative

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// columns are the columns of every generated table.
var columns = []model.Column{
	{Name: "i1", Type: model.Int},
	{Name: "i2", Type: model.Int},
	{Name: "f1", Type: model.Float},
	{Name: "b1", Type: model.Bool},
	{Name: "d1", Type: model.Date},
	{Name: "d2", Type: model.Date},
	{Name: "s1", Type: model.Str},
	{Name: "c1", Type: model.CodeType(codelists.SNOMEDCT)},
}

// The tables: two patient-level, two event-level.
var (
	tableP0 = &model.Table{Name: "p0", PatientLevel: true, Columns: columns}
	tableP1 = &model.Table{Name: "p1", PatientLevel: true, Columns: columns}
	tableE0 = &model.Table{Name: "e0", Columns: columns}
	tableE1 = &model.Table{Name: "e1", Columns: columns}
	tables  = []*model.Table{tableP0, tableP1, tableE0, tableE1}
)

// valueTypes are the types of generated series.
var valueTypes = []model.Type{model.Bool, model.Int, model.Float, model.Date, model.Str, model.CodeType(codelists.SNOMEDCT)}

// Values the data and literals draw from: NULLs, ties, duplicates, month
// ends, 29 February, extreme ints, NaN, -0.0 and non-ASCII text.
var (
	someInts   = []int64{0, 1, -1, 2, 3, 5, 7, -7, 10, 12, 100, 365, 999_999_999, 1_000_000_000, 1 << 40, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}
	someFloats = []float64{0, math.Copysign(0, -1), 0.5, -0.5, 1, -1, 2.5, 3, 10.25, -100.125, 1e10, math.NaN()}
	someDates  = []string{"2020-01-01", "2020-01-31", "2020-02-29", "2021-02-28", "2021-03-01", "2019-12-31", "2020-06-15", "2021-01-31",
		"2000-02-29", "1999-12-31", "2024-02-29", "0001-01-01", "9999-12-31", "2020-12-31", "2022-07-04"}
	someStrs  = []string{"", "a", "b", "ab", "ba", "A", "é", "日本", "naïve", "a b", "zz"}
	someCodes = []string{"123456", "1234567", "7654321", "111111", "999999999"}
)

// gen generates one model and its data from a random source.
type gen struct {
	r      *rand.Rand
	picks  []*model.Node // picked rows, reused across variables
	frames []*model.Node // many-rows frames made so far
	inline *model.Node   // the inline patient table, if any
	depth  int
	// maxDepth bounds the nesting of series, 3 to 5.
	maxDepth int
	// params says whether series may read the measures' interval
	// parameters (while measures are made).
	params bool
}

// Case is one generated test case: a dataset, sometimes measures, and
// their data.
type Case struct {
	Seed     uint64
	Dataset  *model.Dataset
	Measures []model.Measure // nil in most cases
	Data     memory.Data
}

// Generate makes the case for a seed.
func Generate(seed uint64) (c Case, err error) {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("seed %d: generating: %v", seed, r)
		}
	}()
	g.maxDepth = 3 + g.r.IntN(3)
	c = Case{Seed: seed, Data: g.data()}
	if g.r.IntN(4) == 0 {
		g.inline = g.inlineTable()
	}
	c.Dataset = g.dataset()
	if g.chance(20) {
		g.spoil(c.Dataset)
	}
	if g.chance(3) {
		c.Measures = g.measures()
	}
	return c, nil
}

// spoil makes the dataset invalid in one of the ways the query model
// refuses, which both engines must refuse alike.
func (g *gen) spoil(ds *model.Dataset) {
	switch g.r.IntN(5) {
	case 0: // a variable with many values per patient
		ds.Variables[0].Series = must(model.SelectColumn(must(model.SelectTable(tableE0)), "i1"))
	case 1: // a population true for a patient with no data
		ds.Population = g.fn(model.OpIsNull, must(model.SelectColumn(must(model.SelectTable(tableP0)), "i1")))
	case 2: // a reserved name
		ds.Variables[0].Name = "patient_id"
	case 3: // a name used twice
		ds.Variables = append(ds.Variables, ds.Variables[0])
	case 4: // a measures' parameter in a dataset
		param := must(model.Parameter("interval_start_date", model.Date))
		ds.Variables[0].Series = g.fn(model.OpLT, must(model.SelectColumn(must(model.SelectTable(tableP0)), "d1")), param)
	}
}

func (g *gen) chance(n int) bool { return g.r.IntN(n) == 0 }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// data makes rows for every table: up to 8 patients, event tables with up
// to 5 rows each, values often NULL and often repeated.
func (g *gen) data() memory.Data {
	d := memory.Data{}
	for _, t := range tables {
		var rows []memory.Row
		for pid := int64(1); pid <= 8; pid++ {
			n := g.r.IntN(3)
			if !t.PatientLevel {
				n = g.r.IntN(6)
			}
			if t.PatientLevel && n > 1 {
				n = 1
			}
			var prev map[string]any
			for range n {
				vals := map[string]any{}
				for _, c := range t.Columns {
					if prev != nil && g.chance(3) {
						vals[c.Name] = prev[c.Name] // ties and duplicates
						continue
					}
					vals[c.Name] = g.dataValue(c.Type)
				}
				prev = vals
				rows = append(rows, memory.Row{PatientID: pid, Values: vals})
			}
		}
		g.r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		d[t.Name] = rows
	}
	return d
}

// dataValue is a random value of t, NULL one time in five.
func (g *gen) dataValue(t model.Type) any {
	if g.chance(5) {
		return nil
	}
	return g.value(t)
}

func (g *gen) value(t model.Type) any {
	switch t.Kind {
	case model.KindBool:
		return g.chance(2)
	case model.KindInt:
		if g.chance(2) {
			return int64(g.r.IntN(11) - 5)
		}
		return pick(g, someInts)
	case model.KindFloat:
		if g.chance(3) {
			return float64(g.r.IntN(9)-4) / 4
		}
		return pick(g, someFloats)
	case model.KindDate:
		if g.chance(2) {
			return model.MustParseDate("2020-01-01").AddDays(g.r.IntN(800) - 400)
		}
		return model.MustParseDate(pick(g, someDates))
	case model.KindStr:
		return pick(g, someStrs)
	case model.KindCode:
		return pick(g, someCodes)
	}
	panic(fmt.Sprintf("no values of %s", t))
}

func (g *gen) literal(t model.Type) model.Literal {
	switch v := g.value(t).(type) {
	case bool:
		return model.BoolLit(v)
	case int64:
		return model.IntLit(v)
	case float64:
		return model.FloatLit(v)
	case model.CivilDate:
		return model.DateLit(v)
	case string:
		if t.Kind == model.KindCode {
			l, err := model.CodeLit(t.System, v)
			if err != nil {
				panic(err)
			}
			return l
		}
		return model.StrLit(v)
	}
	panic("unreachable")
}

// inlineTable makes an inline patient table of a few rows.
func (g *gen) inlineTable() *model.Node {
	t := &model.Table{Name: "inline_t", PatientLevel: true, Columns: []model.Column{
		{Name: "i1", Type: model.Int}, {Name: "d1", Type: model.Date}, {Name: "s1", Type: model.Str}, {Name: "f1", Type: model.Float},
	}}
	var rows [][]model.Literal
	for pid := int64(1); pid <= 10; pid++ {
		if g.chance(2) {
			continue
		}
		row := []model.Literal{model.IntLit(pid)}
		for _, c := range t.Columns {
			if g.chance(4) {
				row = append(row, model.Literal{})
			} else {
				row = append(row, g.literal(c.Type))
			}
		}
		rows = append(rows, row)
	}
	return must(model.InlinePatientTable(t, rows))
}

func must(n *model.Node, err error) *model.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// dataset makes a population, one to four variables and sometimes an
// event table.
func (g *gen) dataset() *model.Dataset {
	ds := &model.Dataset{}
	nvars := 1 + g.r.IntN(4)
	if g.chance(4) {
		// A wide dataset: enough aggregations over differently filtered
		// frames of one table for the compiler to share their scan.
		nvars = 6 + g.r.IntN(10)
	}
	for i := range nvars {
		t := pick(g, valueTypes)
		g.depth = 0
		ds.Variables = append(ds.Variables, model.Variable{Name: fmt.Sprintf("v%d", i), Series: g.patientSeries(t)})
	}
	g.depth = 0
	ds.Population = g.population()
	for k := range g.r.IntN(5) / 3 * (1 + g.r.IntN(2)) {
		g.depth = 0
		f := g.frame()
		var names []string
		var members []*model.Node
		for i := range 1 + g.r.IntN(3) {
			names = append(names, fmt.Sprintf("c%d", i))
			if i > 0 && g.chance(3) {
				members = append(members, g.patientSeries(pick(g, valueTypes)))
			} else {
				members = append(members, g.eventSeries(pick(g, valueTypes), f))
			}
		}
		if frame, err := model.SeriesCollectionFrame(names, members); err == nil {
			ds.Events = append(ds.Events, model.EventTable{Name: fmt.Sprintf("events%d", k), Frame: frame})
		}
	}
	return ds
}

// population is, most often, a random condition limited to patients in a
// table; sometimes everyone in the tables, or a constant.
func (g *gen) population() *model.Node {
	everyone := model.MustValue(model.BoolLit(false))
	for _, t := range tables {
		everyone = g.fn(model.OpOr, g.exists(t), everyone)
	}
	switch g.r.IntN(8) {
	case 0:
		return everyone
	case 1:
		return model.MustValue(model.BoolLit(false))
	case 2:
		return g.fn(model.OpNot, model.MustValue(model.BoolLit(true)))
	}
	cond := g.patientSeries(model.Bool)
	if model.CheckPopulation(cond) == nil && g.chance(2) {
		return cond
	}
	return g.fn(model.OpAnd, cond, g.exists(pick(g, tables)))
}

func (g *gen) exists(t *model.Table) *model.Node {
	return must(model.Aggregate(model.OpExists, must(model.SelectTable(t))))
}

func (g *gen) fn(op model.Op, args ...*model.Node) *model.Node {
	return must(model.Function(op, args...))
}

// tryFn builds a function, or returns nil if the operands do not fit.
func tryFn(op model.Op, args ...*model.Node) *model.Node {
	n, err := model.Function(op, args...)
	if err != nil {
		return nil
	}
	return n
}

// frame makes a many-rows frame: an event table, filtered zero to two
// times by conditions that may come from the frame or from its ancestors.
func (g *gen) frame() *model.Node {
	if len(g.frames) > 0 && g.chance(3) {
		return pick(g, g.frames)
	}
	f := must(model.SelectTable(pick(g, []*model.Table{tableE0, tableE1})))
	if g.params && g.chance(2) {
		f = g.during(f)
	}
	ancestors := []*model.Node{f}
	for range g.r.IntN(3) {
		var cond *model.Node
		if g.chance(4) {
			cond = g.patientSeries(model.Bool)
		} else if g.chance(4) {
			cond = g.codelistTest(pick(g, ancestors))
		} else {
			cond = g.eventSeries(model.Bool, pick(g, ancestors))
		}
		next, err := model.Filter(f, cond)
		if err != nil {
			continue
		}
		f = next
		ancestors = append(ancestors, f)
	}
	g.frames = append(g.frames, f)
	return f
}

// sorted sorts a frame by one to three keys, each a column or an
// expression of the frame or of an ancestor.
func (g *gen) sorted(f *model.Node) *model.Node {
	for range 1 + g.r.IntN(3) {
		t := pick(g, []model.Type{model.Int, model.Date, model.Float, model.Str, model.Int, model.Date, model.CodeType(codelists.SNOMEDCT)})
		var key *model.Node
		if g.chance(2) {
			key = must(model.SelectColumn(f, pick(g, columnsOf(t))))
		} else {
			key = g.eventSeries(t, f)
		}
		if key.PatientDomain() {
			continue
		}
		if s, err := model.Sort(f, key); err == nil {
			f = s
		}
	}
	if !f.Sorted() {
		f = must(model.Sort(f, must(model.SelectColumn(f, "i1"))))
	}
	return f
}

func columnsOf(t model.Type) []string {
	var out []string
	for _, c := range columns {
		if c.Type == t {
			out = append(out, c.Name)
		}
	}
	return out
}

// pickRow returns a picked row, often one made before.
func (g *gen) pickRow() *model.Node {
	if len(g.picks) > 0 && g.chance(2) {
		return pick(g, g.picks)
	}
	p := must(model.PickOneRowPerPatient(g.sorted(g.frame()), pick(g, []model.Position{model.First, model.Last})))
	g.picks = append(g.picks, p)
	return p
}

// deep reports whether the series being built is deep enough to stop.
func (g *gen) deep() bool { return g.depth > g.maxDepth || g.chance(1+g.maxDepth+1-g.depth) }

// patientSeries makes a series of type t with one value per patient.
func (g *gen) patientSeries(t model.Type) *model.Node {
	g.depth++
	defer func() { g.depth-- }()
	if g.deep() {
		return g.patientLeaf(t)
	}
	switch g.r.IntN(4) {
	case 0:
		if n := g.aggregation(t); n != nil {
			return n
		}
	case 1:
		if n := g.caseOf(t, nil); n != nil {
			return n
		}
	}
	if n := g.function(t, nil); n != nil {
		return n
	}
	return g.patientLeaf(t)
}

// patientLeaf is a literal or a column of a patient frame.
func (g *gen) patientLeaf(t model.Type) *model.Node {
	switch g.r.IntN(5) {
	case 0:
		if g.params && t == model.Date && !g.chance(3) {
			return g.parameter()
		}
		return model.MustValue(g.literal(t))
	case 1:
		if g.inline != nil {
			for _, c := range g.inline.Table().Columns {
				if c.Type == t {
					return must(model.SelectColumn(g.inline, c.Name))
				}
			}
		}
	case 2, 3:
		if g.depth < 3 {
			return must(model.SelectColumn(g.pickRow(), pick(g, columnsOf(t))))
		}
	}
	return must(model.SelectColumn(must(model.SelectTable(pick(g, []*model.Table{tableP0, tableP1}))), pick(g, columnsOf(t))))
}

// eventSeries makes a series of type t drawn from frame f (mixed with
// patient-level series).
func (g *gen) eventSeries(t model.Type, f *model.Node) *model.Node {
	g.depth++
	defer func() { g.depth-- }()
	if g.deep() || g.chance(3) {
		return must(model.SelectColumn(f, pick(g, columnsOf(t))))
	}
	if g.chance(4) {
		if n := g.caseOf(t, f); n != nil && !n.PatientDomain() {
			return n
		}
	}
	if n := g.function(t, f); n != nil && !n.PatientDomain() {
		return n
	}
	return must(model.SelectColumn(f, pick(g, columnsOf(t))))
}

// operand makes an operand of type t: drawn from f if f is set (and
// sometimes patient-level even then), else patient-level.
func (g *gen) operand(t model.Type, f *model.Node) *model.Node {
	if f != nil && !g.chance(4) {
		return g.eventSeries(t, f)
	}
	return g.patientSeries(t)
}

// function makes a function of result type t, or nil.
func (g *gen) function(t model.Type, f *model.Node) *model.Node {
	op := func(ts ...model.Type) []*model.Node {
		out := make([]*model.Node, len(ts))
		for i, u := range ts {
			out[i] = g.operand(u, f)
		}
		return out
	}
	numeric := pick(g, []model.Type{model.Int, model.Float})
	comparable := pick(g, []model.Type{model.Int, model.Float, model.Date, model.Str, model.CodeType(codelists.SNOMEDCT)})
	anyT := pick(g, valueTypes)
	switch t.Kind {
	case model.KindBool:
		switch g.r.IntN(11) {
		case 0:
			return tryFn(pick(g, []model.Op{model.OpEQ, model.OpNE}), op(anyT, anyT)...)
		case 1, 2:
			return tryFn(pick(g, []model.Op{model.OpLT, model.OpLE, model.OpGT, model.OpGE}), op(comparable, comparable)...)
		case 3:
			return tryFn(pick(g, []model.Op{model.OpAnd, model.OpOr}), op(model.Bool, model.Bool)...)
		case 4:
			return tryFn(model.OpNot, op(model.Bool)...)
		case 5:
			return tryFn(model.OpIsNull, op(anyT)...)
		case 6:
			return tryFn(model.OpStringContains, g.operand(model.Str, f), model.MustValue(model.StrLit(pick(g, someStrs))))
		case 7, 8:
			return tryFn(model.OpIn, g.operand(comparable, f), g.set(comparable))
		case 9:
			// a picked row read inside an aggregation over the same rows
			if f == nil {
				return tryFn(model.OpGT, g.sameRowsAggregation(), model.MustValue(model.IntLit(int64(g.r.IntN(40)))))
			}
		}
		return tryFn(model.OpEQ, op(model.Bool, model.Bool)...)
	case model.KindInt:
		switch g.r.IntN(8) {
		case 0:
			return tryFn(pick(g, []model.Op{model.OpNegate, model.OpAbsolute}), op(model.Int)...)
		case 1:
			return tryFn(pick(g, []model.Op{model.OpAdd, model.OpSubtract, model.OpMultiply}), op(model.Int, model.Int)...)
		case 2:
			return tryFn(model.OpFloorDivide, op(numeric, numeric)...)
		case 3:
			return tryFn(model.OpCastToInt, op(pick(g, []model.Type{model.Int, model.Float, model.Bool}))...)
		case 4:
			return tryFn(pick(g, []model.Op{model.OpDateDifferenceInDays, model.OpDateDifferenceInMonths, model.OpDateDifferenceInYears}), op(model.Date, model.Date)...)
		case 5:
			return tryFn(pick(g, []model.Op{model.OpYearFromDate, model.OpMonthFromDate, model.OpDayFromDate}), op(model.Date)...)
		case 6:
			if f == nil {
				return g.sameRowsAggregation()
			}
		}
		return tryFn(pick(g, []model.Op{model.OpMinimumOf, model.OpMaximumOf}), op(model.Int, model.Int, model.Int)[:1+g.r.IntN(3)]...)
	case model.KindFloat:
		switch g.r.IntN(6) {
		case 0:
			return tryFn(pick(g, []model.Op{model.OpNegate, model.OpAbsolute}), op(model.Float)...)
		case 1:
			return tryFn(pick(g, []model.Op{model.OpAdd, model.OpSubtract, model.OpMultiply}), op(model.Float, model.Float)...)
		case 2:
			return tryFn(pick(g, []model.Op{model.OpTrueDivide, model.OpPower}), op(numeric, numeric)...)
		case 3:
			return tryFn(model.OpCastToFloat, op(numeric)...)
		}
		return tryFn(pick(g, []model.Op{model.OpMinimumOf, model.OpMaximumOf}), op(model.Float, model.Float)...)
	case model.KindDate:
		switch g.r.IntN(4) {
		case 0, 1:
			n := g.operand(model.Int, f)
			if g.chance(2) {
				n = model.MustValue(model.IntLit(pick(g, someInts)))
			}
			return tryFn(pick(g, []model.Op{model.OpDateAddDays, model.OpDateAddMonths, model.OpDateAddYears}), g.operand(model.Date, f), n)
		case 2:
			return tryFn(pick(g, []model.Op{model.OpToFirstOfYear, model.OpToFirstOfMonth}), op(model.Date)...)
		}
		return tryFn(pick(g, []model.Op{model.OpMinimumOf, model.OpMaximumOf}), op(model.Date, model.Date)...)
	}
	return tryFn(pick(g, []model.Op{model.OpMinimumOf, model.OpMaximumOf}), op(t, t)[:1+g.r.IntN(2)]...)
}

// sameRowsAggregation is "days since the first event", an aggregation over
// the rows a picked row is read from: (e.d1 - first.d1).days.max().
func (g *gen) sameRowsAggregation() *model.Node {
	f := g.frame()
	first := must(model.PickOneRowPerPatient(g.sorted(f), pick(g, []model.Position{model.First, model.Last})))
	g.picks = append(g.picks, first)
	diff := g.fn(model.OpDateDifferenceInDays, must(model.SelectColumn(f, "d1")), must(model.SelectColumn(first, "d1")))
	return must(model.Aggregate(pick(g, []model.Op{model.OpMax, model.OpMin, model.OpSum}), diff))
}

// set is the right-hand side of In: a literal set or a patient's set of
// values.
func (g *gen) set(t model.Type) *model.Node {
	if g.chance(3) {
		f := g.frame()
		return must(model.Aggregate(model.OpCombineAsSet, g.eventSeries(t, f)))
	}
	var members []model.Literal
	for range g.r.IntN(4) {
		l := g.literal(t)
		if f, ok := l.Go().(float64); ok && math.IsNaN(f) {
			continue // a NaN member is never matched; keep sets comparable
		}
		members = append(members, l)
	}
	elem := t
	s, err := model.SetLit(elem, members)
	if err != nil {
		panic(err)
	}
	return model.MustValue(s)
}

// codelistTest tests a string or code column of the frame's rows against a
// literal set, as codelists are: a few of the values the data holds, and
// sometimes (to make a large set) values it never holds.
func (g *gen) codelistTest(f *model.Node) *model.Node {
	column := pick(g, []string{"s1", "c1"})
	t := model.Str
	values := someStrs
	if column == "c1" {
		t, values = model.CodeType(codelists.SNOMEDCT), someCodes
	}
	var members []model.Literal
	add := func(v string) {
		if t.Kind == model.KindCode {
			l, err := model.CodeLit(t.System, v)
			if err != nil {
				panic(err)
			}
			members = append(members, l)
			return
		}
		members = append(members, model.StrLit(v))
	}
	for range 1 + g.r.IntN(len(values)) {
		add(pick(g, values))
	}
	if g.chance(3) {
		for i := range 20 {
			add(fmt.Sprintf("%d%d", 55500+i, i)) // valid SNOMED CT codes, in no data
		}
	}
	set, err := model.SetLit(t, members)
	if err != nil {
		panic(err)
	}
	return tryFn(model.OpIn, must(model.SelectColumn(f, column)), model.MustValue(set))
}

// aggregation makes a patient-level aggregation of type t, or nil.
func (g *gen) aggregation(t model.Type) *model.Node {
	f := g.frame()
	switch t.Kind {
	case model.KindBool:
		switch g.r.IntN(4) {
		case 0:
			return must(model.Aggregate(model.OpExists, g.pickRow()))
		case 1:
			return must(model.Aggregate(model.OpExists, g.patientFrame()))
		}
		return must(model.Aggregate(model.OpExists, f))
	case model.KindInt:
		switch g.r.IntN(7) {
		case 0:
			return must(model.Aggregate(model.OpCount, f))
		case 5:
			return must(model.Aggregate(model.OpCount, g.patientFrame()))
		case 1:
			return must(model.Aggregate(model.OpCount, g.pickRow()))
		case 2:
			return must(model.Aggregate(model.OpCountDistinct, g.eventSeries(pick(g, valueTypes), f)))
		case 3:
			return must(model.CountEpisodes(g.eventSeries(model.Date, f), int64(g.r.IntN(40))))
		}
		return must(model.Aggregate(pick(g, []model.Op{model.OpSum, model.OpMin, model.OpMax}), g.eventSeries(model.Int, f)))
	case model.KindFloat:
		if g.chance(2) {
			return must(model.Aggregate(model.OpMean, g.eventSeries(pick(g, []model.Type{model.Int, model.Float}), f)))
		}
		return must(model.Aggregate(pick(g, []model.Op{model.OpSum, model.OpMin, model.OpMax}), g.eventSeries(model.Float, f)))
	}
	return must(model.Aggregate(pick(g, []model.Op{model.OpMin, model.OpMax}), g.eventSeries(t, f)))
}

// patientFrame is a patient table or the inline table.
func (g *gen) patientFrame() *model.Node {
	if g.inline != nil && g.chance(2) {
		return g.inline
	}
	return must(model.SelectTable(pick(g, []*model.Table{tableP0, tableP1})))
}

// caseOf makes a Case of type t (event-level if f is set), or nil.
func (g *gen) caseOf(t model.Type, f *model.Node) *model.Node {
	var conds, values []*model.Node
	seen := map[model.ID]bool{}
	for range 1 + g.r.IntN(3) {
		c := g.operand(model.Bool, f)
		if seen[c.ID()] {
			continue
		}
		seen[c.ID()] = true
		conds = append(conds, c)
		if g.chance(4) {
			values = append(values, nil)
		} else {
			values = append(values, g.operand(t, f))
		}
	}
	var def *model.Node
	if !g.chance(3) {
		def = g.operand(t, f)
	}
	n, err := model.Case(conds, values, def)
	if err != nil {
		return nil
	}
	return n
}
