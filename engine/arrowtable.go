package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/query/model"
)

// The query model's reader of table_from_file's Arrow files is this
// package's, which links an Arrow reader.
func init() { model.ReadArrowTableFile = readArrowTableFile }

// readArrowTableFile reads the rows of a patient-level table from an Arrow
// IPC file, as ehrQL's ArrowRowsReader does: patient_id and the given
// columns matched by name (with allowMissing, nullable columns the file
// lacks read as NULL), each of its type's family (see source.ArrowFamily),
// a NULL only in a nullable column, categorical columns holding only their
// categories. Each row is patient_id followed by the columns, in the order
// given; messages name shown, the row and the column.
func readArrowTableFile(path, shown string, columns []model.FileColumn, allowMissing bool) (rows [][]model.Literal, err error) {
	f, err := model.OpenTableFile(path, shown)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The Arrow reader trusts the file's metadata and may panic on a
	// malformed file: that is a bad input file, not a crash.
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("%s: not a valid Arrow IPC file (%v)", shown, r)
		}
	}()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Arrow IPC file (%v)", shown, err)
	}
	defer r.Close()
	all := append([]model.FileColumn{{Column: model.Column{Name: "patient_id", Type: model.Int}}}, columns...)
	schema := r.Schema()
	index := make([]int, len(all))
	var missing, mismatched []string
	for i, c := range all {
		index[i] = -1
		if idx := schema.FieldIndices(c.Name); len(idx) > 0 {
			index[i] = idx[0]
		}
		if index[i] < 0 {
			if !(allowMissing && c.Nullable && i > 0) {
				missing = append(missing, c.Name)
			}
			continue
		}
		got := schema.Field(index[i]).Type
		valueType := got
		if d, ok := got.(*arrow.DictionaryType); ok {
			valueType = d.ValueType
		}
		if !source.ArrowFamily(c.Type.Kind, valueType) {
			mismatched = append(mismatched, fmt.Sprintf("Type mismatch in column '%s': expected %s, got %s", c.Name, source.KindName(c.Type.Kind), got))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: Missing columns: %s", shown, strings.Join(missing, ", "))
	}
	if len(mismatched) > 0 {
		return nil, fmt.Errorf("%s: %s", shown, strings.Join(mismatched, "\n"))
	}
	n := 0
	for b := 0; b < r.NumRecords(); b++ {
		rec, err := r.RecordBatch(b)
		if err != nil {
			return nil, fmt.Errorf("%s: not a valid Arrow IPC file (%v)", shown, err)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			n++
			row := make([]model.Literal, len(all))
			for j, c := range all {
				if index[j] < 0 {
					continue
				}
				v, msg := source.ArrowValue(rec.Column(index[j]), i)
				if msg == "" {
					row[j], msg = arrowLiteral(v, c)
				}
				if msg != "" {
					return nil, fmt.Errorf("%s, row %d, column '%s': %s", shown, n, c.Name, msg)
				}
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// arrowLiteral is the literal of a value read from an Arrow file for
// column c, or a message saying why it does not fit.
func arrowLiteral(v any, c model.FileColumn) (model.Literal, string) {
	var l model.Literal
	switch v := v.(type) {
	case nil:
		if c.Name == "patient_id" || !c.Nullable {
			return l, "NULL value in non-nullable column"
		}
		return l, ""
	case bool:
		l = model.BoolLit(v)
	case int64:
		l = model.IntLit(v)
	case float64:
		l = model.FloatLit(v)
	case time.Time:
		l = model.DateLit(model.DateOf(v))
	case string:
		var err error
		l, err = model.ParseCell(v, c.Type)
		if err != nil {
			return l, err.Error()
		}
	}
	if c.Categories != nil && !containsLiteral(c.Categories, l) {
		return l, "value not in the column's categories"
	}
	return l, ""
}

// containsLiteral reports whether list holds l.
func containsLiteral(list []model.Literal, l model.Literal) bool {
	for _, x := range list {
		if x.Go() == l.Go() && x.Type() == l.Type() {
			return true
		}
	}
	return false
}
