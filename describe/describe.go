// Package describe summarises a dataset — every column of every table of
// it — as a one-page HTML report: type, NULLs, distinct values, range and a
// histogram or bar chart, so a dataset can be checked by eye. With
// disclosure control every count is rounded as measures' are, and ranges
// are withheld, so that the report can be released.
package describe

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/ehrql-go/ehrql/internal/resultfile"
	"github.com/ehrql-go/ehrql/measures/sdc"
)

// MaxBars is the most bars a chart has: the most common values of a
// column (the rest summed into one "other" bar), or histogram bins.
const MaxBars = 20

// Bar is one bar of a chart: a value (or a range of values) and its count.
type Bar struct {
	Label string
	Count int64
}

// Column summarises one column.
type Column struct {
	Name string
	// Type is the column's kind, or "category" for a column with a fixed
	// set of values.
	Type                  string
	Rows, Nulls, Distinct int64
	// Min and Max are the smallest and largest values (numbers and dates),
	// "" when withheld or not ordered.
	Min, Max string
	// Histogram says Bars are ranges of values, not single values.
	Histogram bool
	Bars      []Bar
}

// Table summarises one table (file) of a dataset.
type Table struct {
	Name    string
	Rows    int64
	Columns []Column
}

// Report is the whole report.
type Report struct {
	Title             string
	DisclosureControl bool
	Tables            []Table
}

// Summarise describes a table. With disclosure control every count is
// rounded (sdc.Round) and ranges are withheld.
func Summarise(name string, t *resultfile.Table, disclosureControl bool) Table {
	out := Table{Name: name, Rows: count(int64(t.Rows), disclosureControl)}
	for i := range t.Columns {
		out.Columns = append(out.Columns, summariseColumn(&t.Columns[i], disclosureControl))
	}
	return out
}

func count(n int64, sdcOn bool) int64 {
	if sdcOn {
		return sdc.Round(n)
	}
	return n
}

