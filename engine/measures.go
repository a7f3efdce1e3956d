package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
)

// MeasureRow is one group of one measure in one interval, as RunMeasures
// computes it: the sums over the patients whose denominator is true (or
// > 0), before disclosure control.
type MeasureRow struct {
	// Measure is the measure's name.
	Measure string
	// Start and End are the interval's dates, both included.
	Start, End model.CivilDate
	// Numerator is the sum of the numerator (true = 1; NULLs count 0).
	Numerator int64
	// Denominator is the sum of the denominator.
	Denominator int64
	// Groups holds the values of the measure's own group_by columns, by
	// name: nil for NULL, else bool, int64, float64, string or
	// model.CivilDate.
	Groups map[string]any
}

// RunMeasures executes the measures query and returns the raw sums, one row
// per measure, interval and group (disclosure control is applied later).
// A store of more patients than a batch (Session.PatientBatches) is
// counted a batch at a time, and the batches' sums added up.
func (q *MeasuresQuery) RunMeasures(ctx context.Context, s *Session) ([]MeasureRow, error) {
	ranges, err := s.PatientBatches(ctx)
	if err != nil {
		return nil, err
	}
	if len(ranges) == 1 && ranges[0].All() {
		return q.runOnce(ctx, s)
	}
	var sums measureSums
	for _, r := range ranges {
		bq, err := sqlgen.CompileMeasuresFor(q.Measures, r)
		if err != nil {
			return nil, fmt.Errorf("compiling the batch of %s: %w", r, err)
		}
		rows, err := (&MeasuresQuery{bq}).runOnce(ctx, s)
		if err != nil {
			return nil, err
		}
		if err := sums.add(q.Measures, rows); err != nil {
			return nil, err
		}
	}
	return sums.rows, nil
}

// measureSums adds up the rows of several batches of patients: one row per
// measure, interval and group, in the order first seen.
type measureSums struct {
	rows  []MeasureRow
	index map[string]int
}

// add adds rows to the sums. A sum that no longer fits an int64 is a
// DataError, as it is when DuckDB sums every patient at once.
func (m *measureSums) add(ms []model.Measure, rows []MeasureRow) error {
	if m.index == nil {
		m.index = map[string]int{}
	}
	groups := map[string][]model.Variable{}
	for _, x := range ms {
		groups[x.Name] = x.GroupBy
	}
	for _, r := range rows {
		key := groupKey(r, groups[r.Measure])
		i, ok := m.index[key]
		if !ok {
			m.index[key] = len(m.rows)
			m.rows = append(m.rows, r)
			continue
		}
		sum := &m.rows[i]
		num, ok1 := addInt64(sum.Numerator, r.Numerator)
		den, ok2 := addInt64(sum.Denominator, r.Denominator)
		if !ok1 || !ok2 {
			return &DataError{Msg: fmt.Sprintf("measure %s, interval %s to %s: the sum of its numerator or denominator over the patients does not fit a 64-bit integer", r.Measure, r.Start, r.End)}
		}
		sum.Numerator, sum.Denominator = num, den
	}
	return nil
}

// groupKey identifies a row's measure, interval and group. Group values
// are told apart as DuckDB's GROUP BY tells them apart: -0.0 is 0.0, and
// every NaN is one value.
func groupKey(r MeasureRow, by []model.Variable) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q|%s|%s", r.Measure, r.Start, r.End)
	for _, g := range by {
		v := r.Groups[g.Name]
		if f, ok := v.(float64); ok && f == 0 {
			v = 0.0
		}
		fmt.Fprintf(&b, "|%T:%#v", v, v)
	}
	return b.String()
}

// addInt64 adds two int64s, reporting false on overflow.
func addInt64(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0)
}

// runOnce runs the query once and reads its rows.
func (q *MeasuresQuery) runOnce(ctx context.Context, s *Session) ([]MeasureRow, error) {
	defer q.cleanup(ctx, s)
	if err := q.prepare(ctx, s); err != nil {
		return nil, q.diagnose(ctx, s, s.duck.Explain(fmt.Errorf("running the measures query: %w", err)))
	}
	rows, err := s.conn.QueryContext(ctx, q.SQL)
	if err != nil {
		return nil, q.diagnose(ctx, s, s.duck.Explain(fmt.Errorf("running the measures query: %w", err)))
	}
	defer rows.Close()
	var out []MeasureRow
	vals := make([]any, 4+len(q.Groups))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		mi, iv := toInt(vals[0]), toInt(vals[1])
		m := q.Measures[mi]
		r := MeasureRow{
			Measure:     m.Name,
			Start:       q.Intervals[iv][0],
			End:         q.Intervals[iv][1],
			Numerator:   toInt(vals[2]),
			Denominator: toInt(vals[3]),
			Groups:      map[string]any{},
		}
		for _, g := range m.GroupBy {
			for gi, col := range q.Groups {
				if col.ID == g.Series.ID() {
					r.Groups[g.Name] = normalise(vals[4+gi])
				}
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, q.diagnose(ctx, s, s.duck.Explain(err))
	}
	return out, nil
}

// prepare runs the statements that build the temporary tables the query
// reads.
func (q *MeasuresQuery) prepare(ctx context.Context, s *Session) error {
	for _, stmt := range q.Prepare {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// cleanup drops the temporary tables (which would go with the session
// anyway), even when ctx is cancelled.
func (q *MeasuresQuery) cleanup(ctx context.Context, s *Session) {
	for _, stmt := range q.Cleanup {
		s.conn.ExecContext(context.WithoutCancel(ctx), stmt) //nolint:errcheck
	}
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	return 0
}

// normalise converts a scanned DuckDB value to MeasureRow's group types.
func normalise(v any) any {
	switch x := v.(type) {
	case time.Time:
		return model.DateOf(x)
	case int32:
		return int64(x)
	}
	return v
}
