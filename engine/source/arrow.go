package source

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/query/model"
)

// arrowPlan is one table to load from an Arrow IPC file.
type arrowPlan struct {
	table *model.Table
	path  string
}

// arrowFile is an open Arrow IPC file and, for patient_id and each schema
// column, the index of its field (-1 if absent).
type arrowFile struct {
	f     *os.File
	r     *ipc.FileReader
	cols  []colParser
	index []int
}

func (af *arrowFile) Close() {
	af.r.Close()
	af.f.Close()
}

// notArrow reports a file the Arrow reader cannot read.
func (p arrowPlan) notArrow(cause any) error {
	return &CellError{File: p.path, Msg: fmt.Sprintf("not a valid Arrow IPC file (%v)", cause)}
}

// open opens the file and matches its schema against the table's columns.
// The Arrow reader trusts the file's metadata and may panic on a malformed
// file: that is a bad input file, not a crash.
func (p arrowPlan) open() (af *arrowFile, err error) {
	f, err := os.Open(p.path)
	if err != nil {
		return nil, fmt.Errorf("opening dummy table: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			f.Close()
			af, err = nil, p.notArrow(r)
		}
	}()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		f.Close()
		return nil, p.notArrow(err)
	}
	af = &arrowFile{f: f, r: r}
	schema := r.Schema()
	field := func(name string) int {
		if idx := schema.FieldIndices(name); len(idx) > 0 {
			return idx[0]
		}
		return -1
	}
	pid := field("patient_id")
	if pid < 0 {
		af.Close()
		return nil, &CellError{File: p.path, Msg: "Missing columns: patient_id"}
	}
	af.cols = append(af.cols, colParser{name: "patient_id", kind: model.KindInt, idx: pid})
	for _, c := range p.table.Columns {
		cp := colParser{name: c.Name, kind: c.Type.Kind, idx: field(c.Name), nullable: true}
		if cats, ok := c.Categories(); ok {
			cp.setCategories(cats)
		}
		af.cols = append(af.cols, cp)
	}
	for _, c := range af.cols {
		if c.idx < 0 {
			continue
		}
		got := schema.Field(c.idx).Type
		if d, ok := got.(*arrow.DictionaryType); ok {
			got = d.ValueType
		}
		if !ArrowFamily(c.kind, got) {
			af.Close()
			return nil, &CellError{File: p.path, Column: c.name,
				Msg: fmt.Sprintf("Type mismatch in column '%s': expected %s, got %s", c.name, KindName(c.kind), schema.Field(c.idx).Type)}
		}
	}
	return af, nil
}

// KindName names a column kind in messages about Arrow files, as ehrQL's
// column spec types: codes and multi-code strings are read as strings.
func KindName(k model.Kind) string {
	switch k {
	case model.KindBool:
		return "bool"
	case model.KindInt:
		return "int"
	case model.KindFloat:
		return "float"
	case model.KindDate:
		return "date"
	}
	return "str"
}

// ArrowFamily is ehrQL's type test for an Arrow column of kind k (a
// dictionary's value type, for a dictionary-encoded column).
func ArrowFamily(k model.Kind, t arrow.DataType) bool {
	switch k {
	case model.KindBool:
		return t.ID() == arrow.BOOL
	case model.KindInt:
		return arrow.IsInteger(t.ID())
	case model.KindFloat:
		return arrow.IsFloating(t.ID())
	case model.KindDate:
		return t.ID() == arrow.DATE32 || t.ID() == arrow.DATE64
	}
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING || t.ID() == arrow.STRING_VIEW
}

// check opens the file and checks its schema.
func (p arrowPlan) check() error {
	af, err := p.open()
	if err != nil {
		return err
	}
	af.Close()
	return nil
}

// load creates the plan's table and appends the file's rows to it.
func (p arrowPlan) load(ctx context.Context, conn *sql.Conn) error {
	af, err := p.open()
	if err != nil {
		return err
	}
	defer af.Close()
	return createAndAppend(ctx, conn, p.table, func(app *duckdb.Appender) error { return p.stream(ctx, af, app) })
}

