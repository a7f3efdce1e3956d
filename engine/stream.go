package engine

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/ehrql-go/ehrql/engine/output"
)

// stream runs query and writes its rows to w in batches of
// output.DefaultBatchSize rows, copying each of DuckDB's result vectors
// into Arrow builders a column at a time (DuckDB's C API, through the
// driver's connection: no value is boxed).
func (s *Session) stream(ctx context.Context, query string, cols []output.Column, w output.Writer) (int64, error) {
	return s.streamAll(ctx, []string{query}, cols, w)
}

// streamAll runs the queries in turn and writes their rows to w as one
// table: batches of output.DefaultBatchSize rows may hold the end of one
// query's rows and the start of the next's, so the output's batches are
// the same however the rows were split between queries.
func (s *Session) streamAll(ctx context.Context, queries []string, cols []output.Column, w output.Writer) (int64, error) {
	var n int64
	err := s.conn.Raw(func(dc any) error {
		conn, err := rawConnection(dc)
		if err != nil {
			return err
		}
		b := newChunkBatcher(cols)
		defer b.release()
		for _, query := range queries {
			if err := streamQuery(ctx, conn, query, cols, b, w, &n); err != nil {
				return err
			}
		}
		return b.flush(w, &n)
	})
	return n, err
}

// streamQuery runs one query on conn and appends its rows to b, writing
// each full batch to w.
func streamQuery(ctx context.Context, conn mapping.Connection, query string, cols []output.Column, b *chunkBatcher, w output.Writer, n *int64) error {
	var res mapping.Result
	// A cancelled context interrupts the query, but never once the
	// query has returned: the connection may be closed by then, so the
	// interrupt waits on the lock and sees finished.
	var mu sync.Mutex
	finished := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			interruptQuery(conn)
		}
	})
	state := mapping.Query(conn, query, &res)
	mu.Lock()
	finished = true
	mu.Unlock()
	stop()
	defer mapping.DestroyResult(&res)
	if state == mapping.StateError {
		if ctx.Err() != nil {
			return fmt.Errorf("running the query: %w", ctx.Err())
		}
		return fmt.Errorf("running the query: %w", &duckdb.Error{
			Type: duckdb.ErrorType(mapping.ResultErrorType(&res)),
			Msg:  mapping.ResultError(&res),
		})
	}
	if got := int(mapping.ColumnCount(&res)); got != len(cols) {
		return fmt.Errorf("output: reading query results: query returns %d columns, want %d", got, len(cols))
	}
	for i, c := range cols {
		if want, got := chunkType[c.Kind], mapping.ColumnType(&res, mapping.IdxT(i)); got != want {
			return fmt.Errorf("output: reading column '%s': the query's column has DuckDB type %d, want %d (%s)", c.Name, got, want, c.Kind)
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("running the query: %w", err)
		}
		chunk := mapping.FetchChunk(res)
		if chunk.Ptr == nil {
			break
		}
		size := int(mapping.DataChunkGetSize(chunk))
		if size == 0 {
			mapping.DestroyDataChunk(&chunk)
			break
		}
		// Batches hold exactly output.DefaultBatchSize rows, as
		// ehrQL's do, so a chunk may be split between two.
		for from := 0; from < size; {
			to := min(size, from+int(output.DefaultBatchSize-b.rows))
			b.appendChunk(chunk, from, to)
			from = to
			if b.rows == output.DefaultBatchSize {
				if err := b.flush(w, n); err != nil {
					mapping.DestroyDataChunk(&chunk)
					return err
				}
			}
		}
		mapping.DestroyDataChunk(&chunk)
	}
	return nil
}

// interruptQuery interrupts the query running on a connection (a variable
// so that a test can slow it down).
var interruptQuery = mapping.Interrupt

// chunkType is the DuckDB type of a result column of each kind.
var chunkType = map[output.Kind]mapping.Type{
	output.Bool:  mapping.TypeBoolean,
	output.Int:   mapping.TypeBigInt,
	output.Float: mapping.TypeDouble,
	output.Str:   mapping.TypeVarchar,
	output.Date:  mapping.TypeDate,
}

// rawConnection is the C connection behind the driver's connection. The
// driver does not export it, so it is read by reflection; a driver whose
// connection is shaped otherwise gets an error, never a guess
// (TestRawConnection fails first on a driver upgrade that changes it).
func rawConnection(dc any) (mapping.Connection, error) {
	v := reflect.ValueOf(dc)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		f := v.Elem().FieldByName("conn")
		if f.IsValid() && f.Type() == reflect.TypeFor[mapping.Connection]() {
			conn := *(*mapping.Connection)(unsafe.Pointer(f.UnsafeAddr()))
			if conn.Ptr != nil {
				return conn, nil
			}
		}
	}
	return mapping.Connection{}, fmt.Errorf("unexpected DuckDB connection type %T", dc)
}

// chunkBatcher gathers result vectors into Arrow builders, one per column.
type chunkBatcher struct {
	schema   *arrow.Schema
	cols     []output.Column
	builders []array.Builder
	valid    []bool
	rows     int64
}

func newChunkBatcher(cols []output.Column) *chunkBatcher {
	b := &chunkBatcher{schema: output.NaturalSchema(cols), cols: cols}
	for i := range cols {
		b.builders = append(b.builders, array.NewBuilder(memory.DefaultAllocator, b.schema.Field(i).Type))
	}
	return b
}

// appendChunk copies rows from to to (exclusive) of chunk into the
// builders.
func (b *chunkBatcher) appendChunk(chunk mapping.DataChunk, from, to int) {
	size := to - from
	if cap(b.valid) < size {
		b.valid = make([]bool, size)
	}
	valid := b.valid[:size]
	for i, c := range b.cols {
		vec := mapping.DataChunkGetVector(chunk, mapping.IdxT(i))
		data := mapping.VectorGetData(vec)
		mask := mapping.VectorGetValidity(vec)
		allValid := mask == nil
		if !allValid {
			words := unsafe.Slice((*uint64)(mask), (to+63)/64)
			for r := range valid {
				row := from + r
				valid[r] = words[row/64]>>(row%64)&1 == 1
			}
		} else {
			for r := range valid {
				valid[r] = true
			}
		}
		switch c.Kind {
		case output.Bool:
			b.builders[i].(*array.BooleanBuilder).AppendValues(unsafe.Slice((*bool)(data), to)[from:], valid)
		case output.Int:
			b.builders[i].(*array.Int64Builder).AppendValues(unsafe.Slice((*int64)(data), to)[from:], valid)
		case output.Float:
			b.builders[i].(*array.Float64Builder).AppendValues(unsafe.Slice((*float64)(data), to)[from:], valid)
		case output.Date:
			b.builders[i].(*array.Date32Builder).AppendValues(unsafe.Slice((*arrow.Date32)(data), to)[from:], valid)
		case output.Str:
			sb := b.builders[i].(*array.StringBuilder)
			strs := unsafe.Slice((*duckString)(data), to)[from:]
			for r := range strs {
				if !valid[r] {
					sb.AppendNull()
					continue
				}
				sb.Append(strs[r].String())
			}
		}
	}
	b.rows += int64(size)
}

// duckString is DuckDB's string value (duckdb_string_t): its length, then
// up to 12 bytes inline, or a 4-byte prefix and a pointer to the bytes.
type duckString struct {
	length uint32
	inline [12]byte
}

// String returns a Go string viewing the value's bytes; the builder copies
// them before the chunk is freed.
func (s *duckString) String() string {
	if s.length <= 12 {
		return unsafe.String(&s.inline[0], s.length)
	}
	ptr := *(**byte)(unsafe.Pointer(&s.inline[4]))
	return unsafe.String(ptr, s.length)
}

// flush writes the gathered rows as one batch, if there are any.
func (b *chunkBatcher) flush(w output.Writer, n *int64) error {
	if b.rows == 0 {
		return nil
	}
	arrs := make([]arrow.Array, len(b.builders))
	for i, bld := range b.builders {
		arrs[i] = bld.NewArray()
	}
	rec := array.NewRecordBatch(b.schema, arrs, b.rows)
	for _, a := range arrs {
		a.Release()
	}
	defer rec.Release()
	*n += b.rows
	b.rows = 0
	return w.Write(rec)
}

func (b *chunkBatcher) release() {
	for _, bld := range b.builders {
		bld.Release()
	}
}
