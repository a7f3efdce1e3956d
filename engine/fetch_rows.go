//go:build !duckdb_arrow

package engine

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"

	"github.com/ehrql-go/ehrql/engine/output"
)

// FastFetch reports whether results move from DuckDB as Arrow batches
// (builds with the duckdb_arrow tag) rather than row by row.
const FastFetch = false

// stream runs query and writes its rows to w in batches, reading the
// driver's values directly (no database/sql conversions). Builds with the
// duckdb_arrow tag take DuckDB's Arrow batches instead.
func (s *Session) stream(ctx context.Context, query string, cols []output.Column, w output.Writer) (int64, error) {
	var n int64
	err := s.conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("unexpected DuckDB connection type %T", dc)
		}
		rows, err := qc.QueryContext(ctx, query, nil)
		if err != nil {
			return fmt.Errorf("running the query: %w", err)
		}
		defer rows.Close()
		b := output.NewDriverRowBatcher(rows, cols, output.DefaultBatchSize)
		defer b.Release()
		for {
			rec, err := b.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			err = w.Write(rec)
			n += rec.NumRows()
			rec.Release()
			if err != nil {
				return err
			}
		}
	})
	return n, err
}
