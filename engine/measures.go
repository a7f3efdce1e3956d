package engine

import (
	"context"
	"fmt"
	"time"

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
func (q *MeasuresQuery) RunMeasures(ctx context.Context, s *Session) ([]MeasureRow, error) {
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
