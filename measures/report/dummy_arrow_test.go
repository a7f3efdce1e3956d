package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ehrql-go/ehrql/measures/report"
)

// writeMeasuresArrow writes one row of the births measure as Arrow, its
// numerator of type num (int64 or a string).
func writeMeasuresArrow(t *testing.T, num arrow.DataType) string {
	t.Helper()
	str := arrow.BinaryTypes.String
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: str}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "measure", Type: dict}, {Name: "interval_start", Type: arrow.FixedWidthTypes.Date32},
		{Name: "interval_end", Type: arrow.FixedWidthTypes.Date32}, {Name: "ratio", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "numerator", Type: num}, {Name: "denominator", Type: arrow.PrimitiveTypes.Int32},
		{Name: "sex", Type: str, Nullable: true}, {Name: "band", Type: str, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "dob", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	if err := b.Field(0).(*array.BinaryDictionaryBuilder).AppendString("births"); err != nil {
		t.Fatal(err)
	}
	b.Field(1).(*array.Date32Builder).Append(arrow.Date32(18262)) // 2020-01-01
	b.Field(2).(*array.Date32Builder).Append(arrow.Date32(18627)) // 2020-12-31
	b.Field(3).AppendNull()
	switch nb := b.Field(4).(type) {
	case *array.Int64Builder:
		nb.Append(14)
	case *array.StringBuilder:
		nb.Append("14")
	}
	b.Field(5).(*array.Int32Builder).Append(20)
	b.Field(6).(*array.StringBuilder).Append("female")
	for i := 7; i < 10; i++ {
		b.Field(i).AppendNull()
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "m.arrow")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema), ipc.WithZstd())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDummyFileArrow(t *testing.T) {
	ms := testMeasures(t)
	rows, err := report.ReadDummyFile(writeMeasuresArrow(t, arrow.PrimitiveTypes.Int64), ms)
	if err != nil {
		t.Fatal(err)
	}
	got := writeCSV(t, ms, rows, false)
	want := "measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\n" +
		"births,2020-01-01,2020-12-31,0.7,14,20,female,,,\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	_, err = report.ReadDummyFile(writeMeasuresArrow(t, arrow.BinaryTypes.String), ms)
	if err == nil || !strings.Contains(err.Error(), "Type mismatch in column 'numerator': expected int, got utf8") {
		t.Errorf("a string numerator: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.arrow")
	os.WriteFile(bad, []byte("measure,interval_start\n"), 0o600)
	if _, err := report.ReadDummyFile(bad, ms); err == nil || !strings.Contains(err.Error(), "not a valid Arrow IPC file") {
		t.Errorf("a CSV named .arrow: %v", err)
	}
}

// A folder holds one file per measure, with no measure column.
func TestDummyFileFolder(t *testing.T) {
	ms := testMeasures(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "births.csv"), []byte("interval_start,interval_end,ratio,numerator,denominator,sex\n2020-01-01,2020-12-31,,14,20,female\n"), 0o600)
	_, err := report.ReadDummyFile(dir, ms)
	if want := "Missing file: " + filepath.Join(dir, "events.csv"); err == nil || err.Error() != want {
		t.Errorf("no events file: %v, want %s", err, want)
	}
	os.WriteFile(filepath.Join(dir, "events.csv"), []byte("interval_start,interval_end,ratio,numerator,denominator,band,sex,n,dob\n2020-01-01,2020-12-31,,3,9,young,,5,1999-12-31\n"), 0o600)
	rows, err := report.ReadDummyFile(dir, ms)
	if err != nil {
		t.Fatal(err)
	}
	got := writeCSV(t, ms, rows, false)
	want := "measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\n" +
		"births,2020-01-01,2020-12-31,0.7,14,20,female,,,\n" +
		"events,2020-01-01,2020-12-31,0.3333333333333333,3,9,,young,5,1999-12-31\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	os.WriteFile(filepath.Join(dir, "events.arrow"), nil, 0o600)
	if _, err := report.ReadDummyFile(dir, ms); err == nil || !strings.Contains(err.Error(), "Found multiple file formats (.arrow, .csv) in: "+dir) {
		t.Errorf("two formats: %v", err)
	}
}
