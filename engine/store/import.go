package store

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// DefaultModule is the catalogue module Import validates against by default.
const DefaultModule = tables.ModuleTPP

// ImportOptions tune ImportWith.
type ImportOptions struct {
	// Module is the ehrQL module whose tables the files hold (default
	// ehrql.tables.tpp).
	Module string
	// Force allows replacing an existing store.
	Force bool
	// DuckDB tunes the database that builds the store.
	DuckDB duck.Settings
}

// Import builds a new store at storePath from the folder dir (see
// ImportWith); it refuses to replace an existing store.
func Import(ctx context.Context, dir, storePath string, module string) error {
	return ImportWith(ctx, dir, storePath, ImportOptions{Module: module})
}

// ImportWith builds a new DuckDB store at storePath from dir, a folder of
// one file per table: <table>.csv, <table>.csv.gz or <table>.parquet, where
// <table> is a table of the module (files whose names start with "." are
// ignored; any other file is an error listing the module's tables). Each
// table becomes a DuckDB table of the layout of engine/source:
// patient_id BIGINT NOT NULL, then the schema's columns in schema order,
// its rows stored in patient_id order.
//
// CSV files are read with engine/source's rules (types, categories, one row
// per patient in patient-level tables), and further checked here: every
// header name must be patient_id or a column of the table, NotNull columns
// may not be empty, and codes must be valid for their coding system
// (codelists.System.Valid). Parquet files are read with DuckDB's
// read_parquet; their column types must fit the schema's (any integer type
// for int, integer, decimal or floating-point for float, BOOLEAN for bool,
// DATE for date, VARCHAR for text and codes), and the same value checks
// apply. Errors about content are *source.CellError values naming the file,
// the line (for Parquet files: the 1-based row number) and the column.
//
// The store is written to storePath+".tmp" and renamed when complete: on
// any error nothing is left behind and an existing store is untouched.
func ImportWith(ctx context.Context, dir, storePath string, o ImportOptions) error {
	if o.Module == "" {
		o.Module = DefaultModule
	}
	known := tables.Default().Tables(o.Module)
	if known == nil {
		return fmt.Errorf("unknown module %q: known modules are %s", o.Module, strings.Join(tables.Default().Modules(), ", "))
	}
	files, err := planImport(dir, o.Module, known)
	if err != nil {
		return err
	}
	m := Manifest{BuiltBy: "ehrql store import", Module: o.Module}
	for _, f := range files {
		m.Checked = append(m.Checked, f.table.Name)
	}
	return withoutContent(build(ctx, storePath, o.Force, o.DuckDB, m, func(conn *sql.Conn) error {
		var csvTables []*model.Table
		for _, f := range files {
			if f.parquet {
				if err := importParquet(ctx, conn, f); err != nil {
					return err
				}
			} else {
				if err := checkCSV(ctx, f); err != nil {
					return err
				}
				csvTables = append(csvTables, f.table)
			}
		}
		if len(csvTables) > 0 {
			if err := source.LoadCSVDirConn(ctx, conn, dir, csvTables); err != nil {
				return err
			}
		}
		for _, t := range csvTables {
			if err := sortByPatient(ctx, conn, t); err != nil {
				return err
			}
		}
		return nil
	}))
}

// sortByPatient rewrites a table loaded in its file's order in patient_id
// order, as importParquet writes one.
func sortByPatient(ctx context.Context, conn *sql.Conn, t *model.Table) error {
	name := sqlname.Ident(t.Name)
	for _, stmt := range []string{
		"ALTER TABLE " + name + " RENAME TO ehrql_unsorted",
		sqlname.CreateTable(t),
		"INSERT INTO " + name + " SELECT * FROM ehrql_unsorted ORDER BY patient_id",
		"DROP TABLE ehrql_unsorted",
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("writing %s in patient order: %w", t.Name, err)
		}
	}
	return nil
}

// importFile is one file to import and its table.
type importFile struct {
	path    string
	table   *model.Table
	parquet bool
}

// planImport matches the files of dir with the module's tables.
func planImport(dir, module string, known []*model.Table) ([]importFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	byName := map[string]*model.Table{}
	var names []string
	for _, t := range known {
		byName[t.Name] = t
		names = append(names, t.Name)
	}
	var files []importFile
	seen := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		var base string
		parquet := false
		switch {
		case strings.HasSuffix(name, ".csv.gz"):
			base = strings.TrimSuffix(name, ".csv.gz")
		case strings.HasSuffix(name, ".csv"):
			base = strings.TrimSuffix(name, ".csv")
		case strings.HasSuffix(name, ".parquet"):
			base, parquet = strings.TrimSuffix(name, ".parquet"), true
		default:
			return nil, fmt.Errorf("import: %s: not a table file (expected <table>.csv, <table>.csv.gz or <table>.parquet)", path)
		}
		if e.IsDir() {
			return nil, fmt.Errorf("import: %s is a directory", path)
		}
		t, ok := byName[base]
		if !ok {
			return nil, fmt.Errorf("import: %s: %q is not a table of %s; its tables are: %s", path, base, module, strings.Join(names, ", "))
		}
		if prev, dup := seen[base]; dup {
			return nil, fmt.Errorf("import: two files for table %s: %s and %s", base, prev, path)
		}
		seen[base] = path
		files = append(files, importFile{path: path, table: t, parquet: parquet})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("import: %s holds no table files", dir)
	}
	return files, nil
}

