package output

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// wantArrowSchema is the schema ehrQL writes for csvCols.
const wantArrowSchema = "schema:\n  fields: 8\n" +
	"    - patient_id: type=int64\n" +
	"    - flag: type=bool, nullable\n" +
	"    - n: type=uint16, nullable\n" +
	"    - x: type=float64, nullable\n" +
	"    - s: type=utf8, nullable\n" +
	"    - cat: type=dictionary<values=utf8, indices=int8, ordered=true>, nullable\n" +
	"    - dt: type=date32, nullable\n" +
	"    - score: type=int8, nullable"

// readArrow opens an Arrow IPC file and returns its schema and, per batch,
// its rows as Go values (see cell).
func readArrow(t testing.TB, mem memory.Allocator, path string) (*arrow.Schema, [][][]any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	defer r.Close()
	var batches [][][]any
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatalf("reading batch %d of %s: %v", i, path, err)
		}
		if !rec.Schema().Equal(r.Schema()) {
			t.Errorf("batch %d schema differs from file schema", i)
		}
		rows := make([][]any, rec.NumRows())
		for j := range rows {
			rows[j] = make([]any, rec.NumCols())
			for c := range rows[j] {
				rows[j][c] = cell(t, rec.Column(c), j)
			}
		}
		batches = append(batches, rows)
	}
	return r.Schema(), batches
}

// cell returns arr[i] as nil, bool, int64, float64, string or arrow.Date32;
// dictionary values are decoded to their strings.
func cell(t testing.TB, arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return int64(a.Value(i))
	case *array.Uint16:
		return int64(a.Value(i))
	case *array.Uint32:
		return int64(a.Value(i))
	case *array.Uint64:
		return int64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Date32:
		return a.Value(i)
	case *array.Dictionary:
		return cell(t, a.Dictionary(), a.GetValueIndex(i))
	default:
		t.Fatalf("unexpected array type %v", arr.DataType())
		return nil
	}
}

// normalise converts test-table values to the forms cell returns.
func normalise(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, row := range rows {
		out[i] = make([]any, len(row))
		for j, v := range row {
			if n, ok := v.(int); ok {
				v = int64(n)
			}
			out[i][j] = v
		}
	}
	return out
}

// sameRows compares rows, treating NaN as equal to NaN.
func sameRows(a, b [][]any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			x, xok := a[i][j].(float64)
			y, yok := b[i][j].(float64)
			if xok && yok && math.IsNaN(x) && math.IsNaN(y) {
				continue
			}
			if !reflect.DeepEqual(a[i][j], b[i][j]) {
				return false
			}
		}
	}
	return true
}

func TestArrowRoundTrip(t *testing.T) {
	mem := checkedAlloc(t)
	path := filepath.Join(t.TempDir(), "nested", "out.arrow")
	input := csvRows(t)
	var recs []arrow.RecordBatch
	for _, rows := range input {
		recs = append(recs, makeBatch(t, mem, csvCols, rows))
	}
	writeAll(t, mem, path, csvCols, nil, recs...)
	for _, r := range recs {
		r.Release()
	}

	schema, batches := readArrow(t, mem, path)
	if got := schema.String(); got != wantArrowSchema {
		t.Errorf("schema =\n%s\nwant\n%s", got, wantArrowSchema)
	}
	wantTypes := []arrow.DataType{
		arrow.PrimitiveTypes.Int64,
		arrow.FixedWidthTypes.Boolean,
		arrow.PrimitiveTypes.Uint16,
		arrow.PrimitiveTypes.Float64,
		arrow.BinaryTypes.String,
		&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String, Ordered: true},
		arrow.FixedWidthTypes.Date32,
		arrow.PrimitiveTypes.Int8,
	}
	for i, f := range schema.Fields() {
		if !arrow.TypeEqual(f.Type, wantTypes[i]) {
			t.Errorf("field %s type %v, want %v", f.Name, f.Type, wantTypes[i])
		}
		if f.Name != csvCols[i].Name || f.Nullable != csvCols[i].Nullable {
			t.Errorf("field %d = %s nullable=%v, want %s nullable=%v", i, f.Name, f.Nullable, csvCols[i].Name, csvCols[i].Nullable)
		}
	}
	if len(batches) != len(input) {
		t.Fatalf("file has %d batches, want %d (one per Write)", len(batches), len(input))
	}
	for i := range input {
		if want := normalise(input[i]); !sameRows(batches[i], want) {
			t.Errorf("batch %d =\n%v\nwant\n%v", i, batches[i], want)
		}
	}
}

