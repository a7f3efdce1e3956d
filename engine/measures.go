package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/ehrql-go/ehrql/measures/report"
	"github.com/ehrql-go/ehrql/query/model"
)

// RunMeasures executes the measures query and returns the raw sums, one row
// per measure, interval and group (disclosure control is applied later).
func (q *MeasuresQuery) RunMeasures(ctx context.Context, s *Session) ([]report.Row, error) {
	rows, err := s.conn.QueryContext(ctx, q.SQL)
	if err != nil {
		return nil, q.diagnose(ctx, s, s.duck.Explain(fmt.Errorf("running the measures query: %w", err)))
	}
	defer rows.Close()
	var out []report.Row
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
		r := report.Row{
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

// normalise converts a scanned DuckDB value to report.Row's group types.
func normalise(v any) any {
	switch x := v.(type) {
	case time.Time:
		return model.DateOf(x)
	case int32:
		return int64(x)
	}
	return v
}
