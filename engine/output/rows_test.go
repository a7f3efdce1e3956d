package output

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2"
)

func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func query(t *testing.T, db *sql.DB, q string) *sql.Rows {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	t.Cleanup(func() { rows.Close() })
	return rows
}

var duckCols = []Column{
	{Name: "patient_id", Kind: Int},
	{Name: "b", Kind: Bool, Nullable: true},
	{Name: "i", Kind: Int, Nullable: true},
	{Name: "f", Kind: Float, Nullable: true},
	{Name: "s", Kind: Str, Nullable: true},
	{Name: "d", Kind: Date, Nullable: true},
}

const duckQuery = `
SELECT * FROM (VALUES
	(1::BIGINT, TRUE,  -5::BIGINT,   0.5::DOUBLE,  'a'::VARCHAR, DATE '2020-01-31'),
	(2::BIGINT, NULL,  NULL,         NULL,         NULL,         NULL),
	(3::BIGINT, FALSE, 9223372036854775807::BIGINT, 'nan'::DOUBLE, 'x,"y"', DATE '0001-01-01'),
	(4::BIGINT, TRUE,  0::BIGINT,    1e16::DOUBLE, '',           DATE '1969-12-31'),
	(5::BIGINT, FALSE, 42::BIGINT,   -0.0::DOUBLE, 'héllo',      DATE '9999-12-31')
) AS t(patient_id, b, i, f, s, d)
ORDER BY patient_id`

// driverQuery runs q on one connection of db and returns the driver's own
// rows, as the engine reads them.
func driverQuery(t *testing.T, db *sql.DB, q string) driver.Rows {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var rows driver.Rows
	err = conn.Raw(func(dc any) error {
		var err error
		rows, err = dc.(driver.QueryerContext).QueryContext(context.Background(), q, nil)
		return err
	})
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	t.Cleanup(func() { rows.Close() })
	return rows
}

func TestRowBatcherTypes(t *testing.T) {
	for _, through := range []string{"database/sql", "driver"} {
		t.Run(through, func(t *testing.T) {
			db := openDuckDB(t)
			b := NewRowBatcher(query(t, db, duckQuery), duckCols, 2)
			if through == "driver" {
				b = newDriverRowBatcher(driverQuery(t, db, duckQuery), duckCols, 2)
			}
			checkTypes(t, b)
		})
	}
}

func checkTypes(t *testing.T, b *RowBatcher) {
	mem := checkedAlloc(t)
	b.mem = mem
	want := [][][]any{
		{
			{int64(1), true, int64(-5), 0.5, "a", d(t, "2020-01-31")},
			{int64(2), nil, nil, nil, nil, nil},
		},
		{
			{int64(3), false, int64(9223372036854775807), nan(), `x,"y"`, d(t, "0001-01-01")},
			{int64(4), true, int64(0), 1e16, "", d(t, "1969-12-31")},
		},
		{
			{int64(5), false, int64(42), negZero(), "héllo", d(t, "9999-12-31")},
		},
	}
	var got [][][]any
	for {
		rec, err := b.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Schema().Equal(NaturalSchema(duckCols)) {
			t.Errorf("batch schema = %v, want natural schema", rec.Schema())
		}
		rows := make([][]any, rec.NumRows())
		for i := range rows {
			for c := 0; c < int(rec.NumCols()); c++ {
				rows[i] = append(rows[i], cell(t, rec.Column(c), i))
			}
		}
		got = append(got, rows)
		rec.Release()
	}
	if len(got) != 3 {
		t.Fatalf("got %d batches, want 3", len(got))
	}
	for i := range want {
		if !sameRows(got[i], want[i]) {
			t.Errorf("batch %d =\n%v\nwant\n%v", i, got[i], want[i])
		}
	}
	// -0.0 keeps its sign.
	if f := got[2][0][3].(float64); !reflect.DeepEqual(pyFloat(f), "-0.0") {
		t.Errorf("-0.0 came back as %s", pyFloat(f))
	}
	if _, err := b.Next(); err != io.EOF {
		t.Errorf("Next after end = %v, want io.EOF", err)
	}
}

func TestRowBatcherDefaultBatchSize(t *testing.T) {
	mem := checkedAlloc(t)
	db := openDuckDB(t)
	cols := []Column{{Name: "patient_id", Kind: Int}}
	b := NewRowBatcher(query(t, db, "SELECT range AS patient_id FROM range(0, 200000) ORDER BY 1"), cols, 0)
	b.mem = mem
	var sizes []int64
	next := int64(0)
	for {
		rec, err := b.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, rec.NumRows())
		ids := rec.Column(0)
		for i := 0; i < ids.Len(); i++ {
			if v := cell(t, ids, i); v != next {
				t.Fatalf("row %d = %v, want %d", next, v, next)
			}
			next++
		}
		rec.Release()
	}
	if want := []int64{64000, 64000, 64000, 8000}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("batch sizes = %v, want %v", sizes, want)
	}
}

func TestRowBatcherEmpty(t *testing.T) {
	db := openDuckDB(t)
	cols := []Column{{Name: "patient_id", Kind: Int}}
	b := NewRowBatcher(query(t, db, "SELECT 1::BIGINT WHERE false"), cols, 10)
	if rec, err := b.Next(); err != io.EOF {
		t.Errorf("Next = %v, %v; want io.EOF", rec, err)
	}
}