// stream appends every row of the file to app, checking each value.
func (p arrowPlan) stream(ctx context.Context, af *arrowFile, app *duckdb.Appender) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = p.notArrow(r)
		}
	}()
	row := make([]driver.Value, len(af.cols))
	var seen map[int64]int
	if p.table.PatientLevel {
		seen = map[int64]int{}
	}
	n := 0
	for b := 0; b < af.r.NumRecords(); b++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("loading %s: %w", p.path, err)
		}
		rec, err := af.r.RecordBatch(b)
		if err != nil {
			return p.notArrow(err)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			n++
			for j := range af.cols {
				c := &af.cols[j]
				if c.idx < 0 {
					row[j] = nil
					continue
				}
				v, msg := c.arrowValue(rec.Column(c.idx), i)
				if msg != "" {
					return &CellError{File: p.path, Row: n, Column: c.name, Msg: msg}
				}
				row[j] = v
			}
			if seen != nil {
				pid := row[0].(int64)
				if first, dup := seen[pid]; dup {
					return &CellError{File: p.path, Row: n, Column: "patient_id",
						Msg: fmt.Sprintf("duplicate patient_id %d (first in row %d): table '%s' has at most one row per patient", pid, first, p.table.Name)}
				}
				seen[pid] = n
			}
			if err := app.AppendRow(row...); err != nil {
				return fmt.Errorf("%s, row %d: appending to table %s: %w", p.path, n, p.table.Name, err)
			}
		}
	}
	return nil
}

// arrowValue converts the value at row i of arr, of the column's type
// family, to an appender value, checking nullability and categories. On
// failure it returns a message in ehrQL's words.
func (c *colParser) arrowValue(arr arrow.Array, i int) (driver.Value, string) {
	v, msg := ArrowValue(arr, i)
	if msg != "" {
		return nil, msg
	}
	switch x := v.(type) {
	case bool:
		if x {
			return c.checked(x, 1)
		}
		return c.checked(x, 0)
	case int64:
		return c.checked(x, float64(x))
	case float64:
		return c.checked(x, x)
	case string:
		return c.checkedStr(x)
	}
	return c.checked(v, 0)
}

// ArrowValue is the value at row i of an Arrow array of a type ehrQL reads
// (dictionary-encoded or not): nil for NULL, else a bool, an int64, a
// float64, a string or a date (a time.Time at midnight UTC). On failure it
// returns a message in ehrQL's words. It may panic on a malformed array, as
// the Arrow library does.
func ArrowValue(arr arrow.Array, i int) (any, string) {
	if d, ok := arr.(*array.Dictionary); ok {
		if d.IsNull(i) {
			return nil, ""
		}
		return ArrowValue(d.Dictionary(), d.GetValueIndex(i))
	}
	if arr.IsNull(i) {
		return nil, ""
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i), ""
	case *array.Int8:
		return int64(a.Value(i)), ""
	case *array.Int16:
		return int64(a.Value(i)), ""
	case *array.Int32:
		return int64(a.Value(i)), ""
	case *array.Int64:
		return a.Value(i), ""
	case *array.Uint8:
		return int64(a.Value(i)), ""
	case *array.Uint16:
		return int64(a.Value(i)), ""
	case *array.Uint32:
		return int64(a.Value(i)), ""
	case *array.Uint64:
		if a.Value(i) > math.MaxInt64 {
			return nil, fmt.Sprintf("int %d out of range for a 64-bit integer", a.Value(i))
		}
		return int64(a.Value(i)), ""
	case *array.Float16:
		return float64(a.Value(i).Float32()), ""
	case *array.Float32:
		return float64(a.Value(i)), ""
	case *array.Float64:
		return a.Value(i), ""
	case *array.Date32:
		return a.Value(i).ToTime(), ""
	case *array.Date64:
		t := a.Value(i).ToTime()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), ""
	case *array.String:
		return a.Value(i), ""
	case *array.LargeString:
		return a.Value(i), ""
	case *array.StringView:
		return a.Value(i), ""
	}
	return nil, fmt.Sprintf("unsupported Arrow type %s", arr.DataType())
}

// checkedStr checks a string value: valid UTF-8, in the categories.
func (c *colParser) checkedStr(s string) (driver.Value, string) {
	if i := invalidUTF8(s); i >= 0 {
		return nil, fmt.Sprintf("text is not valid UTF-8: byte 0x%02x at position %d of %s", s[i], i, pyRepr(s))
	}
	return c.checked(s, 0)
}

// checked applies the column's nullability and categories to a value (num
// is its numeric value, for numeric categories).
func (c *colParser) checked(v driver.Value, num float64) (driver.Value, string) {
	if v == nil {
		if !c.nullable {
			return nil, "NULL value in non-nullable column '" + c.name + "'"
		}
		return nil, ""
	}
	if c.hasCats && !c.inCategories(v, num) {
		return nil, fmt.Sprintf("%v not in valid categories: %s", pyValue(v), c.catText)
	}
	return v, ""
}

// pyValue is a value as Python would print it in a message.
func pyValue(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return pyRepr(v)
	case float64:
		return pyFloatRepr(v)
	case bool:
		if v {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}
