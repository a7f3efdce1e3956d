package engine

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// DummyFileError lists every way a --dummy-data-file fails to match the
// dataset's columns.
type DummyFileError struct {
	Path     string
	Problems []string
}

// Error implements the error interface.
func (e *DummyFileError) Error() string {
	return fmt.Sprintf("%s does not match the dataset:\n  %s", e.Path, strings.Join(e.Problems, "\n  "))
}

// WriteDummyDataFile checks a ready dataset file (ehrQL's --dummy-data-file:
// CSV, CSV.gz or Arrow) against the dataset's columns — all present, values
// of the right types and categories — and writes it out as the result, in
// any output format. Extra columns are ignored.
//
// A folder holds one file per output table, as a directory output writes
// them: dataset.csv and one file per event table (all .csv, .csv.gz or
// .arrow); it is written out as the dataset's tables are.
func (q *Query) WriteDummyDataFile(ctx context.Context, in, out string, stdout io.Writer) (int64, error) {
	if info, err := os.Stat(in); err == nil && info.IsDir() {
		return q.writeDummyDataDir(ctx, in, out, stdout)
	}
	if len(q.Events) > 0 {
		return 0, &DummyFileError{in, []string{fmt.Sprintf("the dataset has %d event table(s) besides the dataset: give a folder of files, dataset and one per event table", len(q.Events))}}
	}
	return copyDummyFile(ctx, in, q.Columns, true, out, stdout)
}

// writeDummyDataDir writes out a folder of dummy data files, one per output
// table, as Run writes the tables.
func (q *Query) writeDummyDataDir(ctx context.Context, in, out string, stdout io.Writer) (int64, error) {
	ext, err := source.DirFormat(in)
	if err != nil {
		return 0, err
	}
	type table struct {
		name         string
		cols         []model.ColumnSpec
		patientLevel bool
	}
	tables := []table{{"dataset", q.Columns, true}}
	for _, e := range q.Events {
		tables = append(tables, table{e.Name, e.Columns, false})
	}
	dir, outExt, isDir := SplitDirectoryOutput(out)
	if !isDir && out != "" && out != "-" {
		return 0, &OutputError{fmt.Sprintf("Attempting to write %d tables, but output only supports a single table\ntry -> %s/:%s",
			len(tables), strings.TrimSuffix(out, filepath.Ext(out)), strings.TrimPrefix(filepath.Ext(out), "."))}
	}
	if isDir {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
	}
	var n int64
	for i, t := range tables {
		file := filepath.Join(in, url.PathEscape(t.name)+ext)
		if _, err := os.Stat(file); err != nil {
			return n, &DummyFileError{in, []string{"Missing file: " + file}}
		}
		dest := "-"
		if isDir {
			dest = filepath.Join(dir, url.PathEscape(t.name)+outExt)
		} else {
			if i > 0 {
				fmt.Fprint(stdout, "\n")
			}
			fmt.Fprintln(stdout, t.name)
		}
		rows, err := copyDummyFile(ctx, file, t.cols, t.patientLevel, dest, stdout)
		if err != nil {
			return n, err
		}
		if i == 0 {
			n = rows
		}
	}
	return n, nil
}

// copyDummyFile checks one dummy data file against the columns of an
// output table (one row per patient when patientLevel) and writes it out.
func copyDummyFile(ctx context.Context, in string, cols []model.ColumnSpec, patientLevel bool, out string, stdout io.Writer) (int64, error) {
	format, err := output.FormatFromPath(in)
	if err != nil {
		return 0, fmt.Errorf("--dummy-data-file %s: %w", in, err)
	}
	if format == output.FormatArrow {
		return copyArrowDummyFile(in, cols, out, stdout)
	}
	return copyCSVDummyFile(ctx, in, cols, patientLevel, format == output.FormatCSVGz, out, stdout)
}

