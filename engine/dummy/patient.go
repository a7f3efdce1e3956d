package dummy

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/ehrql-go/ehrql/query/model"
)

// Tuning of the generator.
const (
	eventsMean     = 4.0  // Poisson mean of rows per patient in event tables
	patientRowProb = 0.85 // chance that a patient has a row in a one-row-per-patient table
	deadProb       = 0.12 // chance that a patient has died
	nullProb       = 0.05 // chance of NULL in a nullable column
	mentionedProb  = 0.8  // chance of using a query-mentioned value when there are some
	nearDateProb   = 0.8  // chance of a date near the dates the query tests
	maxAge         = 100  // ages run from 0 to maxAge years on the reference date
)

// generator makes patients from an analysis.
type generator struct {
	a     *analysis
	seed  int64
	today model.CivilDate
	ref   model.CivilDate // reference date for ages
	// window of "interesting" dates: around every date the definition uses.
	lo, hi model.CivilDate
}

func newGenerator(a *analysis, seed int64, today model.CivilDate) *generator {
	g := &generator{a: a, seed: seed, today: today}
	if n := len(a.dates); n > 0 {
		if last := a.dates[n-1].AddYears(1); today.Before(last) {
			g.today = last
		}
	}
	// Ages are worked out on the dates the date of birth is compared with
	// (AgeOn), else on the latest date in the definition, else today.
	g.ref = g.today
	if n := len(a.dates); n > 0 {
		g.ref = a.dates[n-1]
	}
	for _, t := range a.order {
		for _, c := range t.cols {
			if c.col.Name == "date_of_birth" && len(c.refs) > 0 {
				g.ref = maxDate(c.refs)
			}
		}
	}
	if g.today.Before(g.ref) {
		g.ref = g.today
	}
	return g
}

// facts are the things every table agrees on about one patient.
type facts struct {
	dob, end model.CivilDate  // birth; end of records: death or today
	dod      *model.CivilDate // nil: alive
}

// patient generates candidate k: its rows per table (in analysis order),
// each row patient_id then the table's columns. It depends only on the
// seed and k.
func (g *generator) patient(k int64, id int64) [][][]any {
	src := rand.NewPCG(uint64(g.seed), uint64(k))
	r := rand.New(src)
	f := g.facts(r)
	out := make([][][]any, len(g.a.order))
	for ti, t := range g.a.order {
		n := 0
		switch {
		case hasColumn(t, "date_of_birth") && t.table.PatientLevel:
			n = 1
		case t.table.Name == "ons_deaths":
			// Registered deaths, within the table's date range.
			if f.dod != nil && g.inRange(t, "date", *f.dod) {
				n = 1
			}
		case t.table.Name == "practice_registrations":
			n = 1
			if r.Float64() < 0.05 {
				n = 0
			} else if r.Float64() < 0.1 {
				n = 2
			}
		case t.table.PatientLevel:
			if r.Float64() < patientRowProb {
				n = 1
			}
		default:
			n = int(distuv.Poisson{Lambda: eventsMean, Src: src}.Rand())
		}
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = g.row(r, t, f, id, i)
		}
		out[ti] = rows
	}
	return out
}

// inRange reports whether d satisfies the GeneralRange of t's named column.
func (g *generator) inRange(t *tableInfo, name string, d model.CivilDate) bool {
	for _, c := range t.cols {
		if c.col.Name == name {
			if fixed, ok := g.fixDate(c, d, facts{}).(model.CivilDate); ok {
				return fixed == d || c.firstOfMonth
			}
		}
	}
	return true
}

func hasColumn(t *tableInfo, name string) bool {
	for _, c := range t.cols {
		if c.col.Name == name {
			return true
		}
	}
	return false
}

func (g *generator) facts(r *rand.Rand) facts {
	ageDays := int(r.Float64() * maxAge * 365.25)
	dob := g.ref.AddDays(-ageDays)
	if g.today.Before(dob) {
		dob = g.today
	}

	f := facts{dob: dob, end: g.today}
	if r.Float64() < deadProb {
		from := g.ref.AddYears(-3)
		if from.Before(dob) {
			from = dob
		}
		d := from.AddDays(r.IntN(g.today.DaysSince(from) + 1))
		f.dod = &d
		f.end = d
	}
	return f
}

func (g *generator) row(r *rand.Rand, t *tableInfo, f facts, id int64, i int) []any {
	row := make([]any, len(t.cols)+1)
	row[0] = id
	for _, ci := range t.gen {
		c := t.cols[ci]
		row[ci+1] = g.value(r, t, c, f, row, i)
	}
	return row
}

