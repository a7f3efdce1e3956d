package engine

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
)

// Options tune the DuckDB session: threads, memory, and where its
// temporary files go and how large they may grow.
type Options = duck.Settings

// Session is one DuckDB connection holding the patient data a query runs on.
type Session struct {
	duck *duck.DB
	conn *sql.Conn
	// batches holds the ranges of patient ids found for a batch size
	// (PatientBatches), until Exec.
	batches map[int64][]sqlgen.PatientRange
}

// OpenCSVTables starts an in-memory session holding the given tables, read
// from a folder of dummy tables (one <table>.csv, <table>.csv.gz or
// <table>.arrow each, all in one format).
func OpenCSVTables(ctx context.Context, dir string, tables []*model.Table, opts Options) (*Session, error) {
	s, err := open(ctx, "", opts)
	if err != nil {
		return nil, err
	}
	if err := source.LoadCSVDirConn(ctx, s.conn, dir, tables); err != nil {
		s.Close()
		return nil, err
	}
	return s.lockdown(ctx)
}

// OpenStore opens a DuckDB patient store read-only and checks the tables a
// query needs against their schemas (see checkStore); errors about the
// store are *StoreError values naming the table and column.
//
// The store's name may hold secrets (a password in a database URL): no
// error shows them (MaskDSN).
func OpenStore(ctx context.Context, dsn string, tables []*model.Table, opts Options) (s *Session, err error) {
	defer func() { err = maskError(err, dsn, strings.TrimPrefix(dsn, "duckdb://")) }()
	path := strings.TrimPrefix(dsn, "duckdb://")
	if err := checkDuckDBFile(path); err != nil {
		return nil, err
	}
	s, err = open(ctx, path+"?access_mode=read_only", opts)
	if err != nil {
		return nil, fmt.Errorf("patient store %s: %w", path, err)
	}
	if err := checkStore(ctx, s.conn, path, tables); err != nil {
		s.Close()
		return nil, err
	}
	if err := widenStore(ctx, s.conn, path, tables); err != nil {
		s.Close()
		return nil, err
	}
	return s.lockdown(ctx)
}

// OpenEmpty starts an in-memory session with no tables, for tests and
// tools that create and fill their own (Exec).
func OpenEmpty(ctx context.Context, opts Options) (*Session, error) { return open(ctx, "", opts) }

func open(ctx context.Context, dsn string, opts Options) (*Session, error) {
	d, err := duck.Open(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	s := &Session{duck: d, conn: d.Conn}
	for _, stmt := range sqlgen.Setup() {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			s.Close()
			return nil, fmt.Errorf("setting up DuckDB: %w", err)
		}
	}
	return s, nil
}