func summariseColumn(c *resultfile.Column, sdcOn bool) Column {
	s := Column{Name: c.Name, Type: c.Kind.String(), Rows: int64(len(c.Values))}
	if c.Categories != nil {
		s.Type = "category"
	}
	freq := map[string]int64{}
	for j, v := range c.Values {
		if c.Null[j] {
			s.Nulls++
			continue
		}
		freq[v]++
	}
	s.Distinct = int64(len(freq))
	ordered := c.Kind == resultfile.Int || c.Kind == resultfile.Float || c.Kind == resultfile.Date
	var nums []float64  // numbers, or dates as days since 1970
	var min, max string // as written
	if ordered {
		for v, n := range freq {
			x := number(c.Kind, v)
			if len(nums) == 0 || x < number(c.Kind, min) {
				min = v
			}
			if len(nums) == 0 || x > number(c.Kind, max) {
				max = v
			}
			for k := int64(0); k < n; k++ {
				nums = append(nums, x)
			}
		}
		slices.Sort(nums)
	}
	switch {
	case c.Name == "patient_id":
		// Identifiers: their spread says nothing.
	case ordered && len(freq) > MaxBars:
		s.Histogram = true
		s.Bars = histogram(c.Kind, nums)
	case ordered:
		for v, n := range freq {
			s.Bars = append(s.Bars, Bar{v, n})
		}
		sort.Slice(s.Bars, func(i, j int) bool { return number(c.Kind, s.Bars[i].Label) < number(c.Kind, s.Bars[j].Label) })
	default:
		s.Bars = topValues(freq, c.Categories)
	}
	if ordered && len(nums) > 0 && !sdcOn {
		s.Min, s.Max = min, max
	}
	if s.Nulls > 0 && c.Name != "patient_id" {
		s.Bars = append(s.Bars, Bar{"(missing)", s.Nulls})
	}
	s.Rows, s.Nulls, s.Distinct = count(s.Rows, sdcOn), count(s.Nulls, sdcOn), count(s.Distinct, sdcOn)
	for i := range s.Bars {
		s.Bars[i].Count = count(s.Bars[i].Count, sdcOn)
	}
	return s
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// number reads an ordered value: a number, or a date as days since 1970.
func number(k resultfile.Kind, v string) float64 {
	if k == resultfile.Date {
		d, _ := time.Parse(time.DateOnly, v)
		return math.Round(d.Sub(epoch).Hours() / 24)
	}
	f, _ := strconv.ParseFloat(v, 64)
	return f
}

func spell(k resultfile.Kind, x float64) string {
	switch k {
	case resultfile.Date:
		return epoch.AddDate(0, 0, int(x)).Format(time.DateOnly)
	case resultfile.Int:
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// histogram counts sorted values in MaxBars equal ranges [lo, hi), the
// last one closed.
func histogram(k resultfile.Kind, sorted []float64) []Bar {
	lo, hi := sorted[0], sorted[len(sorted)-1]
	width := (hi - lo) / MaxBars
	bars := make([]Bar, MaxBars)
	for i := range bars {
		from, to := lo+float64(i)*width, lo+float64(i+1)*width
		bars[i].Label = spell(k, from) + " – " + spell(k, to)
	}
	for _, x := range sorted {
		i := int((x - lo) / width)
		if i >= MaxBars {
			i = MaxBars - 1
		}
		bars[i].Count++
	}
	return bars
}

// topValues are the most common values (all of a category's, in their
// order, when there are few enough), the rest as "other".
func topValues(freq map[string]int64, categories []string) []Bar {
	var bars []Bar
	if categories != nil && len(categories) <= MaxBars {
		for _, c := range categories {
			bars = append(bars, Bar{c, freq[c]})
		}
		return bars
	}
	for v, n := range freq {
		bars = append(bars, Bar{v, n})
	}
	sort.Slice(bars, func(i, j int) bool {
		if bars[i].Count != bars[j].Count {
			return bars[i].Count > bars[j].Count
		}
		return bars[i].Label < bars[j].Label
	})
	if len(bars) > MaxBars {
		var other int64
		for _, b := range bars[MaxBars-1:] {
			other += b.Count
		}
		bars = append(bars[:MaxBars-1], Bar{fmt.Sprintf("other (%d values)", len(bars)-MaxBars+1), other})
	}
	return bars
}

// barWidth is the width of the chart area, in pixels.
const barWidth = 280

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"width": func(n int64, bars []Bar) int {
		var max int64
		for _, b := range bars {
			max = maxInt(max, b.Count)
		}
		if max == 0 {
			return 0
		}
		return int(math.Round(float64(n) / float64(max) * barWidth))
	},
	"height": func(bars []Bar) int { return 16 * len(bars) },
	"y":      func(i int) int { return 16 * i },
	"ty":     func(i int) int { return 16*i + 12 },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 2em; max-width: 75em; }
table { border-collapse: collapse; margin-bottom: 2em; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3em 0.8em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.warning { background: #fff3cd; padding: 0.6em; }
.released { background: #d1e7dd; padding: 0.6em; }
svg text { font-size: 11px; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .DisclosureControl}}<p class="released">Disclosure control is applied: every count is rounded as measures' counts are (7 or less as 0, the rest to the nearest 5), and ranges are withheld.</p>
{{else}}<p class="warning"><strong>This report holds unrounded counts and the range of every column.</strong> Do not release it; run <code>ehrql describe --disclosure-control</code> for a report that can be released.</p>
{{end}}{{range .Tables}}<h2 id="{{.Name}}">{{.Name}}</h2>
<p><span class="rows">{{.Rows}}</span> rows, {{len .Columns}} columns.</p>
<table>
<tr><th>column</th><th>type</th><th>missing</th><th>distinct</th><th>min</th><th>max</th><th>values</th></tr>
{{range .Columns}}<tr data-column="{{.Name}}">
<td>{{.Name}}</td><td>{{.Type}}</td><td class="n nulls">{{.Nulls}}</td><td class="n distinct">{{.Distinct}}</td><td class="min">{{.Min}}</td><td class="max">{{.Max}}</td>
<td>{{$bars := .Bars}}{{if .Bars}}<svg width="500" height="{{height .Bars}}" role="img" aria-label="{{if .Histogram}}histogram{{else}}values{{end}} of {{.Name}}">
{{range $i, $b := .Bars}}<g class="bar"><title>{{$b.Label}}: {{$b.Count}}</title><text x="0" y="{{ty $i}}">{{$b.Label}}</text><rect x="170" y="{{y $i}}" width="{{width $b.Count $bars}}" height="13" fill="#4e79a7"></rect><text x="{{width $b.Count $bars}}" dx="176" y="{{ty $i}}">{{$b.Count}}</text></g>
{{end}}</svg>{{end}}</td>
</tr>
{{end}}</table>
{{end}}</body>
</html>
`))

func maxInt(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// WriteHTML writes the report as one HTML page.
func (r Report) WriteHTML(w io.Writer) error { return page.Execute(w, r) }