// colCheck is what checkCSV verifies of one column.
type colCheck struct {
	name    string
	idx     int
	notNull bool
	code    model.Type // Kind KindCode when codes are checked
}

// checks returns the checks for the table's columns present in header
// (a name to index map), after checking that header has no unknown names.
func checks(path string, t *model.Table, header []string) ([]colCheck, error) {
	index := map[string]int{}
	for i, h := range header {
		if h == "patient_id" {
			index[h] = i
			continue
		}
		if _, ok := t.Column(h); !ok {
			cols := []string{"patient_id"}
			for _, c := range t.Columns {
				cols = append(cols, c.Name)
			}
			return nil, &source.CellError{File: path, Line: 1, Column: h,
				Msg: fmt.Sprintf("unknown column for table '%s'; its columns are: %s", t.Name, strings.Join(cols, ", "))}
		}
		if _, dup := index[h]; dup {
			return nil, &source.CellError{File: path, Line: 1, Column: h, Msg: "column given twice"}
		}
		index[h] = i
	}
	var cs []colCheck
	for _, c := range t.Columns {
		i, ok := index[c.Name]
		notNull := isNotNull(c)
		if !ok {
			if notNull {
				return nil, &source.CellError{File: path, Msg: fmt.Sprintf("missing column '%s', which may not be NULL", c.Name)}
			}
			continue
		}
		cc := colCheck{name: c.Name, idx: i, notNull: notNull}
		if c.Type.Kind == model.KindCode {
			cc.code = c.Type
		}
		if cc.notNull || cc.code.Kind == model.KindCode {
			cs = append(cs, cc)
		}
	}
	return cs, nil
}

// checkCSV checks a CSV file for what engine/source does not: unknown
// columns, NULLs in NotNull columns and invalid codes.
func checkCSV(ctx context.Context, f importFile) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	var in io.Reader = bufio.NewReaderSize(fh, 1<<16)
	if strings.HasSuffix(f.path, ".gz") {
		gz, err := gzip.NewReader(in)
		if err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		defer gz.Close()
		in = bufio.NewReaderSize(gz, 1<<16)
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return &source.CellError{File: f.path, Msg: "missing header row"}
	}
	if err != nil {
		return csvError(f.path, err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	cs, err := checks(f.path, f.table, header)
	if err != nil || len(cs) == 0 {
		return err
	}
	valid := map[string]bool{} // codes already checked
	for n := 0; ; n++ {
		if n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(f.path, err)
		}
		for _, c := range cs {
			if c.idx >= len(rec) {
				continue // engine/source reports the short row
			}
			v := rec[c.idx]
			if v == "" {
				if c.notNull {
					line, _ := r.FieldPos(c.idx)
					return &source.CellError{File: f.path, Line: line, Column: c.name, Msg: "NULL value in non-nullable column '" + c.name + "'"}
				}
				continue
			}
			if c.code.Kind == model.KindCode && !valid[v] {
				if err := c.code.System.Validate(v); err != nil {
					line, _ := r.FieldPos(c.idx)
					return &source.CellError{File: f.path, Line: line, Column: c.name, Msg: err.Error()}
				}
				if len(valid) < 1<<16 {
					valid[v] = true
				}
			}
		}
	}
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &source.CellError{File: path, Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error()}
	}
	return fmt.Errorf("reading %s: %w", path, err)
}

// parquetTypes are the Parquet (DuckDB) column types accepted for each kind.
func parquetTypeOK(k model.Kind, duck string) bool {
	ints := []string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT"}
	switch k {
	case model.KindInt:
		return slices.Contains(ints, duck)
	case model.KindFloat:
		return slices.Contains(ints, duck) || duck == "FLOAT" || duck == "DOUBLE" || strings.HasPrefix(duck, "DECIMAL")
	case model.KindBool:
		return duck == "BOOLEAN"
	case model.KindDate:
		return duck == "DATE"
	case model.KindStr, model.KindCode, model.KindMultiCode:
		return duck == "VARCHAR"
	}
	return false
}

