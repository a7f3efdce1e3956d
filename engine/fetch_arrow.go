//go:build duckdb_arrow

package engine

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine/output"
)

// FastFetch reports whether results move from DuckDB as Arrow batches
// (builds with the duckdb_arrow tag) rather than row by row.
const FastFetch = true

// stream runs query and writes its rows to w, taking DuckDB's results as
// Arrow record batches without copying them value by value, regrouped into
// batches of output.DefaultBatchSize rows.
func (s *Session) stream(ctx context.Context, query string, cols []output.Column, w output.Writer) (int64, error) {
	var n int64
	err := s.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected DuckDB connection type %T", dc)
		}
		ar, err := duckdb.NewArrowFromConn(conn)
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, query)
		if err != nil {
			return fmt.Errorf("running the query: %w", err)
		}
		defer rdr.Release()
		schema := output.NaturalSchema(cols)
		var pending []arrow.RecordBatch
		var pendingRows int64
		flush := func() error {
			if len(pending) == 0 {
				return nil
			}
			rec, err := concatenate(schema, pending)
			for _, p := range pending {
				p.Release()
			}
			pending, pendingRows = pending[:0], 0
			if err != nil {
				return err
			}
			defer rec.Release()
			n += rec.NumRows()
			return w.Write(rec)
		}
		for rdr.Next() {
			rec := rdr.RecordBatch()
			rec.Retain()
			pending = append(pending, rec)
			pendingRows += rec.NumRows()
			if pendingRows >= output.DefaultBatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := rdr.Err(); err != nil {
			for _, p := range pending {
				p.Release()
			}
			return fmt.Errorf("running the query: %w", err)
		}
		return flush()
	})
	return n, err
}

// concatenate joins record batches into one with the given schema (DuckDB
// marks every field nullable; the schema carries ehrQL's nullability).
func concatenate(schema *arrow.Schema, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, len(schema.Fields()))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cols {
		parts := make([]arrow.Array, len(recs))
		for j, r := range recs {
			if int(r.NumCols()) != len(cols) {
				return nil, fmt.Errorf("query returned %d columns, expected %d", r.NumCols(), len(cols))
			}
			parts[j] = r.Column(i)
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}