// value generates one cell.
func (g *generator) value(r *rand.Rand, t *tableInfo, c *colInfo, f facts, row []any, rowIndex int) any {
	if c.alwaysNull {
		return nil
	}
	kind := c.col.Type.Kind
	if kind == model.KindDate {
		switch {
		case c.col.Name == "date_of_birth":
			return g.fixDate(c, f.dob, f)
		case c.col.Name == "date_of_death" || (t.table.Name == "ons_deaths" && c.col.Name == "date"):
			if f.dod == nil {
				return nil
			}
			return g.fixDate(c, *f.dod, f)
		case t.table.Name == "practice_registrations" && c.col.Name == "start_date":
			// Registered from some time between birth and a year after
			// the reference date; a second registration starts later.
			from := f.dob
			if rowIndex > 0 {
				from = g.ref.AddYears(-1)
			}
			span := g.ref.AddYears(1).DaysSince(from)
			if span < 1 {
				span = 1
			}
			d := from.AddDays(r.IntN(span))
			if f.end.Before(d) {
				d = f.end
			}
			return g.fixDate(c, d, f)
		}
	}
	if !c.notNull && r.Float64() < nullProb {
		return nil
	}
	if c.hasCats {
		return g.categorical(r, c)
	}
	switch kind {
	case model.KindBool:
		return r.IntN(2) == 1
	case model.KindInt:
		return g.intValue(r, c)
	case model.KindFloat:
		return g.floatValue(r, c)
	case model.KindDate:
		return g.dateValue(r, c, f, row)
	case model.KindStr, model.KindCode:
		if v, ok := g.mentioned(r, c); ok {
			return v
		}
		switch {
		case len(c.contains) > 0 && r.Float64() < mentionedProb:
			return randomString(r, 0, 4) + c.contains[r.IntN(len(c.contains))] + randomString(r, 1, 4)
		case c.re != nil:
			return regexString(r, c.re)
		case kind == model.KindCode:
			if re, ok := codePatterns[string(c.col.Type.System)]; ok {
				return regexString(r, re)
			}
		}
		return randomString(r, 1, 12)
	case model.KindMultiCode:
		n := 1 + r.IntN(3)
		codes := make([]string, n)
		sys := "ICD10Code"
		if strings.HasPrefix(string(c.col.Type.System), "OPCS4") {
			sys = "OPCS4Code"
		}
		for i := range codes {
			if len(c.contains) > 0 && r.Float64() < 0.5 {
				p := c.contains[r.IntN(len(c.contains))]
				codes[i] = p + strconv.Itoa(r.IntN(10))
			} else {
				codes[i] = regexString(r, codePatterns[sys])
			}
		}
		return strings.Join(codes, "||")
	}
	return nil
}

// mentioned picks one of the values the query tests the column for:
// a group (In set or EQ literal) then a member, favouring the groups the
// population tests.
func (g *generator) mentioned(r *rand.Rand, c *colInfo) (any, bool) {
	if len(c.popGroups)+len(c.groups) == 0 || r.Float64() >= mentionedProb {
		return nil, false
	}
	groups := c.groups
	if len(c.popGroups) > 0 && (len(c.groups) == 0 || r.IntN(2) == 0) {
		groups = c.popGroups
	}
	grp := groups[r.IntN(len(groups))]
	return grp[r.IntN(len(grp))], true
}

func (g *generator) categorical(r *rand.Rand, c *colInfo) any {
	if v, ok := g.mentioned(r, c); ok && r.IntN(2) == 0 {
		for _, x := range c.cats {
			if x == v {
				return v
			}
		}
	}
	return c.cats[r.IntN(len(c.cats))]
}

func (g *generator) intValue(r *rand.Rand, c *colInfo) any {
	if v, ok := g.mentioned(r, c); ok && r.IntN(2) == 0 {
		if x, ok := v.(int64); ok && c.okInt(x) {
			return x
		}
	}
	if cr := c.crange; cr != nil {
		steps := (cr.Max - cr.Min) / cr.Step
		if len(c.nums) > 0 && r.IntN(2) == 0 {
			x := c.nums[r.IntN(len(c.nums))] + r.NormFloat64()*float64(3*cr.Step)
			k := int64(math.Round((x - float64(cr.Min)) / float64(cr.Step)))
			k = max(0, min(steps, k))
			return cr.Min + k*cr.Step
		}
		return cr.Min + r.Int64N(steps+1)*cr.Step
	}
	var x int64
	if len(c.nums) > 0 && r.Float64() < mentionedProb {
		x = int64(math.Round(c.nums[r.IntN(len(c.nums))])) + int64(r.IntN(7)) - 3
	} else {
		x = int64(r.IntN(100))
	}
	return c.clampInt(x)
}