func copyCSVDummyFile(ctx context.Context, in string, columns []model.ColumnSpec, patientLevel, gz bool, out string, stdout io.Writer) (int64, error) {
	f, err := os.Open(in)
	if err != nil {
		return 0, err
	}
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return 0, fmt.Errorf("%s: %w", in, err)
		}
		r = zr
	}
	header, err := csv.NewReader(r).Read()
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("%s: reading the header: %w", in, err)
	}
	have := map[string]bool{}
	for _, h := range header {
		have[strings.TrimPrefix(h, "\ufeff")] = true
	}
	var problems []string
	for _, c := range columns {
		if !have[c.Name] {
			problems = append(problems, fmt.Sprintf("missing column '%s'", c.Name))
		}
	}
	if len(problems) > 0 {
		return 0, &DummyFileError{in, problems}
	}
	// Load it as a one-row-per-patient table typed by the dataset's columns,
	// which checks every value (and reports file, line and column).
	t := &model.Table{Name: "dataset", PatientLevel: patientLevel}
	for _, c := range columns[1:] {
		col := model.Column{Name: c.Name, Type: c.Type}
		if c.Categories != nil && c.Type.Kind == model.KindStr {
			col.Constraints = []model.Constraint{model.Categorical{Values: c.Categories}}
		}
		t.Columns = append(t.Columns, col)
	}
	dir, err := os.MkdirTemp("", "ehrql-dummy-file-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	abs, err := filepath.Abs(in)
	if err != nil {
		return 0, err
	}
	name := "dataset.csv"
	if gz {
		name += ".gz"
	}
	if err := os.Symlink(abs, filepath.Join(dir, name)); err != nil {
		return 0, err
	}
	s, err := open(ctx, "", duck.FromEnv())
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if err := source.LoadCSVDirConn(ctx, s.conn, dir, []*model.Table{t}); err != nil {
		var ce *source.CellError
		if errors.As(err, &ce) {
			ce.File = in
		}
		return 0, err
	}
	if _, err := s.lockdown(ctx); err != nil {
		return 0, err
	}
	cols := []string{"patient_id"}
	for _, c := range columns[1:] {
		cols = append(cols, sqlname.Ident(c.Name))
	}
	return runTable(ctx, s, []string{"SELECT " + strings.Join(cols, ", ") + ` FROM "dataset" ORDER BY patient_id, rowid`}, columns, out, stdout)
}

func copyArrowDummyFile(in string, columns []model.ColumnSpec, out string, stdout io.Writer) (rows int64, err error) {
	// The Arrow reader trusts the file's metadata and may panic on a
	// malformed file: that is a bad input file, not a crash.
	var w output.Writer
	defer func() {
		if r := recover(); r != nil {
			if w != nil {
				w.Abort()
			}
			rows, err = 0, &DummyFileError{in, []string{fmt.Sprintf("not a valid Arrow IPC file (%v)", r)}}
		}
	}()
	f, err := os.Open(in)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return 0, fmt.Errorf("%s is not an Arrow IPC file: %w", in, err)
	}
	defer r.Close()
	cols := output.ColumnsOf(columns)
	natural := output.NaturalSchema(cols)
	index := make([]int, len(cols))
	var problems []string
	for i, c := range cols {
		idx := r.Schema().FieldIndices(c.Name)
		if len(idx) == 0 {
			problems = append(problems, fmt.Sprintf("missing column '%s'", c.Name))
			continue
		}
		index[i] = idx[0]
		got := r.Schema().Field(idx[0]).Type
		if d, ok := got.(*arrow.DictionaryType); ok {
			got = d.ValueType
		}
		if !sameFamily(c.Kind, got) {
			problems = append(problems, fmt.Sprintf("column '%s': expected %s, got %s", c.Name, c.Kind, got))
		}
	}
	if len(problems) > 0 {
		return 0, &DummyFileError{in, problems}
	}
	w, err = output.Create(out, cols, stdout)
	if err != nil {
		return 0, err
	}
	var n int64
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			w.Abort()
			return n, fmt.Errorf("%s: batch %d: %w", in, i, err)
		}
		arrays := make([]arrow.Array, len(cols))
		for j := range cols {
			arrays[j], err = compute.CastArray(context.Background(), rec.Column(index[j]),
				compute.SafeCastOptions(natural.Field(j).Type))
			if err != nil {
				for _, a := range arrays[:j] {
					a.Release()
				}
				w.Abort()
				return n, fmt.Errorf("%s: column '%s': %w", in, cols[j].Name, err)
			}
		}
		nat := array.NewRecordBatch(natural, arrays, rec.NumRows())
		for _, a := range arrays {
			a.Release()
		}
		err = w.Write(nat)
		n += nat.NumRows()
		nat.Release()
		if err != nil {
			w.Abort()
			return n, err
		}
	}
	if err := w.Close(); err != nil {
		w.Abort()
		return n, err
	}
	return n, nil
}

// sameFamily is ehrQL's type-family check for Arrow input: any integer for
// int, any float for float, strings for str, date32/date64 for date.
func sameFamily(k output.Kind, t arrow.DataType) bool {
	switch k {
	case output.Bool:
		return t.ID() == arrow.BOOL
	case output.Int:
		return arrow.IsInteger(t.ID())
	case output.Float:
		return arrow.IsFloating(t.ID())
	case output.Str:
		return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING || t.ID() == arrow.STRING_VIEW
	case output.Date:
		return t.ID() == arrow.DATE32 || t.ID() == arrow.DATE64
	}
	return false
}
