// Package resultfile reads back the files ehrql writes — datasets, event
// tables and measures, as Arrow IPC, CSV or CSV.gz — into columns of
// values, for the commands that chart and describe them.
package resultfile

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// Kind is a column's type, as ehrQL's outputs have them.
type Kind int

// The kinds.
const (
	Str Kind = iota
	Bool
	Int
	Float
	Date
)

func (k Kind) String() string { return [...]string{"str", "bool", "int", "float", "date"}[k] }

// Column is one column of a file. Values holds each row's value as text
// (ehrQL's CSV spelling: T/F, YYYY-MM-DD, decimal numbers); Null marks the
// rows without one.
type Column struct {
	Name string
	Kind Kind
	// Categories are a categorical column's possible values (from an Arrow
	// dictionary), nil otherwise.
	Categories []string
	Values     []string
	Null       []bool
}

// Table is a whole file.
type Table struct {
	Path    string
	Columns []Column
	Rows    int
}

// Column returns the named column, or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Read reads a .arrow, .csv or .csv.gz file.
func Read(path string) (*Table, error) {
	var (
		t   *Table
		err error
	)
	switch {
	case strings.HasSuffix(path, ".arrow"):
		t, err = readArrow(path)
	case strings.HasSuffix(path, ".csv"), strings.HasSuffix(path, ".csv.gz"):
		t, err = readCSV(path)
	default:
		return nil, fmt.Errorf("%s: expected a .arrow, .csv or .csv.gz file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Path = path
	return t, nil
}

func readCSV(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: expected a header row")
	}
	if err != nil {
		return nil, err
	}
	t := &Table{}
	for _, name := range header {
		t.Columns = append(t.Columns, Column{Name: name})
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		for i := range t.Columns {
			c := &t.Columns[i]
			c.Values = append(c.Values, rec[i])
			c.Null = append(c.Null, rec[i] == "")
		}
		t.Rows++
	}
	for i := range t.Columns {
		t.Columns[i].Kind = inferKind(&t.Columns[i])
	}
	return t, nil
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// inferKind gives a CSV column the narrowest kind all its values have.
func inferKind(c *Column) Kind {
	fits := map[Kind]func(string) bool{
		Bool: func(v string) bool { return v == "T" || v == "F" },
		Int: func(v string) bool {
			_, err := strconv.ParseInt(v, 10, 64)
			return err == nil
		},
		Float: func(v string) bool {
			_, err := strconv.ParseFloat(v, 64)
			return err == nil
		},
		Date: func(v string) bool {
			_, err := time.Parse(time.DateOnly, v)
			return isoDate.MatchString(v) && err == nil
		},
	}
	seen := false
	for _, k := range []Kind{Bool, Int, Float, Date} {
		ok := true
		for j, v := range c.Values {
			if c.Null[j] {
				continue
			}
			seen = true
			if !fits[k](v) {
				ok = false
				break
			}
		}
		if ok && seen {
			return k
		}
	}
	return Str
}

func readArrow(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return nil, fmt.Errorf("not an Arrow IPC file: %w", err)
	}
	defer r.Close()
	t := &Table{}
	for _, field := range r.Schema().Fields() {
		c := Column{Name: field.Name}
		typ := field.Type
		if dt, ok := typ.(*arrow.DictionaryType); ok {
			typ = dt.ValueType
		}
		switch typ.ID() {
		case arrow.BOOL:
			c.Kind = Bool
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
			c.Kind = Int
		case arrow.FLOAT32, arrow.FLOAT64:
			c.Kind = Float
		case arrow.DATE32, arrow.DATE64:
			c.Kind = Date
		case arrow.STRING, arrow.LARGE_STRING:
			c.Kind = Str
		default:
			return nil, fmt.Errorf("column %s: unsupported Arrow type %s", field.Name, field.Type)
		}
		t.Columns = append(t.Columns, c)
	}
	for b := 0; b < r.NumRecords(); b++ {
		rec, err := r.RecordBatch(b)
		if err != nil {
			return nil, err
		}
		for i, arr := range rec.Columns() {
			c := &t.Columns[i]
			if d, ok := arr.(*array.Dictionary); ok {
				if c.Categories == nil {
					dict := d.Dictionary()
					for j := 0; j < dict.Len(); j++ {
						c.Categories = append(c.Categories, dict.ValueStr(j))
					}
				}
			}
			for j := 0; j < arr.Len(); j++ {
				if arr.IsNull(j) {
					c.Values = append(c.Values, "")
					c.Null = append(c.Null, true)
					continue
				}
				c.Values = append(c.Values, arrowValue(arr, j))
				c.Null = append(c.Null, false)
			}
		}
		t.Rows += int(rec.NumRows())
	}
	return t, nil
}

// arrowValue spells one value as ehrQL's CSV output would.
func arrowValue(arr arrow.Array, j int) string {
	switch a := arr.(type) {
	case *array.Dictionary:
		return a.Dictionary().ValueStr(a.GetValueIndex(j))
	case *array.Boolean:
		if a.Value(j) {
			return "T"
		}
		return "F"
	case *array.Float64:
		return strconv.FormatFloat(a.Value(j), 'g', -1, 64)
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(j)), 'g', -1, 32)
	case *array.Date32:
		return a.Value(j).ToTime().Format(time.DateOnly)
	case *array.Date64:
		return a.Value(j).ToTime().Format(time.DateOnly)
	}
	return arr.ValueStr(j)
}
