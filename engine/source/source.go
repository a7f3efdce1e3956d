// Package source loads the tables a query needs into a DuckDB database.
//
// Its one data source today is a folder of dummy tables, as given to
// ehrQL's --dummy-tables option: one file per table, named <table>.csv,
// <table>.csv.gz or <table>.arrow, all in one format (other files are
// ignored; two data formats in one folder are an error, as in ehrQL).
// LoadCSVDir reads CSV files with ehrQL's rules for dummy-table input:
//
//   - a header row is required; columns are matched by header name, in any
//     order; extra columns are ignored; a schema column absent from the
//     header is NULL in every row; only patient_id is required;
//   - every row has as many fields as the header; an empty field is NULL,
//     and patient_id may not be NULL;
//   - values parse as Python does: int() for int (whitespace, sign and
//     underscore separators allowed), float() for float, date.fromisoformat
//     for date (YYYY-MM-DD, YYYYMMDD and ISO week dates), exactly T or F for
//     bool, raw text for str, codes and multi-code strings (codes are not
//     validated);
//   - a value of a column with a Categorical constraint must be one of its
//     categories; no other constraint is checked.
//
// Arrow IPC files (uncompressed, LZ4 or zstd, as ehrQL writes them) follow
// ehrQL's rules for Arrow input: columns matched by name (patient_id
// required, absent schema columns NULL), each of its type's family (any
// integer type for int, any float for float, strings for str and codes,
// date32 or date64 for date, boolean for bool; dictionary-encoded or not),
// and categorical columns holding only their categories. Errors name the
// row (1-based) in place of a line.
//
// Each table becomes a DuckDB table named exactly after it, with columns
// patient_id BIGINT NOT NULL followed by the schema's columns in schema order
// (see SQLType). Rows keep file order. Files are streamed, parsed in Go with
// encoding/csv and inserted with DuckDB's appender, all in one transaction:
// if anything fails, no table from the call is left behind.
//
// Differences from ehrQL: errors name the physical line (header = line 1)
// rather than the data-row number (see CellError); a patient-level table
// with two rows for one patient is an error rather than "last row wins";
// blank lines are skipped rather than rejected as rows of 0 fields; a UTF-8
// byte-order mark before the header is ignored; ints must fit in 64 bits; a
// CRLF inside a quoted field reads as LF (encoding/csv); date.fromisoformat's
// acceptance of trailing junk after some forms (a CPython quirk) is not
// reproduced.
package source

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// SQLType returns the DuckDB column type for an ehrQL type: bool BOOLEAN, int
// BIGINT, float DOUBLE, str, codes and multi-code strings VARCHAR, date
// DATE. It returns "" for types no column can have (sets and Any).
func SQLType(t model.Type) string {
	if t.Set {
		return ""
	}
	switch t.Kind {
	case model.KindBool, model.KindInt, model.KindFloat, model.KindStr, model.KindCode, model.KindMultiCode, model.KindDate:
		return sqlname.Type(t)
	}
	return ""
}

// LoadCSVDir creates in db one table per given table, named exactly
// t.Name, with columns patient_id BIGINT NOT NULL then t's columns in schema
// order typed by SQLType, and fills it from dir/<name>.csv, or from
// dir/<name>.csv.gz when that exists instead (both existing is an error).
//
// The rules for the files are described in the package documentation.
// Errors about file content are *CellError values naming the file, line and
// column; a file that is missing, a directory or given twice gives a
// *FileError (matching fs.ErrNotExist when missing) that names the table
// and the path. The load is one transaction: on any
// error, including cancellation of ctx, none of the tables remains in db.
// A table that already exists in db is an error.
func LoadCSVDir(ctx context.Context, db *sql.DB, dir string, tables []*model.Table) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("loading dummy tables from %s: %w", dir, err)
	}
	defer conn.Close()
	return LoadCSVDirConn(ctx, conn, dir, tables)
}

// LoadCSVDirConn is LoadCSVDir on one connection, which must be a DuckDB
// connection with no transaction open.
func LoadCSVDirConn(ctx context.Context, conn *sql.Conn, dir string, tables []*model.Table) error {
	plans, err := planCSVDir(dir, tables)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("loading dummy tables from %s: starting transaction: %w", dir, err)
	}
	for _, p := range plans {
		if err := p.load(ctx, conn); err != nil {
			return rollback(conn, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return rollback(conn, fmt.Errorf("loading dummy tables from %s: committing: %w", dir, err))
	}
	return nil
}

// rollback abandons the load's transaction after cause. If even that fails,
// the connection is discarded so that it never returns to the pool with the
// transaction open.
func rollback(conn *sql.Conn, cause error) error {
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return errors.Join(cause, fmt.Errorf("rolling back: %w", err))
	}
	return cause
}

