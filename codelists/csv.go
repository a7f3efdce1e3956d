package codelists

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// DefinitionDirEnv is the environment variable naming the directory of the
// dataset definition being run. Relative codelist paths that do not exist
// relative to the working directory are looked up there.
const DefinitionDirEnv = "EHRQL_DEFINITION_DIR"

// StudyDirEnv is the environment variable naming the root of the study
// repository the definition belongs to, where ehrQL studies keep their
// codelists/ folder: relative paths found neither in the working directory
// nor in the definition's directory are looked up there last.
const StudyDirEnv = "EHRQL_STUDY_DIR"

// utf8BOM is the byte-order mark some tools write at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Load reads a codelist from the CSV file at path, taking codes from the
// named column. It follows ehrQL's codelist_from_csv:
//
//   - the file must start with a header row (a UTF-8 byte-order mark before
//     it is ignored) and column must be one of its names, matched exactly;
//   - codes are whitespace-stripped, rows with an empty code are dropped and
//     a repeated code keeps its first position;
//   - rows shorter than the header are allowed, their missing cells being
//     empty;
//   - the file must be UTF-8; line endings may be \n, \r\n or \r.
//
// A relative path is resolved against the working directory first and then,
// if the file is not there and the EHRQL_DEFINITION_DIR environment variable
// is set, against the dataset definition's directory that it names.
//
// A missing file is the error "No CSV file at <path>" (with path as given;
// it wraps fs.ErrNotExist). Every other error is prefixed with
// "codelist <file>: ", for example
// "codelist codelists/x.csv: No column 'code' in CSV", and names the line of
// a malformed row.
//
// The file is read with encoding/csv with LazyQuotes, so that, as with
// Python's csv module, a bare quote inside an unquoted field is kept as
// data.
func Load(path, column string) (Codelist, error) {
	return load(path, column, "", false)
}

// LoadCategorised is like Load but also reads each code's category from
// categoryColumn, which must exist too ("No column '<categoryColumn>' in
// CSV" otherwise). Categories are whitespace-stripped; when a code appears
// on several rows it keeps its first position but the category on its last
// row wins.
func LoadCategorised(path, column, categoryColumn string) (Codelist, error) {
	return load(path, column, categoryColumn, true)
}

// FromCSV is like Load, but a failure is kept inside the returned Codelist
// (see Codelist.Err) instead of being returned, so that dataset-definition
// code stays short; the query language reports the error when the codelist
// is used. A failed codelist is empty and its Source is path.
func FromCSV(path, column string) Codelist {
	c, err := Load(path, column)
	if err != nil {
		return Codelist{source: path, err: err}
	}
	return c
}

// FromCSVWithCategories is like LoadCategorised, but a failure is kept inside
// the returned Codelist (see Codelist.Err), as for FromCSV.
func FromCSVWithCategories(path, column, categoryColumn string) Codelist {
	c, err := LoadCategorised(path, column, categoryColumn)
	if err != nil {
		return Codelist{source: path, categorised: true, err: err}
	}
	return c
}

// noFileError is ehrQL's error for a codelist file that does not exist.
type noFileError struct {
	path string
	err  error
}

// Error is ehrQL's message, with its hint for a path written with
// backslashes.
func (e *noFileError) Error() string {
	msg := "No CSV file at " + e.path
	if strings.Contains(e.path, `\`) {
		msg += "\n\nHINT: Use forward slash (/) instead of backslash (\\) in file paths"
	}
	return msg
}

func (e *noFileError) Unwrap() error { return e.err }

// ResolvePath finds a file a definition names: path itself if it is
// absolute or exists (or cannot be checked for a reason other than not
// existing), otherwise the same relative path under DefinitionDirEnv and
// then StudyDirEnv, where those are set and the file exists there,
// otherwise path.
func ResolvePath(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return path
	}
	for _, env := range []string{DefinitionDirEnv, StudyDirEnv} {
		dir := os.Getenv(env)
		if dir == "" {
			continue
		}
		alt := filepath.Join(dir, path)
		if _, err := os.Stat(alt); err == nil {
			return alt
		}
	}
	return path
}

func load(path, column, categoryColumn string, categorised bool) (Codelist, error) {
	resolved := ResolvePath(path)
	data, err := os.ReadFile(resolved)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Codelist{}, &noFileError{path: path, err: err}
		}
		return Codelist{}, fmt.Errorf("codelist %s: %w", resolved, err)
	}
	c, err := parse(data, column, categoryColumn, categorised)
	if err != nil {
		return Codelist{}, fmt.Errorf("codelist %s: %w", resolved, err)
	}
	c.source = resolved
	return c, nil
}

// normaliseNewlines turns \r\n and lone \r into \n, as Python's text mode
// (universal newlines) does before ehrQL's csv reader sees the data.
func normaliseNewlines(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
}

// parse reads CSV data (a whole file) into a codelist; see Load.
func parse(data []byte, column, categoryColumn string, categorised bool) (Codelist, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	data = normaliseNewlines(data)
	if !utf8.Valid(data) {
		line := 1
		for len(data) > 0 {
			r, size := utf8.DecodeRune(data)
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line++
			}
			data = data[size:]
		}
		return Codelist{}, fmt.Errorf("line %d: invalid UTF-8 (codelist files must be UTF-8 encoded)", line)
	}

	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // rows may be shorter (or longer) than the header
	r.LazyQuotes = true    // like Python's csv module, accept bare quotes
	r.ReuseRecord = true

	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return Codelist{}, errors.New("empty CSV: a header row is required")
	}
	if err != nil {
		return Codelist{}, fmt.Errorf("reading header: %w", err)
	}
	codeIdx := columnIndex(header, column)
	if codeIdx < 0 {
		return Codelist{}, fmt.Errorf("No column '%s' in CSV", column)
	}
	catIdx := -1
	if categorised {
		catIdx = columnIndex(header, categoryColumn)
		if catIdx < 0 {
			return Codelist{}, fmt.Errorf("No column '%s' in CSV", categoryColumn)
		}
	}

	b := newBuilder(categorised)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Codelist{}, err // *csv.ParseError names the line
		}
		b.add(cell(rec, codeIdx), cell(rec, catIdx))
	}
	return b.c, nil
}

// columnIndex returns the index of name in header, or -1. Like Python's
// csv.DictReader, a name occurring more than once refers to its last
// occurrence.
func columnIndex(header []string, name string) int {
	for i := len(header) - 1; i >= 0; i-- {
		if header[i] == name {
			return i
		}
	}
	return -1
}

// cell returns rec[i], or "" if the row has no such cell (or i is -1).
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}
