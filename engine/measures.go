package engine

import (
	"context"
	"fmt"
	"math/big"
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
	batches, err := q.batches(ctx, s)
	if err != nil {
		return nil, err
	}
	var sums measureSums
	for _, b := range batches {
		if err := b.runOnce(ctx, s, &sums); err != nil {
			return nil, err
		}
	}
	return sums.result(q.Measures)
}

// PatientBatches returns the ranges of patient ids the measures run in
// on the session (Session.PatientBatches).
func (q *MeasuresQuery) PatientBatches(ctx context.Context, s *Session) ([]sqlgen.PatientRange, error) {
	return s.PatientBatches(ctx, minBytesPerPatient)
}

// batches returns the query compiled for each of its batches of patients
// (compileBatches). Their sums, added up, are the query's.
func (q *MeasuresQuery) batches(ctx context.Context, s *Session) ([]*MeasuresQuery, error) {
	ranges, err := q.PatientBatches(ctx, s)
	if err != nil {
		return nil, err
	}
	return compileBatches(ranges, q, func(r sqlgen.PatientRange) (*MeasuresQuery, error) {
		one, err := sqlgen.CompileMeasuresFor(q.Measures, r)
		if err != nil {
			return nil, err
		}
		return &MeasuresQuery{one}, nil
	})
}

// measureSums adds up the rows of one run or of several batches of
// patients: one row per measure, interval and group, in the order first
// seen. Sums are kept exact (a batch's may not fit an int); the result's
// must fit.
type measureSums struct {
	rows     []MeasureRow
	num, den []*big.Int
	index    map[string]int
}

// add adds one row of sums.
func (m *measureSums) add(r MeasureRow, by []model.Variable, num, den *big.Int) {
	if m.index == nil {
		m.index = map[string]int{}
	}
	key := groupKey(r, by)
	i, ok := m.index[key]
	if !ok {
		m.index[key] = len(m.rows)
		m.rows = append(m.rows, r)
		m.num = append(m.num, new(big.Int).Set(num))
		m.den = append(m.den, new(big.Int).Set(den))
		return
	}
	m.num[i].Add(m.num[i], num)
	m.den[i].Add(m.den[i], den)
}

// result returns the rows with their sums. A sum that does not fit an
// int is a DataError worded as DuckDB's, when it sums every patient at
// once, is (sumOverflow).
func (m *measureSums) result(ms []model.Measure) ([]MeasureRow, error) {
	for i := range m.rows {
		r := &m.rows[i]
		for _, sum := range []*big.Int{m.num[i], m.den[i]} {
			if !sum.IsInt64() {
				return nil, sumOverflow(ms, r.Measure, sum)
			}
		}
		r.Numerator, r.Denominator = m.num[i].Int64(), m.den[i].Int64()
	}
	return m.rows, nil
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

// runOnce runs the query once and adds its rows to sums.
func (q *MeasuresQuery) runOnce(ctx context.Context, s *Session, sums *measureSums) error {
	defer q.cleanup(ctx, s)
	if err := q.prepare(ctx, s); err != nil {
		return q.diagnose(ctx, s, s.duck.Explain(fmt.Errorf("running the measures query: %w", err)))
	}
	rows, err := s.conn.QueryContext(ctx, q.SQL)
	if err != nil {
		return q.diagnose(ctx, s, s.duck.Explain(fmt.Errorf("running the measures query: %w", err)))
	}
	defer rows.Close()
	vals := make([]any, 4+len(q.Groups))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		mi, iv := toInt(vals[0]), toInt(vals[1])
		m := q.Measures[mi]
		r := MeasureRow{
			Measure: m.Name,
			Start:   q.Intervals[iv][0],
			End:     q.Intervals[iv][1],
			Groups:  map[string]any{},
		}
		for _, g := range m.GroupBy {
			for gi, col := range q.Groups {
				if col.ID == g.Series.ID() {
					r.Groups[g.Name] = normalise(vals[4+gi])
				}
			}
		}
		sums.add(r, m.GroupBy, toBig(vals[2]), toBig(vals[3]))
	}
	if err := rows.Err(); err != nil {
		return q.diagnose(ctx, s, s.duck.Explain(err))
	}
	return nil
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

// toBig reads a sum: a BIGINT of a whole run, a HUGEINT of a batch.
func toBig(v any) *big.Int {
	if b, ok := v.(*big.Int); ok {
		return b
	}
	return big.NewInt(toInt(v))
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
