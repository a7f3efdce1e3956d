package output

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// csvWriter writes CSV as Python's csv.writer with the default "excel"
// dialect does for ehrQL's rows: comma-separated, "\r\n"-terminated, fields
// quoted only when they contain a comma, quote, CR or LF.
type csvWriter struct {
	path string
	cols []Column
	af   *atomicFile  // nil when writing to standard output
	gz   *gzip.Writer // nil unless gzip-compressing
	buf  *bufio.Writer
	line []byte // scratch space for one row
	err  error  // first Write error; the writer is then unusable
	done bool
}

// gzipLevel is the compression level ehrQL uses for ".csv.gz".
const gzipLevel = 6

// newCSVWriter writes CSV to dst (through gzip when compress is set) and
// buffers the header row. af, if not nil, is the file behind dst.
func newCSVWriter(path string, cols []Column, af *atomicFile, dst io.Writer, compress bool) (*csvWriter, error) {
	w := &csvWriter{path: path, cols: cols, af: af}
	if compress {
		gz, err := gzip.NewWriterLevel(dst, gzipLevel)
		if err != nil {
			return nil, fmt.Errorf("output: writing %s: %w", path, err)
		}
		// Like Python's gzip.open, record the uncompressed file name.
		gz.Name = strings.TrimSuffix(filepath.Base(path), ".gz")
		w.gz = gz
		dst = gz
	}
	w.buf = bufio.NewWriterSize(dst, 64<<10)
	for i, c := range cols {
		if i > 0 {
			w.line = append(w.line, ',')
		}
		w.line = appendCSVField(w.line, c.Name)
	}
	w.line = endCSVRecord(w.line, len(cols))
	if _, err := w.buf.Write(w.line); err != nil {
		return nil, fmt.Errorf("output: writing %s: %w", path, err)
	}
	return w, nil
}

// Write implements Writer.
func (w *csvWriter) Write(rec arrow.RecordBatch) error {
	if w.done {
		return fmt.Errorf("output: writing %s: %w", w.path, errClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := w.write(rec); err != nil {
		w.err = fmt.Errorf("output: writing %s: %w", w.path, err)
		return w.err
	}
	return nil
}

func (w *csvWriter) write(rec arrow.RecordBatch) error {
	if err := checkBatch(rec, w.cols); err != nil {
		return err
	}
	cols := rec.Columns()
	n := int(rec.NumRows())
	for row := 0; row < n; row++ {
		line := w.line[:0]
		for i, arr := range cols {
			if i > 0 {
				line = append(line, ',')
			}
			var err error
			line, err = appendCSVValue(line, arr, row)
			if err != nil {
				return fmt.Errorf("column '%s': %w", w.cols[i].Name, err)
			}
		}
		line = endCSVRecord(line, len(cols))
		w.line = line
		if _, err := w.buf.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// appendCSVValue appends the CSV field for arr[row], an array of one of the
// natural types: NULL is empty, bool T/F, int decimal, float Python repr,
// date YYYY-MM-DD and str as-is (quoted if needed).
func appendCSVValue(dst []byte, arr arrow.Array, row int) ([]byte, error) {
	if arr.IsNull(row) {
		return dst, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		if a.Value(row) {
			return append(dst, 'T'), nil
		}
		return append(dst, 'F'), nil
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(row), 10), nil
	case *array.Float64:
		return appendPyFloat(dst, a.Value(row)), nil
	case *array.String:
		return appendCSVField(dst, a.Value(row)), nil
	case *array.Date32:
		return appendISODate(dst, int64(a.Value(row)))
	default:
		return dst, fmt.Errorf("unsupported array type %v", arr.DataType())
	}
}

// appendCSVField appends s, quoted (with doubled quotes) if it contains a
// comma, quote, CR or LF.
func appendCSVField(dst []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// endCSVRecord terminates a record of nfields fields. Like Python's
// csv.writer, a record that would be an empty line (a single empty field)
// is written as "" so that it reads back as one field.
func endCSVRecord(line []byte, nfields int) []byte {
	if len(line) == 0 && nfields > 0 {
		line = append(line, `""`...)
	}
	return append(line, '\r', '\n')
}

// appendISODate appends the date days after 1970-01-01 as YYYY-MM-DD.
// Dates outside Python's datetime.date range (years 1 to 9999), which ehrQL
// cannot represent, are an error.
func appendISODate(dst []byte, days int64) ([]byte, error) {
	y, m, d := civilFromDays(days)
	if y < 1 || y > 9999 {
		return dst, fmt.Errorf("date %d days from 1970-01-01 (year %d) is outside the supported range 0001-01-01..9999-12-31", days, y)
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append(dst, byte('0'+m/10), byte('0'+m%10), '-')
	return append(dst, byte('0'+d/10), byte('0'+d%10)), nil
}

// Close implements Writer.
func (w *csvWriter) Close() error {
	if w.done {
		return fmt.Errorf("output: closing %s: %w", w.path, errClosed)
	}
	w.done = true
	if w.err != nil {
		w.discard()
		return w.err
	}
	if err := w.buf.Flush(); err != nil {
		w.discard()
		return fmt.Errorf("output: writing %s: %w", w.path, err)
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			w.discard()
			return fmt.Errorf("output: writing %s: %w", w.path, err)
		}
	}
	if w.af != nil {
		return w.af.commit()
	}
	return nil
}

// Abort implements Writer.
func (w *csvWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.discard()
}

func (w *csvWriter) discard() {
	if w.af != nil {
		w.af.discard()
	}
}