func TestArrowDictionary(t *testing.T) {
	// The dictionary is the full category list, in order, in every batch,
	// and indices point into it.
	mem := checkedAlloc(t)
	path := filepath.Join(t.TempDir(), "out.arrow")
	cols := []Column{
		{Name: "patient_id", Kind: Int},
		{Name: "c", Kind: Str, Nullable: true, Categories: []string{"z", "y", "x", "unused"}},
	}
	b1 := makeBatch(t, mem, cols, [][]any{{1, "x"}, {2, nil}, {3, "z"}})
	b2 := makeBatch(t, mem, cols, [][]any{{4, "y"}})
	writeAll(t, mem, path, cols, nil, b1, b2)
	b1.Release()
	b2.Release()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.NumDictionaries(); got != 1 {
		t.Errorf("file has %d dictionary batches, want 1", got)
	}
	wantIndices := [][]string{{"2", "null", "0"}, {"1"}}
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		dict := rec.Column(1).(*array.Dictionary)
		if got := dict.Dictionary().String(); got != `["z" "y" "x" "unused"]` {
			t.Errorf("batch %d dictionary = %s", i, got)
		}
		var idx []string
		for j := 0; j < dict.Len(); j++ {
			if dict.IsNull(j) {
				idx = append(idx, "null")
			} else {
				idx = append(idx, fmt.Sprint(dict.GetValueIndex(j)))
			}
		}
		if !reflect.DeepEqual(idx, wantIndices[i]) {
			t.Errorf("batch %d indices = %v, want %v", i, idx, wantIndices[i])
		}
	}
}

func TestArrowZeroRows(t *testing.T) {
	mem := checkedAlloc(t)
	path := filepath.Join(t.TempDir(), "empty.arrow")
	writeAll(t, mem, path, csvCols, nil)
	schema, batches := readArrow(t, mem, path)
	if got := schema.String(); got != wantArrowSchema {
		t.Errorf("schema =\n%s\nwant\n%s", got, wantArrowSchema)
	}
	if len(batches) != 0 {
		t.Errorf("file has %d batches, want 0", len(batches))
	}
}

