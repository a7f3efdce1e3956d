package engine

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// discard is an output.Writer that keeps nothing.
type discard struct{}

func (discard) Write(arrow.RecordBatch) error { return nil }
func (discard) Close() error                  { return nil }
func (discard) Abort()                        {}

// BenchmarkStream measures taking a query's results out of DuckDB: 500,000
// rows of one column of each type, the shape of a dataset's output (see
// bench/RESULTS.md).
func BenchmarkStream(b *testing.B) {
	ctx := context.Background()
	s := emptySession(b)
	const query = `SELECT range AS patient_id, range % 3 = 0 AS b,
  CASE WHEN range % 5 = 0 THEN NULL ELSE range * 7 END AS i, CAST(range AS DOUBLE) * 1.5 AS f,
  'code' || (range % 1000) AS s, DATE '2020-01-01' + CAST(range % 1000 AS INTEGER) AS d
FROM range(0, 500000)`
	for b.Loop() {
		n, err := s.stream(ctx, query, streamCols, discard{})
		if err != nil || n != 500000 {
			b.Fatalf("%d rows, %v", n, err)
		}
	}
}
