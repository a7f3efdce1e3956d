package model

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
)

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// TableFileName is the name given to a table read from a file (ehrQL's
// table_from_file) whose name, without extensions, is stem.
func TableFileName(stem string) string {
	return "file_" + strings.Trim(notIdent.ReplaceAllString(stem, "_"), "_")
}

// FileColumn is how one column of a table file is read.
type FileColumn struct {
	Column
	// Nullable columns may hold empty cells (NULL).
	Nullable bool
	// Categories, when not nil, are the only values allowed.
	Categories []Literal
}

// OpenTableFile opens a table file (path, named shown in messages) for
// reading, with ehrQL's message for a missing file, or one that is not a
// regular file.
func OpenTableFile(path, shown string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("Missing file: %s", shown)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a file", shown)
	}
	return f, nil
}

// ReadTableFile reads the rows of a patient-level table from a CSV file
// (gzipped when the name ends in .gz), as ehrQL's table_from_file does: a
// header row, then patient_id and the given columns matched by header
// name; an empty cell is NULL, booleans are T or F, dates YYYY-MM-DD.
// Each row is patient_id followed by the columns, in the order given.
// shown is the path to name in messages; with allowMissing, nullable
// columns the file lacks read as NULL. Messages name the file, line and
// column but never a cell's content beyond the value that failed to parse.
func ReadTableFile(path, shown string, columns []FileColumn, allowMissing bool) ([][]Literal, error) {
	rows, err := readTableFile(path, shown, columns, allowMissing)
	if err != nil {
		return nil, &TableFileError{err}
	}
	return rows, nil
}

// TableFileError is a table file (table_from_file) that cannot be read:
// missing, unreadable, or with rows that do not fit its columns. It is
// ehrQL's FileValidationError, whose exit code is 11.
type TableFileError struct{ Err error }

func (e *TableFileError) Error() string { return e.Err.Error() }

// Unwrap returns the reason the file cannot be read.
func (e *TableFileError) Unwrap() error { return e.Err }

func readTableFile(path, shown string, columns []FileColumn, allowMissing bool) ([][]Literal, error) {
	f, err := OpenTableFile(path, shown)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
		r = zr
	}
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", shown, err)
	}
	pos := map[string]int{}
	for i, h := range header {
		pos[strings.TrimPrefix(h, "\ufeff")] = i
	}
	all := append([]FileColumn{{Column: Column{Name: "patient_id", Type: Int}}}, columns...)
	var missing []string
	for _, c := range all {
		if _, ok := pos[c.Name]; !ok && !(allowMissing && c.Nullable) {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: Missing columns: %s", shown, strings.Join(missing, ", "))
	}
	var rows [][]Literal
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
		row := make([]Literal, len(all))
		for i, c := range all {
			p, ok := pos[c.Name]
			if !ok {
				continue
			}
			cell := rec[p]
			if cell == "" {
				if i == 0 || !c.Nullable {
					return nil, fmt.Errorf("%s, line %d, column '%s': NULL value in non-nullable column", shown, line, c.Name)
				}
				continue
			}
			v, err := ParseCell(cell, c.Type)
			if err != nil {
				return nil, fmt.Errorf("%s, line %d, column '%s': %w", shown, line, c.Name, err)
			}
			if c.Categories != nil && !containsLiteral(c.Categories, v) {
				return nil, fmt.Errorf("%s, line %d, column '%s': value not in the column's categories", shown, line, c.Name)
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func containsLiteral(list []Literal, l Literal) bool {
	for _, x := range list {
		if x.key() == l.key() {
			return true
		}
	}
	return false
}

// ParseCell reads one CSV value of type t.
func ParseCell(s string, t Type) (Literal, error) {
	switch t.Kind {
	case KindBool:
		switch s {
		case "T":
			return BoolLit(true), nil
		case "F":
			return BoolLit(false), nil
		}
		return Literal{}, fmt.Errorf("invalid boolean %q, must be 'T' or 'F'", s)
	case KindInt:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return Literal{}, fmt.Errorf("invalid int %q", s)
		}
		return IntLit(i), nil
	case KindFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return Literal{}, fmt.Errorf("invalid float %q", s)
		}
		return FloatLit(f), nil
	case KindDate:
		d, err := ParseDate(s)
		if err != nil {
			return Literal{}, err
		}
		return DateLit(d), nil
	case KindCode:
		return CodeLit(t.System, s)
	case KindStr:
		return StrLit(s), nil
	}
	return Literal{}, fmt.Errorf("columns of type %s cannot be read from files", t.Name())
}

// ReadArrowTableFile reads a table file in Arrow IPC format as
// ReadTableFile reads a CSV file, with the same arguments and results. The
// language packages carry no Arrow reader: a program that links one sets
// this variable at initialisation (package engine does); where it is nil,
// an Arrow file is refused with a message saying so.
var ReadArrowTableFile func(path, shown string, columns []FileColumn, allowMissing bool) ([][]Literal, error)

// read reads a rows reader's file: its column specs must cover the
// schema's columns, whose rows it returns in schema order.
func (f *rowsFile) read(cols []Column) ([][]Literal, error) {
	arrowFile := f.reader == "ArrowRowsReader" || strings.HasSuffix(f.path, ".arrow")
	if arrowFile && ReadArrowTableFile == nil {
		return nil, fmt.Errorf("rows: %s: this program has no Arrow reader for table_from_file; run it with the ehrql command, or write the table as CSV", f.path)
	}
	specs := map[string]*ColumnSpec{}
	for _, kv := range f.specs {
		specs[kv[0].(string)] = kv[1].(*ColumnSpec)
	}
	var fcs []FileColumn
	for _, c := range cols {
		s, ok := specs[c.Name]
		if !ok {
			return nil, fmt.Errorf("rows: %s: the column %s of the schema has no column spec", f.path, c.Name)
		}
		if s.Type != c.Type {
			return nil, fmt.Errorf("rows: %s: the column %s is %s in the schema but %s in its column spec", f.path, c.Name, c.Type.Name(), s.Type.Name())
		}
		fcs = append(fcs, FileColumn{Column: c, Nullable: s.Nullable, Categories: s.Categories})
	}
	if arrowFile {
		rows, err := ReadArrowTableFile(f.resolved, f.path, fcs, f.allowMissing)
		if err != nil {
			var tfe *TableFileError
			if !errors.As(err, &tfe) {
				err = &TableFileError{err}
			}
			return nil, err
		}
		return rows, nil
	}
	return ReadTableFile(f.resolved, f.path, fcs, f.allowMissing)
}
