package output

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Writer writes query results to an output file.
//
// A Writer is not safe for concurrent use. After Close or Abort it accepts
// no more calls except further Aborts, which do nothing.
type Writer interface {
	// Write converts rec, whose schema must be NaturalSchema of the
	// writer's columns, to the output format and writes it. The caller keeps
	// ownership of rec. After an error the Writer is unusable: every later
	// Write returns the same error, and it must be aborted (Close also
	// discards the output and returns that error).
	Write(rec arrow.RecordBatch) error
	// Close finishes the output. For files it flushes and fsyncs the
	// temporary file and renames it onto the destination; on failure the
	// temporary file is removed and the destination left untouched.
	Close() error
	// Abort discards the output: for files the temporary file is removed,
	// so no partial file is ever left behind and an existing destination is
	// left untouched. Output already passed to a standard output writer
	// cannot be taken back; Abort only stops further writing. Abort after
	// Close does nothing.
	Abort()
}

// StdoutPath is the path, besides "", that makes Create write CSV to its
// stdout argument.
const StdoutPath = "-"

// Create returns a Writer for cols, choosing the format from path with
// FormatFromPath. For "" and "-" it writes CSV to stdout (which it never
// closes) and creates no file; otherwise it creates the parent directories of
// path and a temporary file ("."+base+".tmp-*") next to it, which Close
// renames onto path.
func Create(path string, cols []Column, stdout io.Writer) (Writer, error) {
	return create(path, cols, stdout, memory.DefaultAllocator)
}

// create is Create with an allocator for the Arrow conversion.
func create(path string, cols []Column, stdout io.Writer, mem memory.Allocator) (Writer, error) {
	format, err := FormatFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("output: %s: %w", path, err)
	}
	if err := validateColumns(cols); err != nil {
		return nil, fmt.Errorf("output: writing %s: %w", displayPath(path), err)
	}
	// Copy the columns so later changes by the caller cannot affect us.
	cols = append([]Column(nil), cols...)
	if path == "" || path == StdoutPath {
		if stdout == nil {
			return nil, errors.New("output: writing to standard output: no stdout writer given")
		}
		return newCSVWriter(displayPath(path), cols, nil, stdout, false)
	}
	af, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	var w Writer
	switch format {
	case FormatArrow:
		w, err = newArrowWriter(path, cols, af, mem)
	case FormatCSVGz:
		w, err = newCSVWriter(path, cols, af, af, true)
	default:
		w, err = newCSVWriter(path, cols, af, af, false)
	}
	if err != nil {
		af.discard()
		return nil, err
	}
	return w, nil
}

// displayPath names the destination in error messages.
func displayPath(path string) string {
	if path == "" || path == StdoutPath {
		return "<stdout>"
	}
	return path
}

// errClosed is returned when a Writer is used after Close or Abort.
var errClosed = errors.New("writer already closed")

// Copy streams every batch from b into w and returns the number of rows
// written. On success it closes w; on any error it aborts w and returns the
// error, so no partial output file remains.
func Copy(w Writer, b *RowBatcher) (rows int64, err error) {
	for {
		rec, err := b.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Release()
			w.Abort()
			return rows, err
		}
		err = w.Write(rec)
		n := rec.NumRows()
		rec.Release()
		if err != nil {
			b.Release()
			w.Abort()
			return rows, err
		}
		rows += n
	}
	if err := w.Close(); err != nil {
		w.Abort()
		return rows, err
	}
	return rows, nil
}
