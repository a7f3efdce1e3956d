package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB database/sql driver

	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/query/model"
)

// ExistsError reports that the store to be written already exists (and
// Force was not given).
type ExistsError struct{ Path string }

// Error implements the error interface.
func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists (use --force to replace it)", e.Path)
}

// build writes a new DuckDB store at path: fill runs on a connection to
// path+".tmp", which is checkpointed, closed and renamed to path. On any
// error the temporary files are removed and path is untouched.
func build(ctx context.Context, path string, force bool, threads int, memoryLimit string, fill func(*sql.Conn) error) (err error) {
	path = strings.TrimPrefix(path, "duckdb://")
	if path == "" {
		return errors.New("no output store given")
	}
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		if !force {
			return &ExistsError{Path: path}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp := path + ".tmp"
	removeTmp := func() {
		os.Remove(tmp)
		os.Remove(tmp + ".wal")
	}
	removeTmp()
	defer func() {
		if err != nil {
			removeTmp()
		}
	}()
	db, err := sql.Open("duckdb", tmp)
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return err
	}
	closeAll := func() error {
		return errors.Join(conn.Close(), db.Close())
	}
	var settings []string
	if threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", threads))
	}
	if memoryLimit != "" {
		settings = append(settings, fmt.Sprintf("SET memory_limit = '%s'", strings.ReplaceAll(memoryLimit, "'", "")))
	}
	for _, s := range settings {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			closeAll()
			return fmt.Errorf("setting up DuckDB: %w", err)
		}
	}
	if err := fill(conn); err != nil {
		closeAll()
		return err
	}
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		closeAll()
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := closeAll(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// createTableSQL is the CREATE TABLE statement for t, in the layout of
// engine/source: patient_id BIGINT NOT NULL, then the schema's columns.
func createTableSQL(t *model.Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(quoteIdent(t.Name))
	b.WriteString(" (patient_id BIGINT NOT NULL")
	for _, c := range t.Columns {
		b.WriteString(", ")
		b.WriteString(quoteIdent(c.Name))
		b.WriteByte(' ')
		b.WriteString(source.SQLType(c.Type))
	}
	b.WriteString(")")
	return b.String()
}

// quoteIdent quotes a DuckDB identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteString quotes a DuckDB string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
