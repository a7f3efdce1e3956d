// Package duck opens DuckDB databases the way every part of the engine
// needs them: tuned (threads, memory), spilling to a temporary directory of
// the run's own that is capped and always removed, and locked down once the
// inputs are loaded, so that no SQL can reach files, the environment or
// extensions.
package duck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB database/sql driver
)

// Environment variables that give the defaults of Settings' fields in
// commands (see FromEnv).
const (
	EnvThreads          = "EHRQL_THREADS"
	EnvMemoryLimit      = "EHRQL_MEMORY_LIMIT"
	EnvTempDir          = "EHRQL_TEMP_DIR"
	EnvMaxTempSize      = "EHRQL_MAX_TEMP_SIZE"
	EnvPatientsPerBatch = "EHRQL_PATIENTS_PER_BATCH"
)

// Settings tune a DuckDB database.
type Settings struct {
	// Threads limits DuckDB's worker threads (0: DuckDB's default, all cores).
	Threads int
	// MemoryLimit caps DuckDB's memory, e.g. "2GB" ("": DuckDB's default).
	MemoryLimit string
	// TempDir is where the run's own spill directory is made ("": the
	// system's temporary directory). The spill directory is removed when
	// the database is closed.
	TempDir string
	// MaxTempSize caps the spill directory, e.g. "50GB" ("": DuckDB's
	// default, 90% of the free space of its drive).
	MaxTempSize string
	// PatientsPerBatch is not a DuckDB setting but bounds what one DuckDB
	// query holds: a store with more patients is queried in batches of
	// patient ids, each of at most this many patients (0: one patient per
	// kilobyte of DuckDB's memory limit, 1M patients for "1GB").
	PatientsPerBatch int64
}

// DB is an open DuckDB database and the one connection the engine uses.
type DB struct {
	DB   *sql.DB
	Conn *sql.Conn
	// Spill is the run's spill directory.
	Spill    string
	settings Settings
}

// Open opens the DuckDB database dsn ("" for an in-memory one) with s
// applied, and a fresh spill directory under s.TempDir.
func Open(ctx context.Context, dsn string, s Settings) (*DB, error) {
	spill, err := os.MkdirTemp(s.TempDir, "ehrql-duckdb-")
	if err != nil {
		return nil, fmt.Errorf("creating DuckDB's temporary directory: %w (set --temp-dir or %s)", err, EnvTempDir)
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		os.RemoveAll(spill)
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		os.RemoveAll(spill)
		return nil, err
	}
	d := &DB{DB: db, Conn: conn, Spill: spill, settings: s}
	stmts := append([]string{"SET temp_directory = " + quote(spill)}, tuning...)
	if s.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", s.Threads))
	}
	if s.MemoryLimit != "" {
		stmts = append(stmts, "SET memory_limit = "+quote(s.MemoryLimit))
	}
	if s.MaxTempSize != "" {
		stmts = append(stmts, "SET max_temp_directory_size = "+quote(s.MaxTempSize))
	}
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			d.Close()
			return nil, fmt.Errorf("setting up DuckDB (%s): %w", stmt, err)
		}
	}
	return d, nil
}

// lockdown switches off every way SQL could reach outside the database —
// files (read_csv, glob, COPY, ATTACH), extensions (INSTALL, LOAD and their
// automatic forms) — and then locks the configuration so that no
// statement can switch them on again.
var lockdown = []string{
	"SET enable_external_access = false",
	"SET autoinstall_known_extensions = false",
	"SET autoload_known_extensions = false",
	"SET lock_configuration = true",
}

// Lockdown forbids, for the rest of the database's life, any access from
// SQL to files, the environment or extensions. Call it once the inputs are
// loaded and before running anything a query model produced.
func (d *DB) Lockdown(ctx context.Context) error {
	for _, stmt := range lockdown {
		if _, err := d.Conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("locking DuckDB down (%s): %w", stmt, err)
		}
	}
	return nil
}

// Settings returns the settings the database was opened with.
func (d *DB) Settings() Settings { return d.settings }

// Close closes the connection and the database and removes the spill
// directory.
func (d *DB) Close() error {
	err := errors.Join(d.Conn.Close(), d.DB.Close())
	return errors.Join(err, os.RemoveAll(d.Spill))
}

// SpillError reports that DuckDB's temporary files reached their cap.
type SpillError struct {
	Cap string // the cap as configured ("" for DuckDB's default)
	Dir string // the spill directory
	Err error  // DuckDB's error
}

// Error implements the error interface.
func (e *SpillError) Error() string {
	limit := "its default, 90% of the free disk space"
	if e.Cap != "" {
		limit = e.Cap
	}
	return fmt.Sprintf("DuckDB's temporary files in %s reached their cap (%s): raise it with --max-temp-size or %s, "+
		"give DuckDB more memory with --memory-limit or %s, or put the temporary files on a larger disk with --temp-dir or %s",
		e.Dir, limit, EnvMaxTempSize, EnvMemoryLimit, EnvTempDir)
}