func TestArrowCompressed(t *testing.T) {
	// 200,000 rows in 4 batches of highly repetitive data: zstd must make
	// the file far smaller than the same batches written uncompressed.
	mem := checkedAlloc(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "big.arrow")
	cols := []Column{
		{Name: "patient_id", Kind: Int},
		{Name: "s", Kind: Str, Nullable: true},
		{Name: "c", Kind: Str, Nullable: true, Categories: []string{"a", "b"}},
	}
	const perBatch, nbatch = 50000, 4
	var recs []arrow.RecordBatch
	for b := 0; b < nbatch; b++ {
		rows := make([][]any, perBatch)
		for i := range rows {
			rows[i] = []any{b*perBatch + i, "the same long string value on every row", "a"}
		}
		recs = append(recs, makeBatch(t, mem, cols, rows))
	}
	writeAll(t, mem, path, cols, nil, recs...)

	// The same batches, converted but written without compression.
	var raw bytes.Buffer
	conv := newArrowConverter(mem, cols)
	fw, err := ipc.NewFileWriter(&raw, ipc.WithSchema(conv.schema), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		out, err := conv.convert(rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := fw.Write(out); err != nil {
			t.Fatal(err)
		}
		out.Release()
		rec.Release()
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	conv.release()

	data := readFile(t, path)
	if len(data)*5 > raw.Len() {
		t.Errorf("compressed file is %d bytes, uncompressed %d: want at least 5x smaller", len(data), raw.Len())
	}
	if !bytes.Contains(data, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		t.Errorf("file contains no zstd frame")
	}
	_, batches := readArrow(t, mem, path)
	if len(batches) != nbatch {
		t.Fatalf("file has %d batches, want %d", len(batches), nbatch)
	}
	for b, rows := range batches {
		if len(rows) != perBatch {
			t.Fatalf("batch %d has %d rows, want %d", b, len(rows), perBatch)
		}
		last := rows[perBatch-1]
		want := []any{int64((b+1)*perBatch - 1), "the same long string value on every row", "a"}
		if !reflect.DeepEqual(last, want) {
			t.Errorf("batch %d last row = %v, want %v", b, last, want)
		}
	}
}

func TestArrowWriteErrors(t *testing.T) {
	pid := Column{Name: "patient_id", Kind: Int}
	tests := []struct {
		name    string
		cols    []Column // writer columns
		recCols []Column // columns of the batch written (nil: cols)
		rows    [][]any
		want    string
		// arrowOnly marks checks CSV does not make: like ehrQL, CSV neither
		// narrows ints nor checks categories.
		arrowOnly bool
	}{
		{
			name:      "category violation",
			cols:      []Column{pid, {Name: "c", Kind: Str, Nullable: true, Categories: []string{"a", "it's"}}},
			rows:      [][]any{{1, "a"}, {2, "x"}},
			want:      "Invalid value 'x' for column 'c'\nAllowed are: 'a', \"it's\"",
			arrowOnly: true,
		},
		{
			name:      "int does not fit uint16",
			cols:      []Column{pid, {Name: "n", Kind: Int, Nullable: true, Min: i64(0), Max: i64(65535)}},
			rows:      [][]any{{1, 65535}, {2, 65536}},
			want:      "value 65536 for column 'n' does not fit in its Arrow type uint16 (range 0..65535)",
			arrowOnly: true,
		},
		{
			name:      "negative into unsigned",
			cols:      []Column{pid, {Name: "n", Kind: Int, Nullable: true, Min: i64(0), Max: i64(3)}},
			rows:      [][]any{{1, -1}},
			want:      "value -1 for column 'n' does not fit in its Arrow type uint8 (range 0..255)",
			arrowOnly: true,
		},
		{
			name:      "int does not fit int8",
			cols:      []Column{pid, {Name: "s", Kind: Int, Nullable: true, Min: i64(-100), Max: i64(100)}},
			rows:      [][]any{{1, -129}},
			want:      "value -129 for column 's' does not fit in its Arrow type int8 (range -128..127)",
			arrowOnly: true,
		},
		{
			name: "null in non-nullable column",
			cols: []Column{pid},
			rows: [][]any{{nil}},
			want: "column 'patient_id' is not nullable but contains NULL",
		},
		{
			name:    "wrong type",
			cols:    []Column{pid, {Name: "v", Kind: Float, Nullable: true}},
			recCols: []Column{pid, {Name: "v", Kind: Int, Nullable: true}},
			rows:    [][]any{{1, 2}},
			want:    "column 'v' of type float has Arrow type int64, want float64",
		},
		{
			name:    "wrong name",
			cols:    []Column{pid, {Name: "v", Kind: Float, Nullable: true}},
			recCols: []Column{pid, {Name: "w", Kind: Float, Nullable: true}},
			rows:    [][]any{{1, 2.0}},
			want:    "record batch column 1 is named 'w', want 'v'",
		},
		{
			name:    "wrong column count",
			cols:    []Column{pid, {Name: "v", Kind: Float, Nullable: true}},
			recCols: []Column{pid},
			rows:    [][]any{{1}},
			want:    "record batch has 1 columns, want 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ext := range []string{".arrow", ".csv"} {
				if ext == ".csv" && tt.arrowOnly {
					continue
				}
				mem := checkedAlloc(t)
				dir := t.TempDir()
				path := filepath.Join(dir, "out"+ext)
				recCols := tt.recCols
				if recCols == nil {
					recCols = tt.cols
				}
				w, err := create(path, tt.cols, nil, mem)
				if err != nil {
					t.Fatal(err)
				}
				rec := makeBatch(t, mem, recCols, tt.rows)
				err = w.Write(rec)
				rec.Release()
				want := "output: writing " + path + ": " + tt.want
				if err == nil || err.Error() != want {
					t.Errorf("%s: Write error = %v, want %q", ext, err, want)
				}
				// The writer stays failed.
				rec = makeBatch(t, mem, tt.cols, nil)
				if err2 := w.Write(rec); err2 == nil || err2.Error() != want {
					t.Errorf("%s: second Write error = %v, want %q", ext, err2, want)
				}
				rec.Release()
				w.Abort()
				if names := dirEntries(t, dir); len(names) != 0 {
					t.Errorf("%s: after Abort directory holds %q", ext, names)
				}
			}
		})
	}
}
