package output

import (
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DefaultBatchSize is the number of rows per batch used by RowBatcher when
// none is given; it is ehrQL's ROWS_PER_BATCH.
const DefaultBatchSize = 64000

// RowBatcher turns the rows of a SQL query into record batches with the
// natural schema of its columns (see NaturalSchema). The query's result
// columns must be, in order, one per Column: BOOLEAN, BIGINT, DOUBLE, VARCHAR
// or DATE for Bool, Int, Float, Str and Date (anything database/sql can scan
// into sql.NullBool, NullInt64, NullFloat64, NullString or NullTime works).
//
// It holds at most one batch in memory at a time. The caller remains
// responsible for closing the rows.
type RowBatcher struct {
	rows      *sql.Rows
	cols      []Column
	batchSize int
	mem       memory.Allocator

	schema   *arrow.Schema
	builders []array.Builder
	dest     []any // scan targets, one per column
	started  bool
	err      error // sticky error, or io.EOF when finished
}

// NewRowBatcher returns a RowBatcher yielding batches of at most batchSize
// rows (DefaultBatchSize if batchSize <= 0) from rows. Problems with the
// columns or the query are reported by the first call to Next.
func NewRowBatcher(rows *sql.Rows, cols []Column, batchSize int) *RowBatcher {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	return &RowBatcher{
		rows:      rows,
		cols:      append([]Column(nil), cols...),
		batchSize: batchSize,
		mem:       memory.DefaultAllocator,
	}
}

// Schema returns the schema of the batches Next yields.
func (b *RowBatcher) Schema() *arrow.Schema {
	if b.schema == nil {
		b.schema = NaturalSchema(b.cols)
	}
	return b.schema
}

// start validates the columns against the query and prepares the builders.
func (b *RowBatcher) start() error {
	if err := validateColumns(b.cols); err != nil {
		return fmt.Errorf("output: reading query results: %w", err)
	}
	if b.rows == nil {
		return errors.New("output: reading query results: nil rows")
	}
	names, err := b.rows.Columns()
	if err != nil {
		return fmt.Errorf("output: reading query results: %w", err)
	}
	if len(names) != len(b.cols) {
		return fmt.Errorf("output: reading query results: query returns %d columns, want %d", len(names), len(b.cols))
	}
	schema := b.Schema()
	b.builders = make([]array.Builder, len(b.cols))
	b.dest = make([]any, len(b.cols))
	for i, c := range b.cols {
		b.builders[i] = array.NewBuilder(b.mem, schema.Field(i).Type)
		switch c.Kind {
		case Bool:
			b.dest[i] = new(sql.NullBool)
		case Int:
			b.dest[i] = new(sql.NullInt64)
		case Float:
			b.dest[i] = new(sql.NullFloat64)
		case Str:
			b.dest[i] = new(sql.NullString)
		case Date:
			b.dest[i] = new(sql.NullTime)
		}
	}
	return nil
}

// Next returns the next batch of at most the batch size rows, never an
// empty one. At the end of the rows it returns io.EOF (also on every later
// call). The caller must Release the batch.
func (b *RowBatcher) Next() (arrow.RecordBatch, error) {
	if b.err != nil {
		return nil, b.err
	}
	if !b.started {
		b.started = true
		if err := b.start(); err != nil {
			return nil, b.fail(err)
		}
	}
	n := 0
	for n < b.batchSize && b.rows.Next() {
		if err := b.rows.Scan(b.dest...); err != nil {
			return nil, b.fail(fmt.Errorf("output: reading query results: %w", err))
		}
		for i, d := range b.dest {
			if err := appendScanned(b.builders[i], d); err != nil {
				return nil, b.fail(fmt.Errorf("output: reading column '%s': %w", b.cols[i].Name, err))
			}
		}
		n++
	}
	if n < b.batchSize {
		if err := b.rows.Err(); err != nil {
			return nil, b.fail(fmt.Errorf("output: reading query results: %w", err))
		}
	}
	if n == 0 {
		b.Release()
		b.err = io.EOF
		return nil, io.EOF
	}
	arrs := make([]arrow.Array, len(b.builders))
	for i, bld := range b.builders {
		arrs[i] = bld.NewArray()
	}
	rec := array.NewRecordBatch(b.schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, nil
}

// fail records err as the batcher's final result and frees its buffers.
func (b *RowBatcher) fail(err error) error {
	b.Release()
	b.err = err
	return err
}

// Release frees the batcher's buffers and makes later calls to Next return
// io.EOF (or the error that ended it). Next calls it on reaching the end or
// an error, so it is only needed when abandoning a batcher early; it may be
// called more than once. It does not close the rows.
func (b *RowBatcher) Release() {
	for _, bld := range b.builders {
		bld.Release()
	}
	b.builders = nil
	if b.err == nil {
		b.err = io.EOF
	}
	b.started = true
}

// appendScanned appends a scanned value to the builder of its column.
func appendScanned(bld array.Builder, v any) error {
	switch v := v.(type) {
	case *sql.NullBool:
		if !v.Valid {
			bld.AppendNull()
		} else {
			bld.(*array.BooleanBuilder).Append(v.Bool)
		}
	case *sql.NullInt64:
		if !v.Valid {
			bld.AppendNull()
		} else {
			bld.(*array.Int64Builder).Append(v.Int64)
		}
	case *sql.NullFloat64:
		if !v.Valid {
			bld.AppendNull()
		} else {
			bld.(*array.Float64Builder).Append(v.Float64)
		}
	case *sql.NullString:
		if !v.Valid {
			bld.AppendNull()
		} else {
			bld.(*array.StringBuilder).Append(v.String)
		}
	case *sql.NullTime:
		if !v.Valid {
			bld.AppendNull()
			break
		}
		y, m, d := v.Time.Date()
		days := daysFromCivil(int64(y), int(m), d)
		if days < -1<<31 || days > 1<<31-1 {
			return fmt.Errorf("date %s is outside the range of a 32-bit day count", v.Time.Format("2006-01-02"))
		}
		bld.(*array.Date32Builder).Append(arrow.Date32(days))
	default:
		return fmt.Errorf("unsupported scan target %T", v)
	}
	return nil
}
