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
	if e.Column != "" {
		b.WriteString(", column '")
		b.WriteString(e.Column)
		b.WriteString("'")
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// missingTableError reports that no file holds a needed table. It matches
// fs.ErrNotExist under errors.Is.
type missingTableError struct {
	table string
	path  string
}

func (e *missingTableError) Error() string {
	return "no dummy table for '" + e.table + "': expected " + e.path
}

func (e *missingTableError) Unwrap() error { return fs.ErrNotExist }
