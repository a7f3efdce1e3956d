// Package charts draws measures results: for each measure, its ratio over
// the intervals — one line per group, or deciles across groups when there
// are many (practices, say) — and its numerator and denominator, as SVG
// and PNG, with an index.html that shows them all.
//
// Values withheld by disclosure control are drawn as gaps, never as
// zeros: with disclosure control every count of 7 or less is released as
// 0, so a point whose numerator or denominator is 0, or whose ratio is
// missing, has no value to draw (Options.ZeroIsValue says otherwise, for
// results produced with disclosure control off).
package charts

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ehrql-go/ehrql/internal/resultfile"
)

// MaxLines is the most groups drawn as lines of their own; the others are
// summed into one "other" line.
const MaxLines = 8

// DecileGroups is the number of groups above which a measure is drawn as
// deciles across groups instead of a line per group.
const DecileGroups = 20

// Options change how results are read.
type Options struct {
	// ZeroIsValue: the results were released without disclosure control,
	// so a count of 0 is a real zero.
	ZeroIsValue bool
}

// Point is one interval of one line.
type Point struct {
	Start time.Time
	// Value is the ratio (or count); NaN where there is nothing to draw.
	Value float64
}

// Line is one drawn line: a group, "other", a decile or a count.
type Line struct {
	Label  string
	Points []Point
	// Dashed lines are secondary (the deciles other than the median).
	Dashed bool
}

// Chart is what is drawn for one measure.
type Chart struct {
	Measure string
	// GroupBy are the columns the measure is broken down by.
	GroupBy []string
	// Groups is the number of groups in the results (1 when ungrouped).
	Groups int
	// Deciles says Ratio holds deciles across groups.
	Deciles bool
	// Intervals are the interval start dates, in order.
	Intervals []time.Time
	// Ratio are the lines of the ratio chart; Counts the numerator and
	// denominator, summed over the groups.
	Ratio, Counts []Line
}

// fixed are the measures table's own columns; the rest are groups.
var fixed = []string{"measure", "interval_start", "interval_end", "ratio", "numerator", "denominator"}

type row struct {
	start    time.Time
	group    string
	ratio    float64 // NaN: withheld
	num, den float64 // NaN: withheld
}

// Build reads the charts of every measure in a measures table, in the
// order the measures first appear.
func Build(t *resultfile.Table, opts Options) ([]Chart, error) {
	cols := map[string]*resultfile.Column{}
	for _, name := range fixed {
		c := t.Column(name)
		if c == nil {
			return nil, fmt.Errorf("%s is not a measures table: it has no %q column", t.Path, name)
		}
		cols[name] = c
	}
	var groupCols []*resultfile.Column
	for i := range t.Columns {
		if !slices.Contains(fixed, t.Columns[i].Name) {
			groupCols = append(groupCols, &t.Columns[i])
		}
	}
	var order []string
	rows := map[string][]row{}
	used := map[string][]bool{} // measure → which group columns it uses
	for i := 0; i < t.Rows; i++ {
		m := cols["measure"].Values[i]
		if _, ok := rows[m]; !ok {
			order = append(order, m)
			used[m] = make([]bool, len(groupCols))
		}
		start, err := time.Parse(time.DateOnly, cols["interval_start"].Values[i])
		if err != nil {
			return nil, fmt.Errorf("%s row %d: interval_start %q is not a date", t.Path, i+2, cols["interval_start"].Values[i])
		}
		r := row{start: start}
		if r.num, err = count(cols["numerator"], i, opts); err != nil {
			return nil, fmt.Errorf("%s row %d: %w", t.Path, i+2, err)
		}
		if r.den, err = count(cols["denominator"], i, opts); err != nil {
			return nil, fmt.Errorf("%s row %d: %w", t.Path, i+2, err)
		}
		r.ratio = math.NaN()
		if v := cols["ratio"].Values[i]; !cols["ratio"].Null[i] && !math.IsNaN(r.num) && !math.IsNaN(r.den) {
			if r.ratio, err = strconv.ParseFloat(v, 64); err != nil {
				return nil, fmt.Errorf("%s row %d: ratio %q is not a number", t.Path, i+2, v)
			}
		}
		var key []string
		for j, g := range groupCols {
			if !g.Null[i] {
				used[m][j] = true
			}
			key = append(key, g.Values[i])
		}
		r.group = strings.Join(key, "\x00")
		rows[m] = append(rows[m], r)
	}
	var charts []Chart
	for _, m := range order {
		var groupBy []string
		var usedIdx []int
		for j, g := range groupCols {
			if used[m][j] {
				groupBy = append(groupBy, g.Name)
				usedIdx = append(usedIdx, j)
			}
		}
		charts = append(charts, build(m, groupBy, usedIdx, rows[m]))
	}
	return charts, nil
}

