package output

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// zeroUnderNulls returns src with the value of every NULL slot zeroed (an
// empty string for strings), retained: a new array when some NULL slot held
// anything else, src itself otherwise. Arrow leaves the value under a NULL
// undefined, and DuckDB's arrays hold there whatever its buffers held
// before (another row's value, of any table the query read). Written as
// is, a file would differ from one run to the next and carry values the
// definition never selected.
func zeroUnderNulls(mem memory.Allocator, src arrow.Array) (arrow.Array, error) {
	if src.NullN() == 0 {
		src.Retain()
		return src, nil
	}
	switch a := src.(type) {
	case *array.Boolean, *array.Int64, *array.Float64, *array.Date32:
		// bools take one bit: width 0
		return zeroFixedWidth(mem, a, a.DataType().(arrow.FixedWidthDataType).BitWidth()/8), nil
	case *array.String:
		return zeroStrings(mem, a), nil
	default:
		return nil, fmt.Errorf("unexpected array %T", src)
	}
}

// zeroFixedWidth zeroes the NULL slots of a fixed-width array whose values
// take width bytes each (0: one bit each, for bools).
func zeroFixedWidth(mem memory.Allocator, src arrow.Array, width int) arrow.Array {
	data := src.Data()
	values := data.Buffers()[1].Bytes()
	off := data.Offset()
	dirty := false
	for j := 0; j < src.Len() && !dirty; j++ {
		if !src.IsNull(j) {
			continue
		}
		if width == 0 {
			dirty = bitutil.BitIsSet(values, off+j)
			continue
		}
		for _, b := range values[(off+j)*width : (off+j+1)*width] {
			dirty = dirty || b != 0
		}
	}
	if !dirty {
		src.Retain()
		return src
	}
	buf := memory.NewResizableBuffer(mem)
	defer buf.Release()
	buf.Resize(len(values))
	clean := buf.Bytes()
	copy(clean, values)
	for j := 0; j < src.Len(); j++ {
		if !src.IsNull(j) {
			continue
		}
		if width == 0 {
			bitutil.ClearBit(clean, off+j)
		} else {
			clear(clean[(off+j)*width : (off+j+1)*width])
		}
	}
	out := array.NewData(data.DataType(), data.Len(), []*memory.Buffer{data.Buffers()[0], buf}, nil, data.NullN(), off)
	defer out.Release()
	return array.MakeFromData(out)
}

// zeroStrings rebuilds a string array if some NULL slot spans any bytes.
func zeroStrings(mem memory.Allocator, src *array.String) arrow.Array {
	offsets := src.ValueOffsets() // Len()+1 of them
	dirty := false
	for j := 0; j < src.Len() && !dirty; j++ {
		dirty = src.IsNull(j) && offsets[j+1] != offsets[j]
	}
	if !dirty {
		src.Retain()
		return src
	}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(src.Len())
	for j := 0; j < src.Len(); j++ {
		if src.IsNull(j) {
			b.AppendNull()
		} else {
			b.Append(src.Value(j))
		}
	}
	return b.NewArray()
}
