package duck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func open(t *testing.T, s Settings) *DB {
	t.Helper()
	d, err := Open(context.Background(), "", s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func query(d *DB, q string) error {
	rows, err := d.Conn.QueryContext(context.Background(), q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// TestLockdown: before Lockdown SQL can read files; after it, none of the
// ways out works, and none can be switched back on.
func TestLockdown(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.csv")
	if err := os.WriteFile(secret, []byte("a\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := open(t, Settings{})
	if err := query(d, "SELECT * FROM read_csv("+quote(secret)+")"); err != nil {
		t.Fatalf("before lockdown read_csv fails: %v", err)
	}
	if err := d.Lockdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM read_csv(" + quote(secret) + ")",
		"SELECT * FROM read_text(" + quote(secret) + ")",
		"SELECT * FROM glob(" + quote(dir+"/*") + ")",
		"SELECT getenv('HOME')",
		"ATTACH " + quote(filepath.Join(dir, "x.duckdb")) + " AS x",
		"COPY (SELECT 1) TO " + quote(filepath.Join(dir, "out.csv")),
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET enable_external_access = true",
		"RESET enable_external_access",
		"SET lock_configuration = false",
	} {
		if err := query(d, q); err == nil {
			t.Errorf("%s: succeeded after lockdown", q)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
		t.Error("COPY wrote a file after lockdown")
	}
}

// TestSpillDirectory: the spill directory is the run's own, under TempDir,
// and is removed on Close.
func TestSpillDirectory(t *testing.T) {
	base := t.TempDir()
	d, err := Open(context.Background(), "", Settings{TempDir: base})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(d.Spill) != base {
		t.Errorf("spill directory %s is not under %s", d.Spill, base)
	}
	var got string
	if err := d.Conn.QueryRowContext(context.Background(), "SELECT current_setting('temp_directory')").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != d.Spill {
		t.Errorf("temp_directory = %q, want %q", got, d.Spill)
	}
	d.Close()
	if _, err := os.Stat(d.Spill); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("spill directory left behind: %v", err)
	}
	if _, err := Open(context.Background(), "", Settings{TempDir: filepath.Join(base, "missing")}); err == nil ||
		!strings.Contains(err.Error(), "--temp-dir") {
		t.Errorf("missing temp dir: %v", err)
	}
}

// TestSpillCap: a query that must spill more than the cap fails with a
// message saying what to raise.
func TestSpillCap(t *testing.T) {
	d := open(t, Settings{Threads: 1, MemoryLimit: "30MB", MaxTempSize: "1MB", TempDir: t.TempDir()})
	err := d.Explain(query(d, "SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS h FROM range(3000000) t(i) ORDER BY h)"))
	var se *SpillError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a SpillError", err)
	}
	for _, want := range []string{"(1MB)", "--max-temp-size", EnvMaxTempSize, d.Spill} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err.Error(), want)
		}
	}
}

// TestLiteralPath: glob characters in a path name the literal file.
func TestLiteralPath(t *testing.T) {
	dir := t.TempDir()
	d := open(t, Settings{})
	for _, sub := range []string{"imp1", "imp2", "imp[12]", "a*b", "a?b", "axb"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := query(d, "COPY (SELECT "+quote(sub)+" AS a) TO "+quote(filepath.Join(dir, sub, "t.parquet"))); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []string{"imp[12]", "a*b", "a?b", "axb"} {
		rows, err := d.Conn.QueryContext(context.Background(), "SELECT a FROM read_parquet("+QuotePath(filepath.Join(dir, sub, "t.parquet"))+")")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			got = append(got, s)
		}
		rows.Close()
		if len(got) != 1 || got[0] != sub {
			t.Errorf("%s: read %q", sub, got)
		}
	}
}

// TestSettings: the allocator returns freed memory, and the memory limit is
// read in bytes, as set or as DuckDB's default.
func TestSettings(t *testing.T) {
	ctx := context.Background()
	d := open(t, Settings{MemoryLimit: "1GB"})
	for name, want := range map[string]string{"allocator_flush_threshold": "30.5 MiB", "allocator_background_threads": "true"} {
		var got string
		if err := d.Conn.QueryRowContext(ctx, "SELECT current_setting('"+name+"')::VARCHAR").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got, err := d.MemoryLimit(ctx); err != nil || got != 1_000_000_000 {
		t.Errorf("memory limit of 1GB: %d, %v", got, err)
	}
	if got, err := open(t, Settings{}).MemoryLimit(ctx); err != nil || got < 1<<20 {
		t.Errorf("DuckDB's default memory limit: %d, %v", got, err)
	}
}

// TestParseBytes: sizes as DuckDB writes them, and what is not one.
func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"1GB": 1_000_000_000, "953.6 MiB": 999_922_073, "2 gib": 2 << 30, "512KB": 512_000, "10 bytes": 10, "1.5TB": 1_500_000_000_000,
	} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GB", "12", "1 parsec", "-1GB"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q): no error", in)
		}
	}
}

// TestMemoryError: a query that needs more memory than the limit, for
// state DuckDB cannot spill, fails with a message saying what to change.
func TestMemoryError(t *testing.T) {
	d := open(t, Settings{Threads: 1, MemoryLimit: "20MB", TempDir: t.TempDir()})
	err := d.Explain(query(d, "SELECT list(i)[1] FROM range(20000000) t(i)"))
	var me *MemoryError
	if !errors.As(err, &me) {
		t.Fatalf("got %v, want a MemoryError", err)
	}
	for _, want := range []string{"(limit 20MB)", "--memory-limit", EnvMemoryLimit, "--patients-per-batch", EnvPatientsPerBatch, "Out of Memory Error"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err.Error(), want)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message %q runs over more than one line", err.Error())
	}
}
