// Package report turns the engine's per-measure sums (engine.MeasureRow)
// into the measures table ehrQL writes: its columns, rows, ratios and
// disclosure control.
package report

import (
	"cmp"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/measures/sdc"
	"github.com/ehrql-go/ehrql/query/model"
)

// BatchSize is the number of rows per record batch written, as ehrQL's.
const BatchSize = 64000

// Columns returns the combined measures table's columns: the writers' form
// of the query model's measures column specs (model.MeasuresColumnSpecs).
func Columns(ms []model.Measure) []output.Column {
	return output.ColumnsOf(model.MeasuresColumnSpecs(ms))
}

// Line is one row of the measures table, after disclosure control.
type Line struct {
	engine.MeasureRow
	// Ratio is Numerator / Denominator; RatioValid is false (NULL) when
	// the denominator is 0.
	Ratio      float64
	RatioValid bool
}

// Lines turns the engine's rows into the measures table's rows: each row
// checked against its measure (a known name, only
// its own group columns, values of the columns' types), disclosure control
// applied when sdc is true (numerator and denominator rounded
// independently; negative counts are an error), the ratio computed from
// the released counts, and the rows put in a deterministic order: measure
// definition order, then interval, then group values in the measure's
// group order (NULL first, then ascending).
func Lines(ms []model.Measure, rows []engine.MeasureRow, sdcOn bool) ([]Line, error) {
	cols := Columns(ms)
	kinds := map[string]output.Kind{}
	for _, c := range cols[model.MeasuresFixedColumns:] {
		kinds[c.Name] = c.Kind
	}
	index := map[string]int{}
	for i, m := range ms {
		if _, ok := index[m.Name]; !ok {
			index[m.Name] = i
		}
	}
	lines := make([]Line, 0, len(rows))
	for _, r := range rows {
		i, ok := index[r.Measure]
		if !ok {
			return nil, fmt.Errorf("measures: a result row names an unknown measure %q", r.Measure)
		}
		m := ms[i]
		for name, v := range r.Groups {
			if !slices.ContainsFunc(m.GroupBy, func(g model.Variable) bool { return g.Name == name }) {
				return nil, fmt.Errorf("measures: %s: a result row has a value for %q, which is not one of its group_by columns", m.Name, name)
			}
			if err := checkValue(kinds[name], v); err != nil {
				return nil, fmt.Errorf("measures: %s: group_by column %q: %w", m.Name, name, err)
			}
		}
		l := Line{MeasureRow: r}
		if sdcOn {
			num, den, ratio, ok, err := sdc.Apply(r.Numerator, r.Denominator)
			if err != nil {
				return nil, fmt.Errorf("measures: %s, interval %s to %s: %w", m.Name, r.Start, r.End, err)
			}
			l.Numerator, l.Denominator, l.Ratio, l.RatioValid = num, den, ratio, ok
		} else {
			l.Ratio, l.RatioValid = sdc.Ratio(r.Numerator, r.Denominator)
		}
		lines = append(lines, l)
	}
	slices.SortStableFunc(lines, func(a, b Line) int {
		ia, ib := index[a.Measure], index[b.Measure]
		if c := cmp.Compare(ia, ib); c != 0 {
			return c
		}
		if c := compareDates(a.Start, b.Start); c != 0 {
			return c
		}
		if c := compareDates(a.End, b.End); c != 0 {
			return c
		}
		for _, g := range ms[ia].GroupBy {
			if c := compareValues(a.Groups[g.Name], b.Groups[g.Name]); c != 0 {
				return c
			}
		}
		return 0
	})
	return lines, nil
}

func checkValue(k output.Kind, v any) error {
	if v == nil {
		return nil
	}
	var ok bool
	switch k {
	case output.Bool:
		_, ok = v.(bool)
	case output.Int:
		switch v.(type) {
		case int64, int:
			ok = true
		}
	case output.Float:
		_, ok = v.(float64)
	case output.Str:
		_, ok = v.(string)
	case output.Date:
		_, ok = v.(model.CivilDate)
	}
	if !ok {
		return fmt.Errorf("value %v (%T) is not of type %s", v, v, k)
	}
	return nil
}

func compareDates(a, b model.CivilDate) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Day, b.Day))
}

// compareValues orders group values: NULL first, then ascending (false
// before true).
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int64:
		return cmp.Compare(x, asInt(b))
	case int:
		return cmp.Compare(int64(x), asInt(b))
	case float64:
		y, _ := b.(float64)
		return cmp.Compare(x, y)
	case string:
		y, _ := b.(string)
		return cmp.Compare(x, y)
	case model.CivilDate:
		y, _ := b.(model.CivilDate)
		return compareDates(x, y)
	}
	return 0
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}