// tablePlan is one table to load and the file it comes from, checked
// before anything touches the database.
type tablePlan interface {
	load(ctx context.Context, conn *sql.Conn) error
}

// csvPlan is one table to load from a CSV or CSV.gz file.
type csvPlan struct {
	table *model.Table
	path  string
}

// The data file formats of a dummy-tables folder, by file extension.
const (
	extCSV   = ".csv"
	extCSVGz = ".csv.gz"
	extArrow = ".arrow"
)

// planCSVDir checks the tables and finds their files, and checks each file's
// header (or Arrow schema), before anything touches the database.
func planCSVDir(dir string, tables []*model.Table) ([]tablePlan, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("dummy tables directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("dummy tables directory: %s is not a directory", dir)
	}
	ext, err := DirFormat(dir)
	if err != nil {
		return nil, err
	}
	var plans []tablePlan
	seen := map[string]*model.Table{}
	for _, t := range tables {
		if t == nil {
			return nil, errors.New("loading dummy tables: nil table")
		}
		if prev, ok := seen[t.Name]; ok {
			if prev == t {
				continue
			}
			return nil, fmt.Errorf("loading dummy tables: two different tables named '%s'", t.Name)
		}
		seen[t.Name] = t
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("loading dummy tables: %w", err)
		}
		for _, c := range t.Columns {
			if SQLType(c.Type) == "" {
				return nil, fmt.Errorf("loading dummy tables: table %s: column %s has unsupported type %s", t.Name, c.Name, c.Type.Name())
			}
		}
		path, err := findFile(dir, t.Name, ext)
		if err != nil {
			return nil, err
		}
		if ext == extArrow {
			p := arrowPlan{table: t, path: path}
			if err := p.check(); err != nil {
				return nil, err
			}
			plans = append(plans, p)
			continue
		}
		p := csvPlan{table: t, path: path}
		if err := p.checkHeader(); err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// fileExtension is ehrQL's extension of a file name: .csv.gz for a gzipped
// file, else the last suffix.
func fileExtension(name string) string {
	ext := filepath.Ext(name)
	if ext == ".gz" {
		return filepath.Ext(strings.TrimSuffix(name, ext)) + ext
	}
	return ext
}

// DirFormat is the one data format of a folder of table files (--dummy-tables,
// a folder --dummy-data-file), as ehrQL decides it: its extension, .csv,
// .csv.gz or .arrow; other files (a README) are ignored, two data formats
// are an error. A folder with no data file is read as CSV, so that the
// missing tables are named.
func DirFormat(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("reading the folder %s: %w", dir, err)
	}
	found := map[string]bool{}
	for _, e := range entries {
		switch ext := fileExtension(e.Name()); ext {
		case extCSV, extCSVGz, extArrow:
			found[ext] = true
		}
	}
	var exts []string
	for ext := range found {
		exts = append(exts, ext)
	}
	slices.Sort(exts)
	switch len(exts) {
	case 0:
		return extCSV, nil
	case 1:
		return exts[0], nil
	}
	return "", &FileError{Msg: fmt.Sprintf("Found multiple file formats (%s) in: %s", strings.Join(exts, ", "), dir)}
}

// findFile returns dir/<name><ext>.
func findFile(dir, name, ext string) (string, error) {
	path := filepath.Join(dir, name+ext)
	ok, err := isFile(path)
	if err != nil {
		return "", &FileError{Msg: fmt.Sprintf("dummy table for '%s': %v", name, err), Err: err}
	}
	if !ok {
		return "", missingTable(name, path)
	}
	return path, nil
}

func isFile(path string) (bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if info.IsDir() {
		return false, errors.New(path + " is a directory")
	}
	return true, nil
}

// csvFile is an open dummy-table file positioned after its header.
type csvFile struct {
	path   string
	f      *os.File
	gz     *gzip.Reader
	r      *csv.Reader
	header []string
}

// openCSV opens path (gunzipping .gz files) and reads its header row.
func openCSV(path string) (*csvFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening dummy table: %w", err)
	}
	cf := &csvFile{path: path, f: f}
	var in io.Reader = bufio.NewReaderSize(f, 1<<16)
	if strings.HasSuffix(path, ".gz") {
		cf.gz, err = gzip.NewReader(in)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		in = bufio.NewReaderSize(cf.gz, 1<<16)
	}
	cf.r = csv.NewReader(in)
	cf.r.FieldsPerRecord = -1
	cf.r.LazyQuotes = true
	cf.r.ReuseRecord = true
	header, err := cf.r.Read()
	if err != nil {
		cf.Close()
		if err == io.EOF {
			return nil, &CellError{File: path, Msg: "missing header row"}
		}
		return nil, cf.readError(err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	cf.header = header
	return cf, nil
}

// readError converts an error from the CSV reader.
func (cf *csvFile) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CellError{File: cf.path, Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error()}
	}
	return fmt.Errorf("reading %s: %w", cf.path, err)
}

