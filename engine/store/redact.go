package store

import (
	"errors"
	"regexp"
	"strings"

	"github.com/ehrql-go/ehrql/engine/source"
)

// A store is imported from real patient data, so an import error names the
// file, line and column of a bad value but never shows the value, nor any
// other content of the file.

// contentFree lists the messages that carry no content of the file (only
// its structure and the schema's names).
var contentFree = []string{
	"NULL value in non-nullable column", "malformed CSV", "missing header row", "Missing columns",
	"missing column", "column given twice", "unknown column for table", "Parquet type", "expected ",
}

var (
	invalidCode  = regexp.MustCompile(`^Invalid (\w+Code)\b`)
	invalidValue = regexp.MustCompile(`^invalid (int|float|date|boolean)\b`)
)

const notShown = " (the value is not shown: store import never prints a file's content)"

// duckdbError is the start of a DuckDB error about values, whose detail
// may quote them.
var duckdbError = regexp.MustCompile(`(?s)^(.*?\b(?:Conversion|Invalid Input|Out of Range|Constraint) Error)\b.*$`)

// withoutContent removes a file's content from an import error.
func withoutContent(err error) error {
	if err == nil {
		return nil
	}
	var ce *source.CellError
	if !errors.As(err, &ce) {
		if m := duckdbError.FindStringSubmatch(err.Error()); m != nil {
			return &maskedError{m[1] + notShown, err}
		}
		return err
	}
	return &source.CellError{File: ce.File, Line: ce.Line, Column: ce.Column, Msg: contentFreeMessage(ce.Msg)}
}

// contentFreeMessage keeps a message that carries no content and otherwise
// says only what kind of value was wrong.
func contentFreeMessage(msg string) string {
	for _, prefix := range contentFree {
		if strings.HasPrefix(msg, prefix) {
			return msg
		}
	}
	switch {
	case strings.Contains(msg, "duplicate patient_id"):
		return "duplicate patient_id: the table has at most one row per patient" + notShown
	case strings.Contains(msg, "categories"):
		return "value not in the column's categories" + notShown
	case strings.Contains(msg, "UTF-8"):
		return "text is not valid UTF-8" + notShown
	case invalidCode.MatchString(msg):
		return "invalid " + invalidCode.FindStringSubmatch(msg)[1] + notShown
	case invalidValue.MatchString(msg):
		return "invalid " + invalidValue.FindStringSubmatch(msg)[1] + notShown
	}
	return "invalid value for the column's type" + notShown
}

// maskedError replaces an error's message, keeping the error for
// errors.Is and errors.As.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }
