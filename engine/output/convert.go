package output

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// checkBatch verifies that rec has the natural schema of cols (see
// NaturalSchema) and that non-nullable columns hold no NULLs.
func checkBatch(rec arrow.RecordBatch, cols []Column) error {
	if rec == nil {
		return errors.New("nil record batch")
	}
	if int(rec.NumCols()) != len(cols) {
		return fmt.Errorf("record batch has %d columns, want %d", rec.NumCols(), len(cols))
	}
	for i, c := range cols {
		if name := rec.ColumnName(i); name != c.Name {
			return fmt.Errorf("record batch column %d is named '%s', want '%s'", i, name, c.Name)
		}
		arr := rec.Column(i)
		if want := c.Kind.naturalType(); !arrow.TypeEqual(arr.DataType(), want) {
			return fmt.Errorf("column '%s' of type %v has Arrow type %v, want %v", c.Name, c.Kind, arr.DataType(), want)
		}
		if !c.Nullable && arr.NullN() > 0 {
			return fmt.Errorf("column '%s' is not nullable but contains NULL", c.Name)
		}
	}
	return nil
}

// arrowConverter converts natural-typed batches to the ".arrow" schema.
type arrowConverter struct {
	mem    memory.Allocator
	cols   []Column
	schema *arrow.Schema
	// dicts[i] holds the dictionary (all categories) of column i, or nil.
	// The same array is used for every batch, so the IPC writer emits it
	// once.
	dicts []arrow.Array
	// index[i] maps category to dictionary index for column i.
	index []map[string]int64
}

// newArrowConverter prepares a converter for valid columns.
func newArrowConverter(mem memory.Allocator, cols []Column) *arrowConverter {
	c := &arrowConverter{
		mem:    mem,
		cols:   cols,
		schema: outputSchema(cols),
		dicts:  make([]arrow.Array, len(cols)),
		index:  make([]map[string]int64, len(cols)),
	}
	for i, col := range cols {
		if col.Kind != Str || col.Categories == nil {
			continue
		}
		b := array.NewStringBuilder(mem)
		b.AppendValues(col.Categories, nil)
		c.dicts[i] = b.NewArray()
		b.Release()
		m := make(map[string]int64, len(col.Categories))
		for j, v := range col.Categories {
			m[v] = int64(j)
		}
		c.index[i] = m
	}
	return c
}

// release frees the dictionaries.
func (c *arrowConverter) release() {
	for i, d := range c.dicts {
		if d != nil {
			d.Release()
			c.dicts[i] = nil
		}
	}
}

// convert returns rec (already checked by checkBatch) converted to the
// output schema. The caller releases the result.
func (c *arrowConverter) convert(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	arrs := make([]arrow.Array, 0, len(c.cols))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for i, col := range c.cols {
		src := rec.Column(i)
		out, err := c.convertColumn(i, col, src)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, out)
	}
	return array.NewRecordBatch(c.schema, arrs, rec.NumRows()), nil
}

// convertColumn converts one column; the result carries its own reference.
func (c *arrowConverter) convertColumn(i int, col Column, src arrow.Array) (arrow.Array, error) {
	outType := c.schema.Field(i).Type
	switch {
	case col.Kind == Int && outType.ID() != arrow.INT64:
		ints, ok := src.(*array.Int64)
		if !ok {
			return nil, fmt.Errorf("column '%s': unexpected array %T", col.Name, src)
		}
		return narrowInts(c.mem, col, outType, ints)
	case col.Kind == Str && c.dicts[i] != nil:
		strs, ok := src.(*array.String)
		if !ok {
			return nil, fmt.Errorf("column '%s': unexpected array %T", col.Name, src)
		}
		return c.encodeCategories(i, col, outType.(*arrow.DictionaryType), strs)
	default:
		out, err := zeroUnderNulls(c.mem, src)
		if err != nil {
			return nil, fmt.Errorf("column '%s': %w", col.Name, err)
		}
		return out, nil
	}
}

// encodeCategories dictionary-encodes src against the column's categories.
func (c *arrowConverter) encodeCategories(i int, col Column, dt *arrow.DictionaryType, src *array.String) (arrow.Array, error) {
	index := c.index[i]
	lookup := func(j int) (int64, error) {
		v := src.Value(j)
		k, ok := index[v]
		if !ok {
			return 0, invalidCategoryError(col, v)
		}
		return k, nil
	}
	var (
		indices arrow.Array
		err     error
	)
	switch dt.IndexType.ID() {
	case arrow.INT8:
		indices, err = buildInts[int8](array.NewInt8Builder(c.mem), src, lookup)
	case arrow.INT16:
		indices, err = buildInts[int16](array.NewInt16Builder(c.mem), src, lookup)
	case arrow.INT32:
		indices, err = buildInts[int32](array.NewInt32Builder(c.mem), src, lookup)
	default:
		indices, err = buildInts[int64](array.NewInt64Builder(c.mem), src, lookup)
	}
	if err != nil {
		return nil, err
	}
	defer indices.Release()
	return array.NewDictionaryArray(dt, indices, c.dicts[i]), nil
}

// invalidCategoryError is ehrQL's error for a value outside the categories.
func invalidCategoryError(col Column, v string) error {
	allowed := make([]string, len(col.Categories))
	for i, c := range col.Categories {
		allowed[i] = pyRepr(c)
	}
	return fmt.Errorf("Invalid value %s for column '%s'\nAllowed are: %s", pyRepr(v), col.Name, strings.Join(allowed, ", "))
}

// narrowInts converts src to the integer type t, failing on values that do
// not fit.
func narrowInts(mem memory.Allocator, col Column, t arrow.DataType, src *array.Int64) (arrow.Array, error) {
	lo, hi, _ := intTypeBounds(t)
	value := func(j int) (int64, error) {
		v := src.Value(j)
		if v < lo || v > hi {
			return 0, fmt.Errorf("value %d for column '%s' does not fit in its Arrow type %v (range %d..%d)", v, col.Name, t, lo, hi)
		}
		return v, nil
	}
	switch t.ID() {
	case arrow.INT8:
		return buildInts[int8](array.NewInt8Builder(mem), src, value)
	case arrow.INT16:
		return buildInts[int16](array.NewInt16Builder(mem), src, value)
	case arrow.INT32:
		return buildInts[int32](array.NewInt32Builder(mem), src, value)
	case arrow.UINT8:
		return buildInts[uint8](array.NewUint8Builder(mem), src, value)
	case arrow.UINT16:
		return buildInts[uint16](array.NewUint16Builder(mem), src, value)
	case arrow.UINT32:
		return buildInts[uint32](array.NewUint32Builder(mem), src, value)
	case arrow.UINT64:
		return buildInts[uint64](array.NewUint64Builder(mem), src, value)
	default:
		return nil, fmt.Errorf("column '%s': unsupported integer type %v", col.Name, t)
	}
}

// integer is the set of Arrow integer value types.
type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// intBuilder is an Arrow builder of T values.
type intBuilder[T integer] interface {
	array.Builder
	Append(T)
}

// buildInts builds an array with the nulls of src and, at valid positions,
// value(j) converted to T (value has checked that it fits). The builder is
// released.
func buildInts[T integer, B intBuilder[T]](b B, src arrow.Array, value func(j int) (int64, error)) (arrow.Array, error) {
	defer b.Release()
	n := src.Len()
	b.Reserve(n)
	for j := 0; j < n; j++ {
		if src.IsNull(j) {
			b.AppendNull()
			continue
		}
		v, err := value(j)
		if err != nil {
			return nil, err
		}
		b.Append(T(v))
	}
	return b.NewArray(), nil
}
