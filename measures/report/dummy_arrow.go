package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/query/model"
)

// readArrowDummy reads an Arrow measures file: each column the measures
// need must be of its type's family (as ehrQL's Arrow reader checks), and
// its values are then checked as a CSV file's are.
func readArrowDummy(path string, ms []model.Measure, implied string) (rows []engine.MeasureRow, err error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("Missing file: %s", path)
		}
		return nil, err
	}
	defer f.Close()
	// The Arrow reader trusts the file's metadata and may panic on a
	// malformed file: that is a bad input file, not a crash.
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("'%s': not a valid Arrow IPC file (%v)", path, r)
		}
	}()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return nil, fmt.Errorf("'%s': not a valid Arrow IPC file (%v)", path, err)
	}
	defer r.Close()
	schema := r.Schema()
	header := make([]string, schema.NumFields())
	for i, fld := range schema.Fields() {
		header[i] = fld.Name
	}
	var mismatched []error
	for _, c := range Columns(ms) {
		idx := schema.FieldIndices(c.Name)
		if len(idx) == 0 {
			continue // reported as missing with the others
		}
		got := schema.Field(idx[0]).Type
		valueType := got
		if d, ok := got.(*arrow.DictionaryType); ok {
			valueType = d.ValueType
		}
		if k := modelKind(c.Kind); !source.ArrowFamily(k, valueType) {
			mismatched = append(mismatched, fmt.Errorf("Type mismatch in column '%s': expected %s, got %s", c.Name, source.KindName(k), got))
		}
	}
	if len(mismatched) > 0 {
		return nil, errors.Join(mismatched...)
	}
	return readRecords(path, header, &arrowRecords{r: r}, ms, implied)
}

// modelKind is the column kind of an output column kind.
func modelKind(k output.Kind) model.Kind {
	switch k {
	case output.Bool:
		return model.KindBool
	case output.Int:
		return model.KindInt
	case output.Float:
		return model.KindFloat
	case output.Date:
		return model.KindDate
	}
	return model.KindStr
}

// arrowRecords gives the rows of an Arrow file as text fields, written as
// ehrQL's CSV writer writes them (NULL empty, bools T or F, dates
// YYYY-MM-DD).
type arrowRecords struct {
	r     *ipc.FileReader
	batch int
	rec   arrow.RecordBatch
	row   int
}

// Read implements recordReader.
func (a *arrowRecords) Read() ([]string, error) {
	for a.rec == nil || a.row >= int(a.rec.NumRows()) {
		if a.batch >= a.r.NumRecords() {
			return nil, io.EOF
		}
		rec, err := a.r.RecordBatch(a.batch)
		if err != nil {
			return nil, err
		}
		a.rec, a.row = rec, 0
		a.batch++
	}
	out := make([]string, a.rec.NumCols())
	for j := range out {
		v, msg := source.ArrowValue(a.rec.Column(j), a.row)
		if msg != "" {
			return nil, errors.New(msg)
		}
		switch v := v.(type) {
		case nil:
		case bool:
			out[j] = "F"
			if v {
				out[j] = "T"
			}
		case int64:
			out[j] = strconv.FormatInt(v, 10)
		case float64:
			out[j] = strconv.FormatFloat(v, 'g', -1, 64)
		case time.Time:
			out[j] = v.Format(time.DateOnly)
		case string:
			out[j] = v
		}
	}
	a.row++
	return out, nil
}
