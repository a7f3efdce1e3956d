package dummy

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// analysis is what the generator learns from a dataset: the tables it reads
// and, per column, the values, dates and numbers the definition tests for.
type analysis struct {
	tables  map[string]*tableInfo
	order   []*tableInfo      // sorted by name
	dates   []model.CivilDate // every date constant in the definition
	inline  []int64           // patient ids of inline tables, sorted
	hasSeen map[model.ID]bool // nodes walked (in any role)
	popSeen map[model.ID]bool // nodes walked as part of the population
}

// tableInfo is one table the definition reads.
type tableInfo struct {
	table *model.Table
	inPop bool       // read by the population (or the additional constraint)
	cols  []*colInfo // schema order
	gen   []int      // generation order: DateAfter successors after predecessors
}

// colInfo is one column: its constraints and what the query says about it.
type colInfo struct {
	col model.Column
	idx int // position in the schema

	// Query-mentioned values: each In set or EQ literal is one group.
	popGroups, groups [][]any
	contains          []string          // StringContains fragments
	dates             []model.CivilDate // dates the column is compared with
	nums              []float64         // numbers the column is compared with
	refs              []model.CivilDate // dates the column is differenced with (AgeOn)

	notNull, alwaysNull, firstOfMonth bool
	cats                              []any // Categorical values (nil: none)
	hasCats                           bool
	crange                            *model.ClosedRange
	grange                            *model.GeneralRange
	re                                *syntax.Regexp
	after                             []int // DateAfter predecessors (column indexes)
}

func analyze(ds *model.Dataset, extra *model.Node) *analysis {
	a := &analysis{tables: map[string]*tableInfo{}, hasSeen: map[model.ID]bool{}, popSeen: map[model.ID]bool{}}
	a.walk(ds.Population, true)
	if extra != nil {
		a.walk(extra, true)
	}
	for _, v := range ds.Variables {
		a.walk(v.Series, false)
	}
	for _, e := range ds.Events {
		a.walk(e.Frame, false)
	}
	for _, t := range a.tables {
		a.order = append(a.order, t)
	}
	sort.Slice(a.order, func(i, j int) bool { return a.order[i].table.Name < a.order[j].table.Name })
	sort.Slice(a.inline, func(i, j int) bool { return a.inline[i] < a.inline[j] })
	a.inline = dedupInts(a.inline)
	sort.Slice(a.dates, func(i, j int) bool { return a.dates[i].Before(a.dates[j]) })
	for _, t := range a.order {
		t.finish()
	}
	return a
}

