package output

import (
	"bytes"
	"compress/gzip"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func i64(v int64) *int64 { return &v }

// d parses a YYYY-MM-DD literal into a Date32 day count for test tables.
func d(t testing.TB, s string) arrow.Date32 {
	t.Helper()
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		t.Fatalf("bad date literal %q", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:7])
	dd, err3 := strconv.Atoi(s[8:])
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatalf("bad date literal %q", s)
	}
	return arrow.Date32(daysFromCivil(int64(y), m, dd))
}

// makeBatch builds a natural-typed batch; nil is NULL, and values are
// bool, int64/int, float64, string or arrow.Date32 according to the kind.
func makeBatch(t testing.TB, mem memory.Allocator, cols []Column, rows [][]any) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, NaturalSchema(cols))
	defer b.Release()
	for r, row := range rows {
		if len(row) != len(cols) {
			t.Fatalf("row %d has %d values, want %d", r, len(row), len(cols))
		}
		for i, v := range row {
			fb := b.Field(i)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch c := cols[i]; c.Kind {
			case Bool:
				fb.(*array.BooleanBuilder).Append(v.(bool))
			case Int:
				switch n := v.(type) {
				case int:
					fb.(*array.Int64Builder).Append(int64(n))
				case int64:
					fb.(*array.Int64Builder).Append(n)
				default:
					t.Fatalf("row %d column %s: bad int %T", r, c.Name, v)
				}
			case Float:
				fb.(*array.Float64Builder).Append(v.(float64))
			case Str:
				fb.(*array.StringBuilder).Append(v.(string))
			case Date:
				fb.(*array.Date32Builder).Append(v.(arrow.Date32))
			}
		}
	}
	return b.NewRecordBatch()
}

// writeAll creates a writer for path, writes each batch and closes it.
func writeAll(t testing.TB, mem memory.Allocator, path string, cols []Column, stdout io.Writer, batches ...arrow.RecordBatch) {
	t.Helper()
	w, err := create(path, cols, stdout, mem)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	for i, rec := range batches {
		if err := w.Write(rec); err != nil {
			w.Abort()
			t.Fatalf("write batch %d to %s: %v", i, path, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close %s: %v", path, err)
	}
}

// dirEntries returns the sorted names in dir.
func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzip(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := zr.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return out
}

// checkedAlloc returns an allocator that fails the test if anything it
// allocated is still held when the test ends.
func checkedAlloc(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func arrowDate(days int32) arrow.Date32 { return arrow.Date32(days) }

func nan() float64 { return math.NaN() }

func negZero() float64 { return math.Copysign(0, -1) }