// lockdown locks the session's database down once its inputs are loaded
// (see duck.DB.Lockdown), closing the session if that fails.
func (s *Session) lockdown(ctx context.Context) (*Session, error) {
	if err := s.duck.Lockdown(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close ends the session and removes its temporary files.
func (s *Session) Close() error {
	return s.duck.Close()
}

// Exec runs a statement in the session (for tests and tools).
func (s *Session) Exec(ctx context.Context, query string, args ...any) error {
	s.batches = nil
	_, err := s.conn.ExecContext(ctx, query, args...)
	return err
}

// Query runs SQL in the session (for tests and tools).
func (s *Session) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.conn.QueryContext(ctx, query, args...)
}

// Run executes the query and streams its rows into a new output at path
// (".arrow", ".csv", ".csv.gz"; "" or "-" for CSV on stdout). A dataset with
// event tables needs a directory output, "DIR:csv" or "DIR/:arrow", which
// gets one file per table (dataset first); on stdout each table follows its
// name. Files appear only when complete. It returns the dataset's row count.
//
// A run that fails in DuckDB is reported as a *RunError naming the
// variable (or the population, or the event table) that fails and the
// tables it reads.
func (q *Query) Run(ctx context.Context, s *Session, path string, stdout io.Writer) (int64, error) {
	n, err := q.run(ctx, s, path, stdout)
	if err != nil {
		err = q.diagnose(ctx, s, err)
	}
	return n, err
}

func (q *Query) run(ctx context.Context, s *Session, path string, stdout io.Writer) (int64, error) {
	batches, err := q.batches(ctx, s)
	if err != nil {
		return 0, err
	}
	dir, ext, isDir := SplitDirectoryOutput(path)
	type table struct {
		name    string
		queries []string // one per batch
		cols    []model.ColumnSpec
	}
	tables := []table{{name: "dataset", cols: q.Columns}}
	for _, e := range q.Events {
		tables = append(tables, table{name: e.Name, cols: e.Columns})
	}
	for _, b := range batches {
		tables[0].queries = append(tables[0].queries, b.SQL)
		for i, e := range b.Events {
			tables[i+1].queries = append(tables[i+1].queries, e.SQL)
		}
	}
	if len(q.Events) == 0 && !isDir {
		return runTable(ctx, s, tables[0].queries, q.Columns, path, stdout)
	}
	if path == "" || path == "-" {
		var n int64
		for i, t := range tables {
			if i > 0 {
				fmt.Fprint(stdout, "\n")
			}
			fmt.Fprintln(stdout, t.name)
			rows, err := runTable(ctx, s, t.queries, t.cols, "-", stdout)
			if err != nil && i > 0 {
				return n, q.eventTableError(ctx, i-1, err)
			}
			if err != nil {
				return n, err
			}
			if i == 0 {
				n = rows
			}
		}
		return n, nil
	}
	if !isDir {
		return 0, &OutputError{fmt.Sprintf("Attempting to write %d tables, but output only supports a single table\ntry -> %s/:%s",
			len(tables), strings.TrimSuffix(path, filepath.Ext(path)), strings.TrimPrefix(filepath.Ext(path), "."))}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var n int64
	for i, t := range tables {
		rows, err := runTable(ctx, s, t.queries, t.cols, filepath.Join(dir, url.PathEscape(t.name)+ext), stdout)
		if err != nil && i > 0 {
			return n, q.eventTableError(ctx, i-1, err)
		}
		if err != nil {
			return n, err
		}
		if i == 0 {
			n = rows
		}
	}
	return n, nil
}

// batches returns the query compiled for each of the session's batches of
// patients (compileBatches). Their results, concatenated in order, are
// the query's.
func (q *Query) batches(ctx context.Context, s *Session) ([]*sqlgen.Query, error) {
	ranges, err := q.PatientBatches(ctx, s)
	if err != nil {
		return nil, err
	}
	return compileBatches(ranges, q.Query, func(r sqlgen.PatientRange) (*sqlgen.Query, error) {
		return sqlgen.CompileDatasetFor(q.Dataset, r)
	})
}

// PatientBatches returns the ranges of patient ids the query runs in on
// the session (Session.PatientBatches). When the batch size is not set,
// each patient is given memory for the dataset's columns, those of its
// event tables included. Hand-written SQL runs in one batch.
func (q *Query) PatientBatches(ctx context.Context, s *Session) ([]sqlgen.PatientRange, error) {
	if q.Dataset == nil {
		return []sqlgen.PatientRange{{}}, nil
	}
	return s.PatientBatches(ctx, q.bytesPerPatient())
}

func (q *Query) bytesPerPatient() int64 {
	columns := 1 + len(q.Dataset.Variables)
	for _, e := range q.Dataset.Events {
		columns += len(e.Frame.MemberNames())
	}
	return datasetBytesPerPatient(columns)
}

// OutputError says that the output asked for cannot hold the results.
type OutputError struct{ Msg string }

// Error implements the error interface.
func (e *OutputError) Error() string { return e.Msg }

// SplitDirectoryOutput recognises ehrQL's directory outputs: "DIR:ext" or
// "DIR/:ext" (ext one of csv, csv.gz, arrow), returning the directory and
// the file extension with its dot.
func SplitDirectoryOutput(path string) (dir, ext string, ok bool) {
	base := filepath.Base(path)
	i := strings.LastIndex(path, ":")
	if i < 0 || !strings.Contains(base, ":") && !strings.HasSuffix(path[:i], "/") {
		return "", "", false
	}
	dir, ext = strings.TrimSuffix(path[:i], "/"), "."+path[i+1:]
	return dir, ext, true
}

// runTable streams the rows of each query in turn (a table's batches) into
// one new output at path.
func runTable(ctx context.Context, s *Session, queries []string, specs []model.ColumnSpec, path string, stdout io.Writer) (int64, error) {
	cols := output.ColumnsOf(specs)
	w, err := output.Create(path, cols, stdout)
	if err != nil {
		return 0, err
	}
	n, err := s.streamAll(ctx, queries, cols, w)
	if err != nil {
		w.Abort()
		return n, asDataError(s.duck.Explain(err))
	}
	if err := w.Close(); err != nil {
		w.Abort()
		return n, err
	}
	return n, nil
}