// Close closes the file.
func (cf *csvFile) Close() {
	if cf.gz != nil {
		cf.gz.Close()
	}
	cf.f.Close()
}

// checkHeader opens the plan's file and checks that its header has
// patient_id.
func (p csvPlan) checkHeader() error {
	cf, err := openCSV(p.path)
	if err != nil {
		return err
	}
	defer cf.Close()
	_, err = newRowParser(cf, p.table)
	return err
}

// load creates the plan's table and appends the file's rows to it.
func (p csvPlan) load(ctx context.Context, conn *sql.Conn) error {
	cf, err := openCSV(p.path)
	if err != nil {
		return err
	}
	defer cf.Close()
	rp, err := newRowParser(cf, p.table)
	if err != nil {
		return err
	}
	return createAndAppend(ctx, conn, p.table, func(app *duckdb.Appender) error { return rp.stream(ctx, app) })
}

// createAndAppend creates t's table and fills it with the rows stream
// appends; if stream fails, the rows appended so far are dropped.
func createAndAppend(ctx context.Context, conn *sql.Conn, t *model.Table, stream func(*duckdb.Appender) error) error {
	if _, err := conn.ExecContext(ctx, sqlname.CreateTable(t)); err != nil {
		return fmt.Errorf("creating table %s: %w", t.Name, err)
	}
	return conn.Raw(func(dc any) error {
		drv, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("loading table %s: connection is not a database/sql driver connection", t.Name)
		}
		app, err := duckdb.NewAppenderFromConn(drv, "", t.Name)
		if err != nil {
			return fmt.Errorf("loading table %s: %w", t.Name, err)
		}
		if err := stream(app); err != nil {
			_ = app.Clear()
			_ = app.Close()
			return err
		}
		if err := app.CloseWithCancel(ctx); err != nil {
			return fmt.Errorf("loading table %s: %w", t.Name, err)
		}
		return nil
	})
}

// colParser turns one column's CSV fields into appender values.
type colParser struct {
	name     string
	kind     model.Kind
	idx      int // field index in the header; -1 if absent (always NULL)
	nullable bool
	// Categories, when hasCats: strings, and numbers (ints, floats and bools,
	// compared as Python does, 1 == 1.0 == True).
	hasCats bool
	strCats map[string]struct{}
	numCats map[float64]struct{}
	catText string
}

// rowParser parses the data rows of one file for one table.
type rowParser struct {
	cf           *csvFile
	table        *model.Table
	cols         []colParser // patient_id, then the schema columns
	patientLevel bool
}

// newRowParser matches cf's header against t's columns.
func newRowParser(cf *csvFile, t *model.Table) (*rowParser, error) {
	index := make(map[string]int, len(cf.header))
	for i, h := range cf.header {
		if _, dup := index[h]; !dup {
			index[h] = i // the first of repeated names wins, as in ehrQL
		}
	}
	pidIdx, ok := index["patient_id"]
	if !ok {
		return nil, &CellError{File: cf.path, Msg: "Missing columns: patient_id"}
	}
	rp := &rowParser{cf: cf, table: t, patientLevel: t.PatientLevel}
	rp.cols = append(rp.cols, colParser{name: "patient_id", kind: model.KindInt, idx: pidIdx})
	for _, c := range t.Columns {
		cp := colParser{name: c.Name, kind: c.Type.Kind, idx: -1, nullable: true}
		if i, ok := index[c.Name]; ok {
			cp.idx = i
		}
		if cats, ok := c.Categories(); ok {
			cp.setCategories(cats)
		}
		rp.cols = append(rp.cols, cp)
	}
	return rp, nil
}