// Records builds the lines as record batches of at most BatchSize rows in
// the natural schema of cols (output.NaturalSchema), as Writer.Write takes
// them. The caller releases them. A nil mem is memory.DefaultAllocator.
func Records(mem memory.Allocator, cols []output.Column, lines []Line) ([]arrow.RecordBatch, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	schema := output.NaturalSchema(cols)
	var out []arrow.RecordBatch
	release := func() {
		for _, r := range out {
			r.Release()
		}
	}
	for start := 0; start < len(lines); start += BatchSize {
		end := min(start+BatchSize, len(lines))
		b := array.NewRecordBuilder(mem, schema)
		for _, l := range lines[start:end] {
			b.Field(0).(*array.StringBuilder).Append(l.Measure)
			b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(l.Start.Time()))
			b.Field(2).(*array.Date32Builder).Append(arrow.Date32FromTime(l.End.Time()))
			if l.RatioValid {
				b.Field(3).(*array.Float64Builder).Append(l.Ratio)
			} else {
				b.Field(3).AppendNull()
			}
			b.Field(4).(*array.Int64Builder).Append(l.Numerator)
			b.Field(5).(*array.Int64Builder).Append(l.Denominator)
			for i, c := range cols[model.MeasuresFixedColumns:] {
				if err := appendValue(b.Field(model.MeasuresFixedColumns+i), c, l.Groups[c.Name]); err != nil {
					b.Release()
					release()
					return nil, err
				}
			}
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return out, nil
}

func appendValue(b array.Builder, c output.Column, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	if err := checkValue(c.Kind, v); err != nil {
		return fmt.Errorf("measures: group_by column %q: %w", c.Name, err)
	}
	switch c.Kind {
	case output.Bool:
		b.(*array.BooleanBuilder).Append(v.(bool))
	case output.Int:
		b.(*array.Int64Builder).Append(asInt(v))
	case output.Float:
		b.(*array.Float64Builder).Append(v.(float64))
	case output.Str:
		b.(*array.StringBuilder).Append(v.(string))
	case output.Date:
		b.(*array.Date32Builder).Append(arrow.Date32FromTime(v.(model.CivilDate).Time()))
	}
	return nil
}

// Write writes the measures table for ms and the engine's rows to path
// (".arrow", ".csv" or ".csv.gz"; "" or "-" for CSV on stdout) through
// engine/output, applying disclosure control when sdc is true. The file
// appears only when complete.
func Write(path string, stdout io.Writer, ms []model.Measure, rows []engine.MeasureRow, sdcOn bool) error {
	lines, err := Lines(ms, rows, sdcOn)
	if err != nil {
		return err
	}
	cols := Columns(ms)
	recs, err := Records(memory.DefaultAllocator, cols, lines)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	w, err := output.Create(path, cols, stdout)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			w.Abort()
			return err
		}
	}
	if err := w.Close(); err != nil {
		w.Abort()
		return err
	}
	return nil
}

// WriteDir writes one file per measure into dir (ehrQL's directory output,
// "measures/:csv"): <measure name><ext>, with the interval, ratio, numerator
// and denominator columns and the measure's own group_by columns, in the
// order of its definition (no measure column).
func WriteDir(dir, ext string, ms []model.Measure, rows []engine.MeasureRow, sdcOn bool) error {
	lines, err := Lines(ms, rows, sdcOn)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, m := range ms {
		var own []Line
		for _, l := range lines {
			if l.Measure == m.Name {
				own = append(own, l)
			}
		}
		all := Columns([]model.Measure{m})
		recs, err := Records(memory.DefaultAllocator, all, own)
		if err != nil {
			return err
		}
		cols := all[1:]
		schema := output.NaturalSchema(cols)
		path := filepath.Join(dir, url.PathEscape(m.Name)+ext)
		w, err := output.Create(path, cols, nil)
		if err != nil {
			releaseAll(recs)
			return err
		}
		for _, r := range recs {
			trimmed := array.NewRecordBatch(schema, r.Columns()[1:], r.NumRows())
			err = w.Write(trimmed)
			trimmed.Release()
			if err != nil {
				break
			}
		}
		releaseAll(recs)
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			w.Abort()
			return err
		}
	}
	return nil
}

func releaseAll(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}
