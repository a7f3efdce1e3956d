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

// TestZeroStrings: a string array's NULL slots end up empty wherever they
// are (last, first, in a slice of a larger array), and an array whose NULLs
// span no bytes is passed through as it is.
func TestZeroStrings(t *testing.T) {
	mem := memory.NewGoAllocator()
	mk := func(validity byte, offsets []int32, data string) *array.String {
		d := array.NewData(arrow.BinaryTypes.String, len(offsets)-1, []*memory.Buffer{
			memory.NewBufferBytes([]byte{validity}),
			memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)),
			memory.NewBufferBytes([]byte(data)),
		}, nil, array.UnknownNullCount, 0)
		defer d.Release()
		return array.NewStringData(d)
	}
	cases := []struct {
		name  string
		arr   arrow.Array
		want  []any
		clean bool // passed through unchanged
	}{
		{"a last NULL spanning bytes", mk(0b01, []int32{0, 1, 3}, "axy"), []any{"a", nil}, false},
		{"a first NULL spanning bytes", mk(0b10, []int32{0, 2, 3}, "xyb"), []any{nil, "b"}, false},
		{"NULLs spanning nothing", mk(0b010, []int32{0, 0, 1, 1}, "b"), []any{nil, "b", nil}, true},
		{"a slice whose NULL spans bytes", array.NewSlice(mk(0b0101, []int32{0, 1, 3, 4, 6}, "axycxy"), 1, 4), []any{nil, "c", nil}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.arr.Release()
			out, err := zeroUnderNulls(mem, tc.arr)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			s := out.(*array.String)
			offsets := s.ValueOffsets()
			for j, w := range tc.want {
				got := any(nil)
				if !s.IsNull(j) {
					got = s.Value(j)
				} else if offsets[j+1] != offsets[j] {
					t.Errorf("slot %d is NULL but spans %d bytes", j, offsets[j+1]-offsets[j])
				}
				if got != w {
					t.Errorf("slot %d = %v, want %v", j, got, w)
				}
			}
			if same := out == tc.arr; same != tc.clean {
				t.Errorf("passed through: %v, want %v", same, tc.clean)
			}
		})
	}
}

// TestZeroFixedWidthSlice: in a slice (an array with an offset), the NULL
// slots of the slice are zeroed, at their place in the shared buffer.
func TestZeroFixedWidthSlice(t *testing.T) {
	mem := memory.NewGoAllocator()
	d := array.NewData(arrow.PrimitiveTypes.Int64, 4, []*memory.Buffer{
		memory.NewBufferBytes([]byte{0b1011}),
		memory.NewBufferBytes(arrow.Int64Traits.CastToBytes([]int64{1, 2, 99, 4})),
	}, nil, array.UnknownNullCount, 0)
	whole := array.NewInt64Data(d)
	d.Release()
	defer whole.Release()
	slice := array.NewSlice(whole, 1, 4) // 2, NULL (99 underneath), 4
	defer slice.Release()
	out, err := zeroUnderNulls(mem, slice)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	ints := out.(*array.Int64)
	if got := ints.Int64Values(); len(got) != 3 || got[0] != 2 || got[1] != 0 || got[2] != 4 || !ints.IsNull(1) {
		t.Errorf("values %v (NULL at 1: %v), want [2 0 4] with NULL at 1", got, ints.IsNull(1))
	}
}
