package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCacheDirExitCode: a cache folder for built definitions that cannot
// be used ends the command with exit code 1 and a message naming the
// folder, what is wrong and how to choose another.
func TestCacheDirExitCode(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EHRQL_CACHE_DIR", file)
	_, stderr, code := ehrql(t, "generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_ok", "--", "--index-date", "2020-01-01")
	want := "ehrql: the folder where definitions are built and run from, " + file + " (from EHRQL_CACHE_DIR), is a file, not a folder: " +
		"set EHRQL_CACHE_DIR to a folder you can write to, on a file system that lets programs run (not mounted noexec)\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr\n  %q\nwant exit 1 and\n  %q", code, stderr, want)
	}
}