// count reads a numerator or denominator: NaN when withheld.
func count(c *resultfile.Column, i int, opts Options) (float64, error) {
	if c.Null[i] {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(c.Values[i], 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number", c.Name, c.Values[i])
	}
	if v == 0 && !opts.ZeroIsValue {
		return math.NaN(), nil
	}
	return v, nil
}

func build(measure string, groupBy []string, usedIdx []int, rows []row) Chart {
	c := Chart{Measure: measure, GroupBy: groupBy}
	index := map[time.Time]int{}
	for _, r := range rows {
		if _, ok := index[r.start]; !ok {
			index[r.start] = 0
			c.Intervals = append(c.Intervals, r.start)
		}
	}
	sort.Slice(c.Intervals, func(i, j int) bool { return c.Intervals[i].Before(c.Intervals[j]) })
	for i, s := range c.Intervals {
		index[s] = i
	}
	n := len(c.Intervals)
	nan := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.NaN()
		}
		return v
	}
	type group struct {
		label          string
		ratio          []float64
		num, den       []float64
		denominatorSum float64
	}
	groups := map[string]*group{}
	var keys []string
	for _, r := range rows {
		g, ok := groups[r.group]
		if !ok {
			g = &group{label: label(r.group, groupBy, usedIdx), ratio: nan(), num: nan(), den: nan()}
			groups[r.group] = g
			keys = append(keys, r.group)
		}
		i := index[r.start]
		g.ratio[i], g.num[i], g.den[i] = r.ratio, r.num, r.den
		if !math.IsNaN(r.den) {
			g.denominatorSum += r.den
		}
	}
	c.Groups = len(keys)
	all := make([]*group, 0, len(keys))
	for _, k := range keys {
		all = append(all, groups[k])
	}
	// Counts: numerator and denominator summed over the groups; withheld
	// where every group's is.
	c.Counts = []Line{{Label: "numerator"}, {Label: "denominator"}}
	for i, start := range c.Intervals {
		c.Counts[0].Points = append(c.Counts[0].Points, Point{start, sumAt(all, i, func(g *group) []float64 { return g.num })})
		c.Counts[1].Points = append(c.Counts[1].Points, Point{start, sumAt(all, i, func(g *group) []float64 { return g.den })})
	}
	switch {
	case c.Groups > DecileGroups:
		c.Deciles = true
		for d := 1; d <= 9; d++ {
			l := Line{Label: ordinal(d*10) + " percentile", Dashed: d != 5}
			if d == 5 {
				l.Label = "median"
			}
			for i, start := range c.Intervals {
				var vals []float64
				for _, g := range all {
					if !math.IsNaN(g.ratio[i]) {
						vals = append(vals, g.ratio[i])
					}
				}
				l.Points = append(l.Points, Point{start, percentile(vals, float64(d)/10)})
			}
			c.Ratio = append(c.Ratio, l)
		}
	default:
		// The largest groups (by denominator) are drawn on their own, in
		// label order; the rest are summed into "other".
		sort.SliceStable(all, func(i, j int) bool { return all[i].denominatorSum > all[j].denominatorSum })
		own, rest := all, []*group(nil)
		if len(all) > MaxLines {
			own, rest = all[:MaxLines-1], all[MaxLines-1:]
		}
		own = slices.Clone(own)
		sort.SliceStable(own, func(i, j int) bool { return own[i].label < own[j].label })
		for _, g := range own {
			l := Line{Label: g.label}
			for i, start := range c.Intervals {
				l.Points = append(l.Points, Point{start, g.ratio[i]})
			}
			c.Ratio = append(c.Ratio, l)
		}
		if len(rest) > 0 {
			l := Line{Label: fmt.Sprintf("other (%d groups)", len(rest))}
			for i, start := range c.Intervals {
				num := sumAt(rest, i, func(g *group) []float64 { return g.num })
				den := sumAt(rest, i, func(g *group) []float64 { return g.den })
				l.Points = append(l.Points, Point{start, num / den})
			}
			c.Ratio = append(c.Ratio, l)
		}
	}
	return c
}

// sumAt adds the values of interval i over the groups: NaN when none has
// one.
func sumAt[G any](groups []G, i int, values func(G) []float64) float64 {
	sum, any := 0.0, false
	for _, g := range groups {
		if v := values(g)[i]; !math.IsNaN(v) {
			sum, any = sum+v, true
		}
	}
	if !any {
		return math.NaN()
	}
	return sum
}

// label names a group by its values ("(missing)" for NULL), with the
// column names when there are several.
func label(key string, groupBy []string, usedIdx []int) string {
	if len(groupBy) == 0 {
		return "all"
	}
	values := strings.Split(key, "\x00")
	var parts []string
	for k, j := range usedIdx {
		v := values[j]
		if v == "" {
			v = "(missing)"
		}
		if len(groupBy) > 1 {
			v = groupBy[k] + "=" + v
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, ", ")
}

// percentile is the q-quantile of vals by linear interpolation between
// closest ranks; NaN for no values.
func percentile(vals []float64, q float64) float64 {
	if len(vals) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

func ordinal(n int) string {
	return strconv.Itoa(n) + "th"
}
