package memory

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// MeasureRow is one row of measures' raw results: the sums of one
// measure's numerator and denominator over the patients of one group in
// one interval, before disclosure control.
type MeasureRow struct {
	Measure     string
	Start, End  model.CivilDate
	Numerator   int64
	Denominator int64
	// Groups are the values of the measure's group_by series, in its
	// order (nil for NULL).
	Groups []any
}

// RunMeasures evaluates measures directly, as ehrQL does: for each measure
// and each of its intervals, a dataset whose population is the denominator
// (true, or greater than 0) and whose variables are the numerator, the
// denominator and the group_by series, each with the interval's dates in
// place of the interval parameters, is evaluated (as Run evaluates, over
// every patient in the data); then the numerator (true counts 1, NULL
// nothing) and the denominator are summed over the population, per group.
// NULL is a group of its own, NaN is one group and -0.0 groups with 0.0.
//
// Rows come by measure, then interval, in the order given, then group in
// order of each group's first patient. A group appears only if some
// patient is in it. A sum outside the range of an int is an *Error of kind
// model.ErrOverflow.
func RunMeasures(ms []model.Measure, data Data, opts Options) ([]MeasureRow, error) {
	for _, m := range ms {
		if err := checkMeasure(m); err != nil {
			return nil, fmt.Errorf("measure %s: %w", m.Name, err)
		}
	}
	var out []MeasureRow
	for _, m := range ms {
		for _, iv := range m.Intervals {
			rows, err := measureInterval(m, iv, ms, data, opts)
			if err != nil {
				return nil, err
			}
			out = append(out, rows...)
		}
	}
	return out, nil
}

// checkMeasure applies the query model's rules to a measure: a numerator
// and denominator that are bool or int patient series, and patient-level
// groups.
func checkMeasure(m model.Measure) error {
	for _, n := range []*model.Node{m.Numerator, m.Denominator} {
		if err := model.CheckPatientSeries(n); err != nil {
			return err
		}
		if t := n.Type(); t != model.Bool && t != model.Int {
			return fmt.Errorf("numerator and denominator must be bool or int series, got %s", t)
		}
	}
	for _, g := range m.GroupBy {
		if err := model.CheckPatientSeries(g.Series); err != nil {
			return fmt.Errorf("group_by %s: %w", g.Name, err)
		}
	}
	return nil
}

// measureInterval evaluates one measure over one interval. Ties in picks
// are broken by the columns read from them in any of the measures (all),
// as in the compiled query, which computes them all at once (ehrQL by
// those read in the measures of the same denominator and intervals).
func measureInterval(m model.Measure, iv [2]model.CivilDate, all []model.Measure, data Data, opts Options) ([]MeasureRow, error) {
	where := fmt.Sprintf("measure '%s', interval %s to %s", m.Name, iv[0], iv[1])
	params := map[string]model.Literal{"interval_start_date": model.DateLit(iv[0]), "interval_end_date": model.DateLit(iv[1])}
	sub := func(n *model.Node) (*model.Node, error) {
		s, err := model.Substitute(n, params)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		return s, nil
	}
	den, err := sub(m.Denominator)
	if err != nil {
		return nil, err
	}
	num, err := sub(m.Numerator)
	if err != nil {
		return nil, err
	}
	ds := &model.Dataset{Population: den, Variables: []model.Variable{{Name: "numerator", Series: asInt(num)}, {Name: "denominator", Series: asInt(den)}}}
	if den.Type() == model.Int {
		ds.Population = mustNode(model.Function(model.OpGT, den, mustNode(model.Value(model.IntLit(0)))))
	}
	for _, g := range m.GroupBy {
		s, err := sub(g.Series)
		if err != nil {
			return nil, err
		}
		ds.Variables = append(ds.Variables, model.Variable{Name: g.Name, Series: s})
	}
	var others []*model.Node
	for _, o := range all {
		for _, n := range append([]*model.Node{o.Numerator, o.Denominator}, seriesOf(o.GroupBy)...) {
			if s, err := model.Substitute(n, params); err == nil {
				others = append(others, s)
			}
		}
	}
	res, err := evaluate(ds, data, opts, others)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return nil, &Error{Where: where + ", " + strings.Replace(e.Where, "population", "denominator", 1), Err: e.Err}
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	var rows []MeasureRow
	index := map[string]int{}
	for _, r := range res.Dataset.Rows {
		groups := r[3:]
		key := groupKey(groups)
		i, ok := index[key]
		if !ok {
			i = len(rows)
			index[key] = i
			rows = append(rows, MeasureRow{Measure: m.Name, Start: iv[0], End: iv[1], Groups: groups})
		}
		sums := []*int64{&rows[i].Numerator, &rows[i].Denominator}
		for j, v := range r[1:3] {
			if v == nil {
				continue
			}
			x, y := *sums[j], v.(int64)
			if (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
				return nil, &Error{Where: where + ", " + ds.Variables[j].Name,
					Err: &model.EvalError{Kind: model.ErrOverflow, Op: model.OpSum, Msg: "the sum overflows an int"}}
			}
			*sums[j] = x + y
		}
	}
	return rows, nil
}

func seriesOf(vars []model.Variable) []*model.Node {
	out := make([]*model.Node, len(vars))
	for i, v := range vars {
		out[i] = v.Series
	}
	return out
}

// asInt is an int series as it is summed: a bool as 1 or 0.
func asInt(n *model.Node) *model.Node {
	if n.Type() == model.Bool {
		return mustNode(model.Function(model.OpCastToInt, n))
	}
	return n
}

func mustNode(n *model.Node, err error) *model.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// groupKey identifies a group by its values: NULL apart from every value,
// all NaNs alike, and -0.0 with 0.0.
func groupKey(vals []any) string {
	var b strings.Builder
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			b.WriteString("null")
		case float64:
			switch {
			case math.IsNaN(x):
				b.WriteString("float:nan")
			case x == 0:
				b.WriteString("float:0")
			default:
				b.WriteString("float:" + strconv.FormatFloat(x, 'g', -1, 64))
			}
		default:
			fmt.Fprintf(&b, "%T:%v", v, v)
		}
		b.WriteByte(0)
	}
	return b.String()
}