func dedupInts(xs []int64) []int64 {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func (a *analysis) table(t *model.Table) *tableInfo {
	if ti, ok := a.tables[t.Name]; ok {
		return ti
	}
	ti := &tableInfo{table: t}
	for i, c := range t.Columns {
		ti.cols = append(ti.cols, newColInfo(c, i))
	}
	a.tables[t.Name] = ti
	return ti
}

func newColInfo(c model.Column, idx int) *colInfo {
	ci := &colInfo{col: c, idx: idx}
	for _, k := range append(append([]model.Constraint{}, c.Constraints...), c.DummyDataConstraints...) {
		switch k := k.(type) {
		case model.NotNull:
			ci.notNull = true
		case model.FirstOfMonth:
			ci.firstOfMonth = true
		case model.Categorical:
			ci.hasCats = true
			ci.cats = nil
			for _, v := range k.Values {
				ci.cats = append(ci.cats, v.Go())
			}
			if len(k.Values) == 0 {
				ci.alwaysNull = true
			}
		case model.ClosedRange:
			r := k
			if r.Step <= 0 {
				r.Step = 1
			}
			ci.crange = &r
		case model.GeneralRange:
			r := k
			ci.grange = &r
		case model.Regex:
			if re, err := syntax.Parse(k.Pattern, syntax.Perl); err == nil {
				ci.re = re.Simplify()
			}
		}
	}
	return ci
}

// finish resolves DateAfter names and the generation order, and shares the
// dates a DateAfter successor is compared with with its predecessors, so
// that a whole chain of dates lands near the dates the query tests.
func (t *tableInfo) finish() {
	byName := map[string]int{}
	for i, c := range t.cols {
		byName[c.col.Name] = i
	}
	for _, c := range t.cols {
		c.popGroups = normalizeGroups(c.popGroups, nil)
		c.groups = normalizeGroups(c.groups, c.popGroups)
		for _, k := range c.col.DummyDataConstraints {
			if da, ok := k.(model.DateAfter); ok {
				for _, n := range da.Columns {
					if j, ok := byName[n]; ok {
						c.after = append(c.after, j)
					}
				}
			}
		}
	}
	for _, c := range t.cols {
		for _, j := range c.after {
			t.cols[j].dates = append(t.cols[j].dates, c.dates...)
		}
	}
	for i := range t.cols {
		t.gen = append(t.gen, i)
	}
	sort.SliceStable(t.gen, func(i, j int) bool { return len(t.cols[t.gen[i]].after) < len(t.cols[t.gen[j]].after) })
}

// walk visits the query graph once per role.
func (a *analysis) walk(n *model.Node, pop bool) {
	if n == nil {
		return
	}
	if a.popSeen[n.ID()] || (!pop && a.hasSeen[n.ID()]) {
		return
	}
	a.hasSeen[n.ID()] = true
	if pop {
		a.popSeen[n.ID()] = true
	}
	switch n.Op() {
	case model.OpSelectTable, model.OpSelectPatientTable:
		ti := a.table(n.Table())
		ti.inPop = ti.inPop || pop
	case model.OpInlinePatientTable:
		for _, r := range n.Rows() {
			if id, ok := r[0].Go().(int64); ok {
				a.inline = append(a.inline, id)
			}
		}
	case model.OpValue:
		if d, ok := n.Literal().Go().(model.CivilDate); ok {
			a.dates = append(a.dates, d)
		}
	case model.OpEQ, model.OpNE, model.OpLT, model.OpLE, model.OpGT, model.OpGE:
		a.compare(n.Op(), n.Arg(0), n.Arg(1), pop)
		a.compare(n.Op(), n.Arg(1), n.Arg(0), pop)
	case model.OpIn, model.OpStringContains:
		a.compare(n.Op(), n.Arg(0), n.Arg(1), pop)
	}
	for _, c := range n.Args() {
		a.walk(c, pop)
	}
}

// compare records that the query compares side (if it is a column, perhaps
// shifted) with other (if it is a constant).
func (a *analysis) compare(op model.Op, side, other *model.Node, pop bool) {
	v, ok := constOf(other)
	if !ok || v == nil {
		return
	}
	// A date difference between a column and a constant date, compared
	// with a number: the column lies about that many units from the date.
	if d, ok := v.(int64); ok {
		switch side.Op() {
		case model.OpDateDifferenceInDays, model.OpDateDifferenceInMonths, model.OpDateDifferenceInYears:
			for i := 0; i < 2; i++ {
				ci := a.column(side.Arg(i))
				c, ok := constOf(side.Arg(1 - i))
				cd, isDate := c.(model.CivilDate)
				if ci == nil || !ok || !isDate {
					continue
				}
				k := int(d)
				var lo, hi model.CivilDate
				switch side.Op() {
				case model.OpDateDifferenceInDays:
					lo, hi = cd.AddDays(-k), cd.AddDays(k)
				case model.OpDateDifferenceInMonths:
					lo, hi = cd.AddMonths(-k), cd.AddMonths(k)
				default:
					lo, hi = cd.AddYears(-k), cd.AddYears(k)
				}
				ci.dates = append(ci.dates, cd, lo, hi)
				ci.refs = append(ci.refs, cd)
			}
			return
		case model.OpYearFromDate:
			if ci := a.column(side.Arg(0)); ci != nil && d > 0 && d < 10000 {
				ci.dates = append(ci.dates, model.CivilDate{Year: int(d), Month: 1, Day: 1}, model.CivilDate{Year: int(d), Month: 12, Day: 31})
			}
			return
		}
	}
	// Peel shifts and truncations off a date column.
	shift := func(d model.CivilDate) model.CivilDate { return d }
	for {
		switch side.Op() {
		case model.OpDateAddDays, model.OpDateAddMonths, model.OpDateAddYears:
			k, ok := constOf(side.Arg(1))
			ki, isInt := k.(int64)
			if !ok || !isInt {
				return
			}
			prev, op := shift, side.Op()
			shift = func(d model.CivilDate) model.CivilDate {
				switch op {
				case model.OpDateAddDays:
					d = d.AddDays(-int(ki))
				case model.OpDateAddMonths:
					d = d.AddMonths(-int(ki))
				default:
					d = d.AddYears(-int(ki))
				}
				return prev(d)
			}
			side = side.Arg(0)
			continue
		case model.OpToFirstOfMonth, model.OpToFirstOfYear, model.OpCastToFloat, model.OpCastToInt:
			side = side.Arg(0)
			continue
		}
		break
	}
	ci := a.column(side)
	if ci == nil {
		return
	}
	switch x := v.(type) {
	case model.CivilDate:
		ci.dates = append(ci.dates, shift(x))
	case int64:
		ci.nums = append(ci.nums, float64(x))
		if op == model.OpEQ {
			ci.addGroup([]any{x}, pop)
		}
	case float64:
		ci.nums = append(ci.nums, x)
	case bool:
	case string:
		switch op {
		case model.OpStringContains:
			ci.contains = append(ci.contains, x)
		case model.OpEQ, model.OpNE:
			ci.addGroup([]any{x}, pop)
		}
	case []model.Literal:
		var g []any
		for _, m := range x {
			switch mv := m.Go().(type) {
			case model.CivilDate:
				ci.dates = append(ci.dates, mv)
			case int64:
				ci.nums = append(ci.nums, float64(mv))
				g = append(g, mv)
			case float64:
				ci.nums = append(ci.nums, mv)
			case string:
				g = append(g, mv)
			}
		}
		if len(g) > 0 {
			ci.addGroup(g, pop)
		}
	}
}

// normalizeGroups merges single values (EQ literals, such as the arms of
// a codelist's to_category case) into one group, and drops repeated
// groups (a codelist used twice) and groups already in skip.
func normalizeGroups(groups, skip [][]any) [][]any {
	var singles []any
	var out [][]any
	seen := map[string]bool{}
	for _, g := range skip {
		seen[groupKey(g)] = true
	}
	add := func(g []any) {
		if k := groupKey(g); !seen[k] {
			seen[k] = true
			out = append(out, g)
		}
	}
	for _, g := range groups {
		if len(g) == 1 {
			singles = append(singles, g[0])
			continue
		}
		add(g)
	}
	if len(singles) > 0 {
		add(singles)
	}
	return out
}

func groupKey(g []any) string {
	parts := make([]string, len(g))
	for i, v := range g {
		parts[i] = fmt.Sprintf("%T:%v", v, v)
	}
	sort.Strings(parts)
	parts = slices.Compact(parts)
	return strings.Join(parts, "\x00")
}

func (c *colInfo) addGroup(g []any, pop bool) {
	if pop {
		c.popGroups = append(c.popGroups, g)
	} else {
		c.groups = append(c.groups, g)
	}
}

// column returns the column a SelectColumn node reads, if n is one on a
// catalogue (non-inline) table.
func (a *analysis) column(n *model.Node) *colInfo {
	if n == nil || n.Op() != model.OpSelectColumn {
		return nil
	}
	src := n.Arg(0)
	t := src.Table()
	if t == nil {
		return nil
	}
	// Inline tables hold their own data.
	for f := src; f != nil; {
		if f.Op() == model.OpInlinePatientTable {
			return nil
		}
		if len(f.Args()) == 0 {
			break
		}
		f = f.Arg(0)
	}
	ti := a.table(t)
	for _, c := range ti.cols {
		if c.col.Name == n.Name() {
			return c
		}
	}
	return nil
}

// constOf folds a constant expression: a Value, or a function of constants.
func constOf(n *model.Node) (v any, ok bool) {
	if n == nil {
		return nil, false
	}
	switch {
	case n.Op() == model.OpValue:
		return n.Literal().Go(), true
	case n.Op().IsFunction():
		args := make([]any, len(n.Args()))
		for i, c := range n.Args() {
			x, ok := constOf(c)
			if !ok || x == nil {
				return nil, false
			}
			args[i] = x
		}
		defer func() {
			if recover() != nil {
				v, ok = nil, false
			}
		}()
		v, ok, err := model.EvalFunction(n.Op(), args)
		if !ok || err != nil {
			return nil, false
		}
		return v, true
	}
	return nil, false
}
