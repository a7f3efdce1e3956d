package output

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"

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
// or DATE for Bool, Int, Float, Str and Date.
//
// It takes each value as the driver gives it, without database/sql's
// conversions: a value of another type is an error. It holds at most one
// batch in memory at a time. The caller remains responsible for closing the
// rows. (The engine reads DuckDB's result vectors directly instead; this is
// for results of any database/sql driver.)
type RowBatcher struct {
	rows      driver.Rows
	cols      []Column
	batchSize int
	mem       memory.Allocator

	schema   *arrow.Schema
	builders []array.Builder
	values   []driver.Value // one row
	started  bool
	err      error // sticky error, or io.EOF when finished
}

// newDriverRowBatcher returns a RowBatcher yielding batches of at most
// batchSize rows (DefaultBatchSize if batchSize <= 0) from a driver's rows.
func newDriverRowBatcher(rows driver.Rows, cols []Column, batchSize int) *RowBatcher {
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

// sqlRows reads *sql.Rows as driver rows: each value as the driver gave it.
type sqlRows struct {
	rows *sql.Rows
	dest []any
	ptrs []any
}

func (r *sqlRows) Columns() []string {
	names, _ := r.rows.Columns()
	return names
}

func (r *sqlRows) Close() error { return r.rows.Close() }

func (r *sqlRows) Next(dest []driver.Value) error {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	if len(r.ptrs) != len(dest) {
		r.dest = make([]any, len(dest))
		r.ptrs = make([]any, len(dest))
		for i := range r.dest {
			r.ptrs[i] = &r.dest[i]
		}
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return err
	}
	for i, v := range r.dest {
		dest[i] = v
	}
	return nil
}

// NewRowBatcher returns a RowBatcher yielding batches of at most batchSize
// rows (DefaultBatchSize if batchSize <= 0) from rows. Problems with the
// columns or the query are reported by the first call to Next.
func NewRowBatcher(rows *sql.Rows, cols []Column, batchSize int) *RowBatcher {
	if rows == nil {
		return newDriverRowBatcher(nil, cols, batchSize)
	}
	return newDriverRowBatcher(&sqlRows{rows: rows}, cols, batchSize)
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
	names := b.rows.Columns()
	if len(names) != len(b.cols) {
		return fmt.Errorf("output: reading query results: query returns %d columns, want %d", len(names), len(b.cols))
	}
	schema := b.Schema()
	b.builders = make([]array.Builder, len(b.cols))
	b.values = make([]driver.Value, len(b.cols))
	for i := range b.cols {
		b.builders[i] = array.NewBuilder(b.mem, schema.Field(i).Type)
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
	for n < b.batchSize {
		err := b.rows.Next(b.values)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, b.fail(fmt.Errorf("output: reading query results: %w", err))
		}
		for i, v := range b.values {
			if err := appendValue(b.builders[i], b.cols[i].Kind, v); err != nil {
				return nil, b.fail(fmt.Errorf("output: reading column '%s': %w", b.cols[i].Name, err))
			}
		}
		n++
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

// appendValue appends a driver's value to the builder of its column, of
// the given kind.
func appendValue(bld array.Builder, kind Kind, v driver.Value) error {
	if v == nil {
		bld.AppendNull()
		return nil
	}
	switch kind {
	case Bool:
		if x, ok := v.(bool); ok {
			bld.(*array.BooleanBuilder).Append(x)
			return nil
		}
	case Int:
		switch x := v.(type) {
		case int64:
			bld.(*array.Int64Builder).Append(x)
			return nil
		case int32:
			bld.(*array.Int64Builder).Append(int64(x))
			return nil
		}
	case Float:
		if x, ok := v.(float64); ok {
			bld.(*array.Float64Builder).Append(x)
			return nil
		}
	case Str:
		if x, ok := v.(string); ok {
			bld.(*array.StringBuilder).Append(x)
			return nil
		}
	case Date:
		if x, ok := v.(time.Time); ok {
			y, m, d := x.Date()
			days := daysFromCivil(int64(y), int(m), d)
			if days < -1<<31 || days > 1<<31-1 {
				return fmt.Errorf("date %s is outside the range of a 32-bit day count", x.Format("2006-01-02"))
			}
			bld.(*array.Date32Builder).Append(arrow.Date32(days))
			return nil
		}
	}
	return fmt.Errorf("got a value of Go type %T, want %s", v, kind)
}
