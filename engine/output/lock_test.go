package output

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBusyOutputRefused: while one writer has an output open, a second
// writer of the same output is refused, and the first one's temporary file
// is untouched; once the first is done the output is free again.
func TestBusyOutputRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	first, err := Create(path, csvCols, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(path, csvCols, nil)
	var be *BusyError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "being written by another run") {
		t.Fatalf("second writer: got %v, want a BusyError", err)
	}
	if err := WriteFile(path, []byte("x")); !errors.As(err, &be) {
		t.Fatalf("WriteFile while busy: got %v, want a BusyError", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("x")); err != nil {
		t.Fatalf("after the first writer closed: %v", err)
	}
	if names := dirEntries(t, filepath.Dir(path)); len(names) != 1 || names[0] != "out.csv" {
		t.Errorf("directory holds %q, want only out.csv", names)
	}
}

// TestReadOnlyOutputRefused: an existing read-only file is never replaced.
func TestReadOnlyOutputRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := os.WriteFile(path, []byte("keep"), 0o444); err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func() error{
		"Create":    func() error { _, err := Create(path, csvCols, nil); return err },
		"WriteFile": func() error { return WriteFile(path, []byte("new")) },
	} {
		var re *ReadOnlyError
		if err := write(); !errors.As(err, &re) || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("%s: got %v, want a ReadOnlyError", name, err)
		}
	}
	if data, _ := os.ReadFile(path); string(data) != "keep" {
		t.Errorf("read-only file now holds %q", data)
	}
	if names := dirEntries(t, filepath.Dir(path)); len(names) != 1 {
		t.Errorf("directory holds %q, want only out.csv", names)
	}
}

// TestWriteFile: parent folders are created; a failed rename (the
// destination is a non-empty directory by then) leaves no temporary file.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing", "dir", "x.sql")
	if err := WriteFile(path, []byte("SELECT 1\n")); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "SELECT 1\n" {
		t.Errorf("read back %q, %v", data, err)
	}
	// Make the rename fail: create the file, then swap in a directory
	// before commit.
	target := filepath.Join(dir, "y.sql")
	a, err := createAtomic(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(target, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := a.commit(); err == nil {
		t.Fatal("commit onto a non-empty directory succeeded")
	}
	for _, n := range dirEntries(t, dir) {
		if strings.Contains(n, ".tmp") || strings.HasSuffix(n, ".lock") {
			t.Errorf("left behind: %s", n)
		}
	}
}