// setCategories records the allowed values and their description in
// ehrQL's words: the Python reprs joined by ", ".
func (c *colParser) setCategories(cats []model.Literal) {
	c.hasCats = true
	c.strCats = map[string]struct{}{}
	c.numCats = map[float64]struct{}{}
	parts := make([]string, 0, len(cats))
	for _, l := range cats {
		switch v := l.Go().(type) {
		case string:
			c.strCats[v] = struct{}{}
			parts = append(parts, pyRepr(v))
		case int64:
			c.numCats[float64(v)] = struct{}{}
			parts = append(parts, strconv.FormatInt(v, 10))
		case float64:
			c.numCats[v] = struct{}{}
			parts = append(parts, pyFloatRepr(v))
		case bool:
			if v {
				c.numCats[1] = struct{}{}
				parts = append(parts, "True")
			} else {
				c.numCats[0] = struct{}{}
				parts = append(parts, "False")
			}
		default:
			parts = append(parts, l.String())
		}
	}
	c.catText = strings.Join(parts, ", ")
}

// pyFloatRepr approximates Python's repr of a float.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// parse converts one raw field. On failure it returns a message in ehrQL's
// words and a nil value.
func (c *colParser) parse(raw string) (driver.Value, string) {
	if raw == "" {
		if !c.nullable {
			return nil, "NULL value in non-nullable column '" + c.name + "'"
		}
		return nil, ""
	}
	var v driver.Value
	var num float64
	switch c.kind {
	case model.KindInt:
		n, ok, rangeErr := parseInt(raw)
		if rangeErr {
			return nil, "int " + pyRepr(raw) + " out of range for a 64-bit integer"
		}
		if !ok {
			return nil, "invalid int " + pyRepr(raw)
		}
		v, num = n, float64(n)
	case model.KindFloat:
		f, ok := parseFloat(raw)
		if !ok {
			return nil, "invalid float " + pyRepr(raw)
		}
		v, num = f, f
	case model.KindDate:
		d, ok := parseDate(raw)
		if !ok {
			return nil, "invalid date " + pyRepr(raw)
		}
		v = d
	case model.KindBool:
		switch raw {
		case "T":
			v, num = true, 1
		case "F":
			v, num = false, 0
		default:
			return nil, "invalid boolean, must be 'T' or 'F'"
		}
	default: // str, codes, multi-code strings
		if i := invalidUTF8(raw); i >= 0 {
			return nil, fmt.Sprintf("text is not valid UTF-8: byte 0x%02x at position %d of %s", raw[i], i, pyRepr(raw))
		}
		v = raw
	}
	if c.hasCats && !c.inCategories(v, num) {
		return nil, pyRepr(raw) + " not in valid categories: " + c.catText
	}
	return v, ""
}

// invalidUTF8 returns the index of the first byte of s that is not part of
// valid UTF-8, or -1.
func invalidUTF8(s string) int {
	if utf8.ValidString(s) {
		return -1
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

func (c *colParser) inCategories(v driver.Value, num float64) bool {
	switch c.kind {
	case model.KindInt, model.KindFloat, model.KindBool:
		_, ok := c.numCats[num]
		return ok
	case model.KindDate:
		return false // ehrQL allows no date categories
	}
	_, ok := c.strCats[v.(string)]
	return ok
}

// stream parses every data row and appends it to app.
func (rp *rowParser) stream(ctx context.Context, app *duckdb.Appender) error {
	cf := rp.cf
	nHeader := len(cf.header)
	row := make([]driver.Value, len(rp.cols))
	var seen map[int64]int
	if rp.patientLevel {
		seen = map[int64]int{}
	}
	for n := 0; ; n++ {
		if n&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("loading %s: %w", cf.path, err)
			}
		}
		rec, err := cf.r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return cf.readError(err)
		}
		if len(rec) != nHeader {
			line, _ := cf.r.FieldPos(0)
			return &CellError{File: cf.path, Line: line, Msg: fmt.Sprintf("expected %d columns but got %d", nHeader, len(rec))}
		}
		for i := range rp.cols {
			c := &rp.cols[i]
			if c.idx < 0 {
				row[i] = nil
				continue
			}
			v, msg := c.parse(rec[c.idx])
			if msg != "" {
				line, _ := cf.r.FieldPos(c.idx)
				return &CellError{File: cf.path, Line: line, Column: c.name, Msg: msg}
			}
			row[i] = v
		}
		if seen != nil {
			pid := row[0].(int64)
			line, _ := cf.r.FieldPos(rp.cols[0].idx)
			if first, dup := seen[pid]; dup {
				return &CellError{File: cf.path, Line: line, Column: "patient_id",
					Msg: fmt.Sprintf("duplicate patient_id %d (first on line %d): table '%s' has at most one row per patient", pid, first, rp.table.Name)}
			}
			seen[pid] = line
		}
		if err := app.AppendRow(row...); err != nil {
			line, _ := cf.r.FieldPos(0)
			return fmt.Errorf("%s, line %d: appending to table %s: %w", cf.path, line, rp.table.Name, err)
		}
	}
}