func TestRowBatcherErrors(t *testing.T) {
	tests := []struct {
		name string
		cols []Column
		q    string
		want string // error prefix
	}{
		{"column count", duckCols[:2], "SELECT 1::BIGINT", "output: reading query results: query returns 1 columns, want 2"},
		{"invalid columns", []Column{{Name: "x"}}, "SELECT 1", "output: reading query results: column 'x' has invalid kind Kind(0)"},
		{"wrong type", []Column{{Name: "patient_id", Kind: Int}}, "SELECT 'abc'", "output: reading column 'patient_id': got a value of Go type string, want int"},
		{"numbers as text are not converted", []Column{{Name: "patient_id", Kind: Int}}, "SELECT '12'", "output: reading column 'patient_id': got a value of Go type string, want int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAlloc(t)
			db := openDuckDB(t)
			b := NewRowBatcher(query(t, db, tt.q), tt.cols, 0)
			b.mem = mem
			var err error
			for err == nil {
				var rec arrow.RecordBatch
				rec, err = b.Next()
				if rec != nil {
					rec.Release()
				}
			}
			if err == io.EOF || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error = %v, want prefix %q", err, tt.want)
			}
			// The error is sticky.
			if _, err2 := b.Next(); err2 != err {
				t.Errorf("second Next = %v, want %v", err2, err)
			}
		})
	}
}

func TestRowBatcherRelease(t *testing.T) {
	mem := checkedAlloc(t)
	db := openDuckDB(t)
	b := NewRowBatcher(query(t, db, duckQuery), duckCols, 2)
	b.mem = mem
	rec, err := b.Next()
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	b.Release() // abandon early: buffers freed (checked allocator)
	b.Release()
	if _, err := b.Next(); err != io.EOF {
		t.Errorf("Next after Release = %v, want io.EOF", err)
	}
}

func TestCopy(t *testing.T) {
	cols := []Column{
		{Name: "patient_id", Kind: Int},
		{Name: "sex", Kind: Str, Nullable: true, Categories: []string{"female", "male", "unknown"}},
		{Name: "age", Kind: Int, Nullable: true, Min: i64(0), Max: i64(120)},
		{Name: "bmi", Kind: Float, Nullable: true},
	}
	const q = `
SELECT * FROM (VALUES
	(1::BIGINT, 'female', 34::BIGINT, 22.5::DOUBLE),
	(2::BIGINT, NULL, NULL, NULL),
	(3::BIGINT, 'male', 120::BIGINT, 1.0/3)
) AS t(patient_id, sex, age, bmi) ORDER BY patient_id`
	const wantCSV = "patient_id,sex,age,bmi\r\n1,female,34,22.5\r\n2,,,\r\n3,male,120,0.3333333333333333\r\n"
	for _, name := range formats {
		t.Run(name, func(t *testing.T) {
			mem := checkedAlloc(t)
			db := openDuckDB(t)
			path := filepath.Join(t.TempDir(), name)
			w, err := create(path, cols, nil, mem)
			if err != nil {
				t.Fatal(err)
			}
			b := NewRowBatcher(query(t, db, q), cols, 2)
			b.mem = mem
			n, err := Copy(w, b)
			if err != nil || n != 3 {
				t.Fatalf("Copy = %d, %v; want 3, nil", n, err)
			}
			got := readFile(t, path)
			switch name {
			case "out.csv":
				if string(got) != wantCSV {
					t.Errorf("got %q, want %q", got, wantCSV)
				}
			case "out.csv.gz":
				if got := gunzip(t, got); string(got) != wantCSV {
					t.Errorf("got %q, want %q", got, wantCSV)
				}
			default:
				schema, batches := readArrow(t, mem, path)
				wantSchema := "schema:\n  fields: 4\n" +
					"    - patient_id: type=int64\n" +
					"    - sex: type=dictionary<values=utf8, indices=int8, ordered=true>, nullable\n" +
					"    - age: type=uint8, nullable\n" +
					"    - bmi: type=float64, nullable"
				if schema.String() != wantSchema {
					t.Errorf("schema =\n%s\nwant\n%s", schema, wantSchema)
				}
				want := [][][]any{
					{{int64(1), "female", int64(34), 22.5}, {int64(2), nil, nil, nil}},
					{{int64(3), "male", int64(120), 1.0 / 3}},
				}
				if !reflect.DeepEqual(batches, want) {
					t.Errorf("batches = %v, want %v", batches, want)
				}
			}
		})
	}
}

func TestCopyFailureLeavesNothing(t *testing.T) {
	cols := []Column{
		{Name: "patient_id", Kind: Int},
		{Name: "sex", Kind: Str, Nullable: true, Categories: []string{"female", "male"}},
	}
	tests := []struct {
		name, file, q, want string
	}{
		{
			name: "category violation in second batch",
			file: "out.arrow",
			q:    "SELECT range AS patient_id, CASE WHEN range < 70000 THEN 'male' ELSE 'other' END AS sex FROM range(0, 100000) ORDER BY 1",
			want: "Invalid value 'other' for column 'sex'\nAllowed are: 'female', 'male'",
		},
		{
			name: "wrong column count",
			file: "out.csv",
			q:    "SELECT 1::BIGINT",
			want: "query returns 1 columns, want 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAlloc(t)
			db := openDuckDB(t)
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			w, err := create(path, cols, nil, mem)
			if err != nil {
				t.Fatal(err)
			}
			b := NewRowBatcher(query(t, db, tt.q), cols, 0)
			b.mem = mem
			_, err = Copy(w, b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Copy error = %v, want it to contain %q", err, tt.want)
			}
			if names := dirEntries(t, dir); len(names) != 0 {
				t.Errorf("failed Copy left %q", names)
			}
			if err := w.Close(); !errors.Is(err, errClosed) {
				t.Errorf("Close after failed Copy = %v, want errClosed", err)
			}
		})
	}
}