// Unwrap returns DuckDB's error.
func (e *SpillError) Unwrap() error { return e.Err }

// Explain turns DuckDB's error about its temporary files reaching their
// cap into a *SpillError, and its running out of memory into a
// *MemoryError; other errors are returned unchanged.
func (d *DB) Explain(err error) error {
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), "max_temp_directory_size"):
		return &SpillError{Cap: d.settings.MaxTempSize, Dir: d.Spill, Err: err}
	case strings.Contains(err.Error(), "Out of Memory Error"):
		return &MemoryError{Limit: d.settings.MemoryLimit, Err: err}
	}
	return err
}

// MemoryError reports that DuckDB needed more memory than its limit for
// something it cannot spill to disk.
type MemoryError struct {
	Limit string // the limit as configured ("" for DuckDB's default)
	Err   error  // DuckDB's error
}

// Error implements the error interface: what ran out, and the two ways
// out.
func (e *MemoryError) Error() string {
	limit := "its default, 80% of the RAM"
	if e.Limit != "" {
		limit = e.Limit
	}
	first, _, _ := strings.Cut(e.Err.Error(), "\n")
	return fmt.Sprintf("DuckDB ran out of memory (limit %s): give it more with --memory-limit or %s, "+
		"or query fewer patients at once with --patients-per-batch or %s (DuckDB: %s)",
		limit, EnvMemoryLimit, EnvPatientsPerBatch, strings.TrimSpace(first))
}

// Unwrap returns DuckDB's error.
func (e *MemoryError) Unwrap() error { return e.Err }

// tuning holds the settings every database gets: they return the memory
// DuckDB frees to the system promptly. Without them the allocator kept
// freed pages, and a run of several queries (a store run in batches of
// patients) peaked hundreds of MiB above the memory limit (measures at 4M
// patients under 1GB: 1428-1756 MiB of RSS, against 1377 MiB with them;
// bench/RESULTS.md), at no cost in time.
var tuning = []string{
	"SET allocator_flush_threshold = '32MB'",
	"SET allocator_background_threads = true",
}

// quote quotes a DuckDB string literal.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// FromEnv returns the settings given by the environment: EHRQL_THREADS,
// EHRQL_MEMORY_LIMIT, EHRQL_TEMP_DIR, EHRQL_MAX_TEMP_SIZE and
// EHRQL_PATIENTS_PER_BATCH.
func FromEnv() Settings {
	var threads int
	var perBatch int64
	fmt.Sscan(os.Getenv(EnvThreads), &threads)
	fmt.Sscan(os.Getenv(EnvPatientsPerBatch), &perBatch)
	return Settings{
		Threads:          threads,
		MemoryLimit:      os.Getenv(EnvMemoryLimit),
		TempDir:          os.Getenv(EnvTempDir),
		MaxTempSize:      os.Getenv(EnvMaxTempSize),
		PatientsPerBatch: perBatch,
	}
}

// MemoryLimit returns DuckDB's memory limit in bytes: the one set, else
// (DuckDB's default, or a limit ParseBytes does not read) the limit as
// the database reports it (e.g. "19.2 GiB").
func (d *DB) MemoryLimit(ctx context.Context) (int64, error) {
	if n, err := ParseBytes(d.settings.MemoryLimit); err == nil {
		return n, nil
	}
	// DuckDB's default, or a limit written in a way of DuckDB's own
	var v string
	if err := d.Conn.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading DuckDB's memory limit: %w", err)
	}
	return ParseBytes(v)
}

// ParseBytes reads a size as DuckDB writes and reads them: a number, a
// space or not, and a unit (bytes, KB, MB, GB, TB in powers of 1000; KiB,
// MiB, GiB, TiB in powers of 1024; case ignored).
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, fmt.Errorf("size %q: want a number and a unit, e.g. 4GB", s)
	}
	var n float64
	if _, err := fmt.Sscan(t[:i], &n); err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	units := map[string]float64{
		"b": 1, "byte": 1, "bytes": 1,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}
	u, ok := units[strings.ToLower(strings.TrimSpace(t[i:]))]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q", s, strings.TrimSpace(t[i:]))
	}
	return int64(n * u), nil
}

// LiteralPath escapes the glob characters of path, so that DuckDB's file
// functions (read_parquet, read_csv) read exactly the file named, never the
// files a pattern would match: "imp[12]/t.parquet" is the folder "imp[12]",
// not "imp1" and "imp2".
func LiteralPath(path string) string {
	var b strings.Builder
	for _, r := range path {
		switch r {
		case '[', '*', '?':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// QuotePath is the string literal naming the file at path for DuckDB's
// reading functions, which expand globs: its glob characters are escaped
// (see LiteralPath). Writing statements (COPY TO) take the path as it is.
func QuotePath(path string) string { return quote(LiteralPath(path)) }