func (c *colInfo) okInt(x int64) bool {
	if c.crange != nil && (x < c.crange.Min || x > c.crange.Max) {
		return false
	}
	return c.clampInt(x) == x
}

func (c *colInfo) clampInt(x int64) int64 {
	if gr := c.grange; gr != nil {
		if gr.Min != nil {
			if lo, ok := gr.Min.Go().(int64); ok {
				if !gr.IncludesMinimum {
					lo++
				}
				x = max(x, lo)
			}
		}
		if gr.Max != nil {
			if hi, ok := gr.Max.Go().(int64); ok {
				if !gr.IncludesMaximum {
					hi--
				}
				x = min(x, hi)
			}
		}
	}
	return x
}

func (g *generator) floatValue(r *rand.Rand, c *colInfo) any {
	var x float64
	if len(c.nums) > 0 && r.Float64() < mentionedProb {
		n := c.nums[r.IntN(len(c.nums))]
		x = n + r.NormFloat64()*math.Max(1, math.Abs(n)*0.2)
	} else {
		x = r.Float64() * 100
	}
	x = math.Round(x*100) / 100
	if gr := c.grange; gr != nil {
		if gr.Min != nil {
			if lo, ok := gr.Min.Go().(float64); ok && x < lo {
				x = lo
			}
		}
		if gr.Max != nil {
			if hi, ok := gr.Max.Go().(float64); ok && x > hi {
				x = hi
			}
		}
	}
	return x
}

// dateValue: a DateAfter successor follows its latest predecessor by a few
// days; other dates land near the dates the query tests the column with
// (or any date the definition uses), or anywhere in the patient's life.
func (g *generator) dateValue(r *rand.Rand, c *colInfo, f facts, row []any) any {
	var base *model.CivilDate
	for _, j := range c.after {
		if d, ok := row[j+1].(model.CivilDate); ok && (base == nil || base.Before(d)) {
			base = &d
		}
	}
	if base != nil {
		d := base.AddDays(int(r.ExpFloat64() * 5))
		return g.fixDate(c, d, f)
	}
	anchors := c.dates
	if len(anchors) == 0 {
		anchors = g.a.dates
	}
	var d model.CivilDate
	if len(anchors) > 0 && r.Float64() < nearDateProb {
		lo, hi := minDate(anchors), maxDate(anchors)
		pad := max(30, hi.DaysSince(lo)/4)
		lo = lo.AddDays(-pad)
		d = lo.AddDays(r.IntN(hi.AddDays(pad).DaysSince(lo) + 1))
		// A patient cannot have records outside their life: try once
		// more within it.
		if d.Before(f.dob) || f.end.Before(d) {
			d = f.dob.AddDays(r.IntN(f.end.DaysSince(f.dob) + 1))
		}
	} else {
		d = f.dob.AddDays(r.IntN(f.end.DaysSince(f.dob) + 1))
	}
	return g.fixDate(c, d, f)
}

// fixDate applies the column's date constraints.
func (g *generator) fixDate(c *colInfo, d model.CivilDate, f facts) any {
	if gr := c.grange; gr != nil {
		if gr.Min != nil {
			if lo, ok := gr.Min.Go().(model.CivilDate); ok {
				if !gr.IncludesMinimum {
					lo = lo.AddDays(1)
				}
				if d.Before(lo) {
					d = lo
				}
			}
		}
		if gr.Max != nil {
			if hi, ok := gr.Max.Go().(model.CivilDate); ok {
				if !gr.IncludesMaximum {
					hi = hi.AddDays(-1)
				}
				if hi.Before(d) {
					d = hi
				}
			}
		}
	}
	if c.firstOfMonth {
		d.Day = 1
	}
	return d
}

func minDate(ds []model.CivilDate) model.CivilDate {
	m := ds[0]
	for _, d := range ds[1:] {
		if d.Before(m) {
			m = d
		}
	}
	return m
}

func maxDate(ds []model.CivilDate) model.CivilDate {
	m := ds[0]
	for _, d := range ds[1:] {
		if m.Before(d) {
			m = d
		}
	}
	return m
}

const strChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.+_-"

func randomString(r *rand.Rand, lo, hi int) string {
	n := lo + r.IntN(hi-lo+1)
	b := make([]byte, n)
	for i := range b {
		b[i] = strChars[r.IntN(len(strChars))]
	}
	return string(b)
}
