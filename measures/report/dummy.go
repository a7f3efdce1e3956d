package report

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/query/model"
)

// ReadDummyFile reads a measures table supplied with --dummy-data-file
// (".csv", ".csv.gz" or ".arrow") as the engine's rows, validating it against the
// combined measures columns (Columns(ms)) as ehrQL does: every column must
// be present (extra columns are ignored, order is free), every value must
// parse as its column's type (ehrQL's lenient int, float and date parsing,
// bools as T or F), str values must be among the column's categories, and
// measure and the interval dates must not be NULL. Every mistake found is
// listed, one per line, as '<file>', row <n>: column '<name>': <detail>.
// The ratio column is read but ignored: the caller recomputes it (after
// disclosure control, if on). A NULL numerator or denominator is an error,
// since the counts are required; each row keeps only its own measure's
// group columns.
//
// A folder holds one file per measure, <measure>.csv, .csv.gz or .arrow
// (all in one format), with the measure's columns but no measure column,
// as ehrQL reads it.
func ReadDummyFile(path string, ms []model.Measure) ([]engine.MeasureRow, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return readDummyDir(path, ms)
	}
	return readDummyPath(path, ms, "")
}

// readDummyPath reads one file. A file of one measure's results, named by
// implied, has no measure column.
func readDummyPath(path string, ms []model.Measure, implied string) ([]engine.MeasureRow, error) {
	var r io.Reader
	switch {
	case strings.HasSuffix(path, ".csv.gz"), strings.HasSuffix(path, ".csv"):
	case strings.HasSuffix(path, ".arrow"):
		return readArrowDummy(path, ms, implied)
	default:
		ext := filepath.Ext(path)
		if ext == "" {
			ext = filepath.Base(path)
		}
		return nil, fmt.Errorf("Unsupported file type: %s", ext)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("Missing file: %s", path)
		}
		return nil, err
	}
	defer f.Close()
	r = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("'%s': %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	return readDummy(path, r, ms, implied)
}

func readDummy(path string, r io.Reader, ms []model.Measure, implied string) ([]engine.MeasureRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("'%s': missing header row", path)
	}
	if err != nil {
		return nil, fmt.Errorf("'%s': %w", path, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	return readRecords(path, header, cr, ms, implied)
}

// readDummyDir reads a folder of one file per measure.
func readDummyDir(dir string, ms []model.Measure) ([]engine.MeasureRow, error) {
	ext, err := source.DirFormat(dir)
	if err != nil {
		return nil, err
	}
	var rows []engine.MeasureRow
	for _, m := range ms {
		path := filepath.Join(dir, m.Name+ext)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("Missing file: %s", path)
		}
		got, err := readDummyPath(path, []model.Measure{m}, m.Name)
		if err != nil {
			return nil, err
		}
		rows = append(rows, got...)
	}
	return rows, nil
}

// recordReader gives a file's rows as text fields, as CSV holds them; it
// returns io.EOF after the last.
type recordReader interface {
	Read() ([]string, error)
}

// impliedMeasure adds the measure column to the rows of a file of one
// measure's results.
type impliedMeasure struct {
	recordReader
	name string
}

func (r impliedMeasure) Read() ([]string, error) {
	rec, err := r.recordReader.Read()
	if err != nil {
		return nil, err
	}
	return append(rec, r.name), nil
}

// readRecords validates and converts the rows of a file with the given
// header; implied, if not empty, is the measure of every row of a file
// with no measure column.
func readRecords(path string, header []string, cr recordReader, ms []model.Measure, implied string) ([]engine.MeasureRow, error) {
	if implied != "" {
		header = append(slices.Clip(header), model.MeasuresColMeasure)
		cr = impliedMeasure{cr, implied}
	}
	cols := Columns(ms)
	pos := map[string]int{}
	for i, h := range header {
		if _, ok := pos[h]; !ok {
			pos[h] = i
		}
	}
	var missing []string
	for _, c := range cols {
		if _, ok := pos[c.Name]; !ok {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("Missing columns: %s", strings.Join(missing, ", "))
	}
	groupsOf := map[string][]string{}
	for _, m := range ms {
		for _, g := range m.GroupBy {
			groupsOf[m.Name] = append(groupsOf[m.Name], g.Name)
		}
	}
	var errs []error
	var rows []engine.MeasureRow
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("'%s', row %d: %w", path, n, err))
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, fmt.Errorf("'%s', row %d: expected %d columns but got %d", path, n, len(header), len(rec)))
			continue
		}
		values := make(map[string]any, len(cols))
		bad := false
		for _, c := range cols {
			v, err := parseValue(c, rec[pos[c.Name]])
			if err == nil && v == nil && (!c.Nullable || c.Name == model.MeasuresColNumerator || c.Name == model.MeasuresColDenominator) {
				err = fmt.Errorf("NULL value in non-nullable column '%s'", c.Name)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("'%s', row %d: column '%s': %w", path, n, c.Name, err))
				bad = true
				continue
			}
			values[c.Name] = v
		}
		if bad {
			continue
		}
		row := engine.MeasureRow{
			Measure:     values[model.MeasuresColMeasure].(string),
			Start:       values[model.MeasuresColIntervalStart].(model.CivilDate),
			End:         values[model.MeasuresColIntervalEnd].(model.CivilDate),
			Numerator:   values[model.MeasuresColNumerator].(int64),
			Denominator: values[model.MeasuresColDenominator].(int64),
			Groups:      map[string]any{},
		}
		for _, g := range groupsOf[row.Measure] {
			row.Groups[g] = values[g]
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rows, nil
}

// parseValue parses one CSV field as ehrQL's CSV reader does: empty is
// NULL.
// invalidUTF8At returns the position of the first byte of s that does not
// begin a valid UTF-8 sequence.
func invalidUTF8At(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(s)
}

func parseValue(c output.Column, s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch c.Kind {
	case output.Bool:
		switch s {
		case "T":
			return true, nil
		case "F":
			return false, nil
		}
		return nil, errors.New("invalid boolean, must be 'T' or 'F'")
	case output.Int:
		if v, err := model.ParsePyInt(s); err == nil {
			return v, nil
		}
		return nil, fmt.Errorf("invalid literal for int() with base 10: %s", pyQuote(s))
	case output.Float:
		if v, err := model.ParsePyFloat(s); err == nil {
			return v, nil
		}
		return nil, fmt.Errorf("could not convert string to float: %s", pyQuote(s))
	case output.Date:
		for _, layout := range []string{"2006-01-02", "20060102"} {
			if len(s) == len(layout) {
				if t, err := time.Parse(layout, s); err == nil {
					return model.DateOf(t), nil
				}
			}
		}
		return nil, fmt.Errorf("Invalid isoformat string: %s", pyQuote(s))
	default:
		if !utf8.ValidString(s) {
			i := invalidUTF8At(s)
			return nil, fmt.Errorf("text is not valid UTF-8: byte 0x%02x at position %d", s[i], i)
		}
		if c.Categories != nil && !slices.Contains(c.Categories, s) {
			quoted := make([]string, len(c.Categories))
			for i, v := range c.Categories {
				quoted[i] = pyQuote(v)
			}
			return nil, fmt.Errorf("%s not in valid categories: %s", pyQuote(s), strings.Join(quoted, ", "))
		}
		return s, nil
	}
}

// pyQuote renders a string as Python's repr does for plain text.
func pyQuote(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}
