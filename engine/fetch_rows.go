//go:build !duckdb_arrow

package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/ehrql-go/ehrql/engine/output"
)

// FastFetch reports whether results move from DuckDB as Arrow batches
// (builds with the duckdb_arrow tag) rather than row by row.
const FastFetch = false

// stream runs query and writes its rows to w in batches, reading them row
// by row through database/sql. Builds with the duckdb_arrow tag take
// DuckDB's Arrow batches instead, several times faster.
func (s *Session) stream(ctx context.Context, query string, cols []output.Column, w output.Writer) (int64, error) {
	rows, err := s.conn.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("running the query: %w", err)
	}
	defer rows.Close()
	b := output.NewRowBatcher(rows, cols, output.DefaultBatchSize)
	defer b.Release()
	var n int64
	for {
		rec, err := b.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		err = w.Write(rec)
		n += rec.NumRows()
		rec.Release()
		if err != nil {
			return n, err
		}
	}
}
