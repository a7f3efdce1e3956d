package output

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// dirtyCols are the columns of dirtyBatch: one per type that passes
// through the converter unchanged, and one narrowed int and one category.
var dirtyCols = []Column{
	{Name: "patient_id", Kind: Int},
	{Name: "flag", Kind: Bool, Nullable: true},
	{Name: "i", Kind: Int, Nullable: true},
	{Name: "x", Kind: Float, Nullable: true},
	{Name: "s", Kind: Str, Nullable: true},
	{Name: "dt", Kind: Date, Nullable: true},
	{Name: "n", Kind: Int, Nullable: true, Min: i64(0), Max: i64(1000)},
	{Name: "cat", Kind: Str, Nullable: true, Categories: []string{"ab", "c"}},
}

// dirtyBatch makes three rows whose middle one is NULL in every nullable
// column, with junk (a byte, 0 for none) under the NULLs, as DuckDB leaves
// whatever its buffers held there.
func dirtyBatch(t *testing.T, mem memory.Allocator, junk byte) arrow.RecordBatch {
	t.Helper()
	valid := memory.NewBufferBytes([]byte{0b101})
	fixed := func(dt arrow.DataType, width int, values []byte) arrow.Array {
		for i := width; i < 2*width; i++ {
			values[i] = junk
		}
		data := array.NewData(dt, 3, []*memory.Buffer{valid, memory.NewBufferBytes(values)}, nil, 1, 0)
		defer data.Release()
		return array.MakeFromData(data)
	}
	flags := []byte{0b101}
	if junk != 0 {
		bitutil.SetBit(flags, 1)
	}
	boolData := array.NewData(arrow.FixedWidthTypes.Boolean, 3, []*memory.Buffer{valid, memory.NewBufferBytes(flags)}, nil, 1, 0)
	defer boolData.Release()
	// strings: "ab", NULL spanning len(junkText) bytes, "c"
	junkText := ""
	if junk != 0 {
		junkText = string([]byte{junk, junk})
	}
	offsets := arrow.Int32Traits.CastToBytes([]int32{0, 2, int32(2 + len(junkText)), int32(3 + len(junkText))})
	strData := array.NewData(arrow.BinaryTypes.String, 3, []*memory.Buffer{valid, memory.NewBufferBytes(offsets), memory.NewBufferBytes([]byte("ab" + junkText + "c"))}, nil, 1, 0)
	defer strData.Release()
	ints := func(vs ...int64) []byte { return append([]byte{}, arrow.Int64Traits.CastToBytes(vs)...) }
	cols := []arrow.Array{
		array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, 3, []*memory.Buffer{nil, memory.NewBufferBytes(ints(1, 2, 3))}, nil, 0, 0)),
		array.MakeFromData(boolData),
		fixed(arrow.PrimitiveTypes.Int64, 8, ints(-7, 0, 7)),
		fixed(arrow.PrimitiveTypes.Float64, 8, append([]byte{}, arrow.Float64Traits.CastToBytes([]float64{0.5, 0, -1.5})...)),
		array.MakeFromData(strData),
		fixed(arrow.FixedWidthTypes.Date32, 4, append([]byte{}, arrow.Date32Traits.CastToBytes([]arrow.Date32{18000, 0, 19000})...)),
		fixed(arrow.PrimitiveTypes.Int64, 8, ints(5, 0, 1000)),
		array.MakeFromData(strData),
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	return array.NewRecordBatch(NaturalSchema(dirtyCols), cols, 3)
}

// TestArrowZeroesUnderNulls: whatever the engine's arrays hold under their
// NULLs, the file holds zeros there, so the same rows always give the same
// bytes and no value the definition did not select reaches the file.
func TestArrowZeroesUnderNulls(t *testing.T) {
	mem := memory.NewGoAllocator()
	var files [][]byte
	for _, junk := range []byte{0, 0x5a, 0xff} {
		rec := dirtyBatch(t, mem, junk)
		path := filepath.Join(t.TempDir(), "out.arrow")
		writeAll(t, mem, path, dirtyCols, nil, rec)
		rec.Release()
		files = append(files, readFile(t, path))
		_, batches := readArrow(t, mem, path)
		want := [][]any{
			{int64(1), true, int64(-7), 0.5, "ab", arrow.Date32(18000), int64(5), "ab"},
			{int64(2), nil, nil, nil, nil, nil, nil, nil},
			{int64(3), true, int64(7), -1.5, "c", arrow.Date32(19000), int64(1000), "c"},
		}
		if len(batches) != 1 || !sameRows(batches[0], want) {
			t.Fatalf("junk %#x: read %v, want %v", junk, batches, want)
		}
	}
	for i := 1; i < len(files); i++ {
		if !bytes.Equal(files[0], files[i]) {
			t.Errorf("the file written with junk under its NULLs (case %d) differs from the one with zeros", i)
		}
	}
}
