package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/output"
)

// ExistsError reports that the store to be written already exists (and
// Force was not given).
type ExistsError struct{ Path string }

// Error implements the error interface.
func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists (use --force to replace it)", e.Path)
}

// build writes a new DuckDB store at path. The output is prepared as every
// output is (output.Prepare: parent folders created, a read-only file
// refused, and a lock that refuses a second run writing the same store).
// fill runs on a connection to a temporary file of a fresh name beside
// path (output.TempName), with DuckDB's spill files in a directory of the
// run's own; then the store's manifest is recorded, and the file is
// checkpointed, closed and renamed to path, after removing any stale
// write-ahead log of a previous store there (which DuckDB would otherwise
// replay into the new one). On any error the temporary files are removed
// and path is untouched.
func build(ctx context.Context, path string, force bool, settings duck.Settings, m Manifest, fill func(*sql.Conn) error) (err error) {
	path = strings.TrimPrefix(path, "duckdb://")
	if path == "" {
		return errors.New("no output store given")
	}
	unlock, err := output.Prepare(path)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil {
		if !force {
			return &ExistsError{Path: path}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := output.TempName(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
			os.Remove(tmp + ".wal")
		}
	}()
	d, err := duck.Open(ctx, tmp, settings)
	if err != nil {
		return err
	}
	if err := fill(d.Conn); err != nil {
		d.Close()
		return d.Explain(err)
	}
	if err := writeManifest(ctx, d.Conn, m); err != nil {
		d.Close()
		return err
	}
	if _, err := d.Conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		d.Close()
		return fmt.Errorf("writing %s: %w", tmp, d.Explain(err))
	}
	if err := d.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(path + ".wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the stale write-ahead log of the previous store: %w", err)
	}
	return os.Rename(tmp, path)
}

// quoteString quotes a DuckDB string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