// importParquet loads one Parquet file into a new table and checks it.
func importParquet(ctx context.Context, conn *sql.Conn, f importFile) error {
	src := "read_parquet(" + duck.QuotePath(f.path) + ", file_row_number = true)"
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet("+duck.QuotePath(f.path)+"))")
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.path, err)
	}
	var header []string
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		header = append(header, name)
		types[name] = typ
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", f.path, err)
	}
	if _, ok := types["patient_id"]; !ok {
		return &source.CellError{File: f.path, Msg: "Missing columns: patient_id"}
	}
	if _, err := checks(f.path, f.table, header); err != nil {
		return err
	}
	cols := []model.Column{{Name: "patient_id", Type: model.Int, Constraints: []model.Constraint{model.NotNull{}}}}
	cols = append(cols, f.table.Columns...)
	var names, exprs []string
	for _, c := range cols {
		typ, ok := types[c.Name]
		if !ok {
			continue
		}
		if !parquetTypeOK(c.Type.Kind, typ) {
			return &source.CellError{File: f.path, Column: c.Name,
				Msg: fmt.Sprintf("Parquet type %s does not fit the column's type %s (DuckDB %s)", typ, c.Type.Name(), source.SQLType(c.Type))}
		}
		names = append(names, sqlname.Ident(c.Name))
		exprs = append(exprs, fmt.Sprintf("CAST(%s AS %s)", sqlname.Ident(c.Name), source.SQLType(c.Type)))
	}
	// Value checks, each finding the first offending row.
	firstRow := func(where string) (int64, bool, error) {
		var row int64
		err := conn.QueryRowContext(ctx, "SELECT min(file_row_number) FROM "+src+" WHERE "+where).Scan(&sqlNullInt{&row})
		if err != nil {
			return 0, false, fmt.Errorf("checking %s: %w", f.path, err)
		}
		return row + 1, row >= 0, nil
	}
	for _, c := range cols {
		if _, ok := types[c.Name]; !ok {
			continue
		}
		q := sqlname.Ident(c.Name)
		if isNotNull(c) {
			if row, bad, err := firstRow(q + " IS NULL"); err != nil {
				return err
			} else if bad {
				return &source.CellError{File: f.path, Line: int(row), Column: c.Name, Msg: "NULL value in non-nullable column '" + c.Name + "'"}
			}
		}
		if cats, ok := c.Categories(); ok {
			var lits []string
			for _, l := range cats {
				switch v := l.Go().(type) {
				case string:
					lits = append(lits, quoteString(v))
				default:
					lits = append(lits, fmt.Sprint(v))
				}
			}
			if row, bad, err := firstRow(fmt.Sprintf("%s IS NOT NULL AND %s NOT IN (%s)", q, q, strings.Join(lits, ", "))); err != nil {
				return err
			} else if bad {
				return &source.CellError{File: f.path, Line: int(row), Column: c.Name, Msg: "value not in valid categories: " + strings.Join(lits, ", ")}
			}
		}
		if c.Type.Kind == model.KindCode {
			// Check each distinct code in Go, with the catalogue's rules.
			codes, err := conn.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT %s FROM read_parquet(%s) WHERE %s IS NOT NULL", q, duck.QuotePath(f.path), q))
			if err != nil {
				return fmt.Errorf("checking %s: %w", f.path, err)
			}
			var badCode string
			var bad error
			for codes.Next() && bad == nil {
				if err := codes.Scan(&badCode); err != nil {
					codes.Close()
					return err
				}
				bad = c.Type.System.Validate(badCode)
			}
			codes.Close()
			if bad != nil {
				row, _, err := firstRow(q + " = " + quoteString(badCode))
				if err != nil {
					return err
				}
				return &source.CellError{File: f.path, Line: int(row), Column: c.Name, Msg: bad.Error()}
			}
		}
	}
	if f.table.PatientLevel {
		if row, bad, err := firstRow("patient_id IN (SELECT patient_id FROM read_parquet(" + duck.QuotePath(f.path) + ") GROUP BY ALL HAVING count(*) > 1)"); err != nil {
			return err
		} else if bad {
			return &source.CellError{File: f.path, Line: int(row), Column: "patient_id",
				Msg: fmt.Sprintf("duplicate patient_id: table '%s' has at most one row per patient", f.table.Name)}
		}
	}
	if _, err := conn.ExecContext(ctx, sqlname.CreateTable(f.table)); err != nil {
		return fmt.Errorf("creating table %s: %w", f.table.Name, err)
	}
	// in patient order, so that each row group holds a narrow range of
	// patient ids: a query run in batches of patients then reads only its
	// batch's row groups (DuckDB skips the others by their zone maps)
	ins := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM read_parquet(%s) ORDER BY patient_id",
		sqlname.Ident(f.table.Name), strings.Join(names, ", "), strings.Join(exprs, ", "), duck.QuotePath(f.path))
	if _, err := conn.ExecContext(ctx, ins); err != nil {
		return fmt.Errorf("loading %s: %w", f.path, err)
	}
	return nil
}

// sqlNullInt scans a nullable integer into *v, storing -1 for NULL.
type sqlNullInt struct{ v *int64 }

func (s *sqlNullInt) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	if n.Valid {
		*s.v = n.Int64
	} else {
		*s.v = -1
	}
	return nil
}

// isNotNull reports whether c has a NotNull constraint (dummy-data
// constraints do not count).
func isNotNull(c model.Column) bool {
	return slices.ContainsFunc(c.Constraints, func(k model.Constraint) bool { return k.ConstraintName() == "NotNull" })
}
