package source

import (
	"io/fs"
	"strconv"
	"strings"
)

// CellError reports invalid content in a dummy-table file: a bad value, a
// row with the wrong number of fields, a missing required column, a NULL
// patient_id or a duplicate patient in a patient-level table.
//
// Line is the physical line number in the (decompressed) file, the header
// being line 1; it is 0 for errors about the file as a whole (such as a
// missing column). Column is the header name of the offending column, or
// empty for errors about a whole row or file. Msg is the detail, using
// ehrQL's wording where ehrQL has one (e.g. "invalid boolean, must be 'T'
// or 'F'").
type CellError struct {
	File   string
	Line   int
	Row    int // the 1-based row of an Arrow file, in place of Line
	Column string
	Msg    string
}

// Error formats the error as
//
//	dummy_tables/patients.csv, line 3, column 'date_of_birth': invalid date '2020-13-01'
//
// leaving out the line and column parts when they are unknown.
func (e *CellError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(", line ")
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Row > 0 {
		b.WriteString(", row ")
		b.WriteString(strconv.Itoa(e.Row))
	}
	if e.Column != "" {
		b.WriteString(", column '")
		b.WriteString(e.Column)
		b.WriteString("'")
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// FileError reports a dummy-table file that cannot be used at all: missing
// (it then matches fs.ErrNotExist under errors.Is), a directory, or given
// twice (as .csv and .csv.gz).
type FileError struct {
	Msg string // the whole message, naming the table and the path
	Err error  // the cause, if any
}

// Error implements the error interface.
func (e *FileError) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// missingTable reports that no file holds a needed table.
func missingTable(table, path string) error {
	return &FileError{Msg: "no dummy table for '" + table + "': expected " + path, Err: fs.ErrNotExist}
}
