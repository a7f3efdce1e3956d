package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ehrql-go/ehrql/query/model"
)

// arrowColumn is one column of an Arrow test file: its field and a
// function appending its values (nil for NULL) to the builder.
type arrowColumn struct {
	field  arrow.Field
	values []any
}

// writeArrow writes an Arrow IPC file of one record batch (zstd-compressed,
// as ehrQL writes them, when zstd is true).
func writeArrow(t *testing.T, path string, zstd bool, cols ...arrowColumn) {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.field
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i, c := range cols {
		for _, v := range c.values {
			fb := b.Field(i)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.Int32Builder:
				fb.Append(int32(v.(int)))
			case *array.Int64Builder:
				fb.Append(int64(v.(int)))
			case *array.Uint8Builder:
				fb.Append(uint8(v.(int)))
			case *array.Uint64Builder:
				fb.Append(v.(uint64))
			case *array.Float16Builder:
				fb.Append(float16.New(float32(v.(float64))))
			case *array.Float64Builder:
				fb.Append(v.(float64))
			case *array.BooleanBuilder:
				fb.Append(v.(bool))
			case *array.StringBuilder:
				fb.Append(v.(string))
			case *array.LargeStringBuilder:
				fb.Append(v.(string))
			case *array.BinaryDictionaryBuilder:
				if err := fb.AppendString(v.(string)); err != nil {
					t.Fatal(err)
				}
			case *array.Date32Builder:
				d := model.MustParseDate(v.(string))
				fb.Append(arrow.Date32FromTime(d.Time()))
			case *array.Date64Builder:
				d := model.MustParseDate(v.(string))
				fb.Append(arrow.Date64FromTime(d.Time()))
			default:
				t.Fatalf("no test builder for %T", fb)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts := []ipc.Option{ipc.WithSchema(schema)}
	if zstd {
		opts = append(opts, ipc.WithZstd())
	}
	w, err := ipc.NewFileWriter(f, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func col(name string, typ arrow.DataType, values ...any) arrowColumn {
	return arrowColumn{arrow.Field{Name: name, Type: typ, Nullable: true}, values}
}

var dictString = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}

func TestLoadArrowDir(t *testing.T) {
	dir := t.TempDir()
	writeArrow(t, filepath.Join(dir, "patients.arrow"), true,
		col("sex", dictString, "female", nil, "male"),
		col("patient_id", arrow.PrimitiveTypes.Int32, 1, 2, 3),
		col("date_of_birth", arrow.FixedWidthTypes.Date32, "1980-01-01", "1990-06-01", nil),
		col("extra", arrow.BinaryTypes.String, "a", "b", "c"),
	)
	writeArrow(t, filepath.Join(dir, "events.arrow"), false,
		col("patient_id", arrow.PrimitiveTypes.Uint8, 1, 1, 2),
		col("b", arrow.FixedWidthTypes.Boolean, true, false, nil),
		col("i", arrow.PrimitiveTypes.Int64, 42, -7, nil),
		col("f", arrow.FixedWidthTypes.Float16, 1.5, nil, -0.25),
		col("s", arrow.BinaryTypes.LargeString, "hello", "", nil),
		col("d", arrow.FixedWidthTypes.Date64, "2020-02-29", nil, "1999-12-31"),
		col("code", dictString, "22298006", "22298006", nil),
		// multi is absent: NULL in every row.
	)
	writeFiles(t, dir, map[string]string{"README.md": "not a table"})
	db := openDB(t)
	if err := LoadCSVDir(context.Background(), db, dir, []*model.Table{patientsT, allTypes}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"patients": {"1|1980-01-01|female", "2|1990-06-01|NULL", "3|NULL|male"},
		"events": {
			"1|T|42|1.5|hello|2020-02-29|22298006|NULL",
			"1|F|-7|NULL||NULL|22298006|NULL",
			"2|NULL|NULL|-0.25|NULL|1999-12-31|NULL|NULL",
		},
	}
	for table, rows := range want {
		if got := dump(t, db, table); !slices.Equal(got, rows) {
			t.Errorf("%s:\n got %q\nwant %q", table, got, rows)
		}
	}
}

func TestLoadArrowDirErrors(t *testing.T) {
	pid := col("patient_id", arrow.PrimitiveTypes.Int64, 1, 2)
	tests := []struct {
		name   string
		tables []*model.Table
		arrow  map[string][]arrowColumn
		files  map[string]string
		want   string
	}{
		{"no patient_id", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {col("sex", arrow.BinaryTypes.String, "male")}}, nil,
			"DIR/patients.arrow: Missing columns: patient_id"},
		{"type mismatch", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {pid, col("date_of_birth", arrow.BinaryTypes.String, "2020-01-01", nil)}}, nil,
			"DIR/patients.arrow, column 'date_of_birth': Type mismatch in column 'date_of_birth': expected date, got utf8"},
		{"int patient_id as float", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {col("patient_id", arrow.PrimitiveTypes.Float64, 1.0)}}, nil,
			"DIR/patients.arrow, column 'patient_id': Type mismatch in column 'patient_id': expected int, got float64"},
		{"category not allowed", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {pid, col("sex", dictString, "male", "M")}}, nil,
			"DIR/patients.arrow, row 2, column 'sex': 'M' not in valid categories: 'female', 'male', 'intersex', 'unknown'"},
		{"int category not allowed", []*model.Table{addressesT},
			map[string][]arrowColumn{"addresses": {pid, col("address_type", arrow.PrimitiveTypes.Int32, 3, 2)}}, nil,
			"DIR/addresses.arrow, row 2, column 'address_type': 2 not in valid categories: 0, 1, 3, 99"},
		{"NULL patient_id", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {col("patient_id", arrow.PrimitiveTypes.Int64, 1, nil)}}, nil,
			"DIR/patients.arrow, row 2, column 'patient_id': NULL value in non-nullable column 'patient_id'"},
		{"duplicate patient", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {col("patient_id", arrow.PrimitiveTypes.Int64, 1, 2, 1)}}, nil,
			"DIR/patients.arrow, row 3, column 'patient_id': duplicate patient_id 1 (first in row 1): table 'patients' has at most one row per patient"},
		{"int out of range", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {col("patient_id", arrow.PrimitiveTypes.Uint64, uint64(1)<<63)}}, nil,
			"DIR/patients.arrow, row 1, column 'patient_id': int 9223372036854775808 out of range for a 64-bit integer"},
		{"two formats", []*model.Table{patientsT},
			map[string][]arrowColumn{"patients": {pid}}, map[string]string{"clinical_events.csv": "patient_id\n"},
			"Found multiple file formats (.arrow, .csv) in: DIR"},
		{"missing table", []*model.Table{patientsT, eventsLike},
			map[string][]arrowColumn{"patients": {pid}}, nil,
			"no dummy table for 'clinical_events': expected DIR/clinical_events.arrow"},
		{"not Arrow", []*model.Table{patientsT},
			nil, map[string]string{"patients.arrow": "patient_id\n1\n"},
			"DIR/patients.arrow: not a valid Arrow IPC file (arrow/ipc: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, cols := range tt.arrow {
				writeArrow(t, filepath.Join(dir, name+".arrow"), false, cols...)
			}
			writeFiles(t, dir, tt.files)
			db := openDB(t)
			err := LoadCSVDir(context.Background(), db, dir, tt.tables)
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("error = %v\nwant    %s", err, want)
			}
			var fe *FileError
			var ce *CellError
			if !errors.As(err, &fe) && !errors.As(err, &ce) {
				t.Errorf("error %T is neither a *CellError nor a *FileError", err)
			}
			if names := tableNames(t, db); len(names) != 0 {
				t.Errorf("tables left after error: %v", names)
			}
		})
	}
}
